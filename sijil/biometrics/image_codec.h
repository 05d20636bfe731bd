// Decoding and encoding of the images that biometric records carry: JPEG 2000 (OpenJPEG),
// WSQ (wsq.h), PNG and JPEG (OpenCV), and raw pixel arrays.
//
// Every decoder reads untrusted bytes: it checks the image size the header declares against
// ImageLimits before allocating pixels, and answers malformed input with a BIO-401 Status,
// never a crash. Functions are pure and thread-safe (OpenJPEG and OpenCV keep no global
// state between calls).
#ifndef SIJIL_BIOMETRICS_IMAGE_CODEC_H_
#define SIJIL_BIOMETRICS_IMAGE_CODEC_H_

#include <cstdint>
#include <span>
#include <string_view>

#include <opencv2/core.hpp>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"

namespace sijil::biometrics {

// A decoded image: 8 bits per sample, rows top to bottom, samples interleaved (1 channel:
// grey; 3: R, G, B). `source_bit_depth` records the precision the file stored (a 16-bit PNG
// or a 12-bit JPEG 2000 is scaled to 8 bits here).
struct Image {
  uint32_t width = 0;
  uint32_t height = 0;
  uint8_t channels = 1;
  uint8_t source_bit_depth = 8;
  uint16_t ppi = 0;  // resolution when the file says (WSQ NISTCOM, PNG pHYs); 0 unknown
  Bytes pixels;      // width * height * channels

  size_t pixel_count() const { return size_t{width} * height; }
  uint8_t at(uint32_t x, uint32_t y, uint32_t c = 0) const {
    return pixels[(size_t{y} * width + x) * channels + c];
  }
};

// The compressed formats we know.
enum class ImageCodec : uint8_t { kUnknown, kRaw, kWsq, kJpeg, kJpeg2000, kPng };
std::string_view ImageCodecName(ImageCodec codec);
// From the first bytes (magic numbers); kUnknown when none matches (raw has no magic).
ImageCodec SniffImageCodec(std::span<const uint8_t> data);

// Bounds on what a decoder may allocate. A header that claims more is rejected with
// BIO-401 (kind kResourceExhausted) before any pixel buffer exists.
struct ImageLimits {
  uint32_t max_dimension = 20000;
  uint64_t max_pixels = 50'000'000;  // a 10-print slap at 1000 ppi is ~ 16 M pixels
};
Status CheckImageSize(uint64_t width, uint64_t height, const ImageLimits& limits);

// Decodes a WSQ, JPEG 2000 (JP2 box file or raw J2K codestream), PNG or JPEG file, chosen
// by its magic number.
Result<Image> DecodeImage(std::span<const uint8_t> data, const ImageLimits& limits = {});
Result<Image> DecodeJpeg2000(std::span<const uint8_t> data, const ImageLimits& limits = {});
// PNG or JPEG through OpenCV.
Result<Image> DecodePngOrJpeg(std::span<const uint8_t> data, const ImageLimits& limits = {});
// Raw grey pixels: `bit_depth` 1..16 bits per pixel; when `bit_packed`, samples of less than
// 8 bits are packed MSB first with each row starting on a byte boundary, else each takes one
// byte (two, big-endian, above 8 bits). Fails unless `data` holds exactly enough bytes
// (trailing bytes are tolerated, missing ones are not).
Result<Image> DecodeRawImage(std::span<const uint8_t> data, uint32_t width, uint32_t height,
                             uint8_t bit_depth, bool bit_packed, const ImageLimits& limits = {});

Result<Bytes> EncodePng(const Image& image);
// JPEG 2000 in a JP2 box file. `compression_ratio` <= 1 means lossless (reversible 5/3
// wavelet); above 1, the irreversible 9/7 wavelet at that ratio.
Result<Bytes> EncodeJpeg2000(const Image& image, float compression_ratio = 0);

// Conversions to and from OpenCV (copies; grey -> CV_8UC1, RGB -> CV_8UC3 in BGR order).
cv::Mat ToMat(const Image& image);
// Accepts CV_8UC1, CV_8UC3 (BGR) and CV_8UC4 (BGRA, alpha dropped).
Result<Image> FromMat(const cv::Mat& mat);

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_IMAGE_CODEC_H_
