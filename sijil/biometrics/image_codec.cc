#include "sijil/biometrics/image_codec.h"

#include <openjpeg.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/wsq.h"

namespace sijil::biometrics {
namespace {

using namespace std::string_view_literals;

bool StartsWith(std::span<const uint8_t> d, std::string_view magic) {
  return d.size() >= magic.size() && std::memcmp(d.data(), magic.data(), magic.size()) == 0;
}

// ---- OpenJPEG plumbing -------------------------------------------------------------------

struct MemoryInput {
  std::span<const uint8_t> data;
  size_t pos = 0;
};

OPJ_SIZE_T ReadFromMemory(void* buffer, OPJ_SIZE_T n, void* user) {
  auto* in = static_cast<MemoryInput*>(user);
  size_t left = in->data.size() - in->pos;
  if (left == 0) return static_cast<OPJ_SIZE_T>(-1);
  size_t take = std::min<size_t>(n, left);
  std::memcpy(buffer, in->data.data() + in->pos, take);
  in->pos += take;
  return take;
}

OPJ_OFF_T SkipInMemory(OPJ_OFF_T n, void* user) {
  auto* in = static_cast<MemoryInput*>(user);
  if (n < 0) {
    size_t back = std::min<size_t>(static_cast<size_t>(-n), in->pos);
    in->pos -= back;
    return -static_cast<OPJ_OFF_T>(back);
  }
  size_t fwd = std::min<size_t>(static_cast<size_t>(n), in->data.size() - in->pos);
  in->pos += fwd;
  return static_cast<OPJ_OFF_T>(fwd);
}

OPJ_BOOL SeekInMemory(OPJ_OFF_T n, void* user) {
  auto* in = static_cast<MemoryInput*>(user);
  if (n < 0 || static_cast<uint64_t>(n) > in->data.size()) return OPJ_FALSE;
  in->pos = static_cast<size_t>(n);
  return OPJ_TRUE;
}

struct MemoryOutput {
  Bytes data;
  size_t pos = 0;
};

OPJ_SIZE_T WriteToMemory(void* buffer, OPJ_SIZE_T n, void* user) {
  auto* out = static_cast<MemoryOutput*>(user);
  if (out->pos + n > out->data.size()) out->data.resize(out->pos + n);
  std::memcpy(out->data.data() + out->pos, buffer, n);
  out->pos += n;
  return n;
}

OPJ_OFF_T SkipOutMemory(OPJ_OFF_T n, void* user) {
  auto* out = static_cast<MemoryOutput*>(user);
  if (n < 0 && static_cast<size_t>(-n) > out->pos) return -1;
  out->pos = static_cast<size_t>(static_cast<OPJ_OFF_T>(out->pos) + n);
  if (out->pos > out->data.size()) out->data.resize(out->pos);
  return n;
}

OPJ_BOOL SeekOutMemory(OPJ_OFF_T n, void* user) {
  auto* out = static_cast<MemoryOutput*>(user);
  if (n < 0) return OPJ_FALSE;
  out->pos = static_cast<size_t>(n);
  if (out->pos > out->data.size()) out->data.resize(out->pos);
  return OPJ_TRUE;
}

// OpenJPEG reports through callbacks; keep the first error message for our Status and stay
// quiet on stderr.
void RecordOpjError(const char* msg, void* user) {
  auto* s = static_cast<std::string*>(user);
  if (s->empty() && msg != nullptr) {
    *s = msg;
    while (!s->empty() && (s->back() == '\n' || s->back() == '\r')) s->pop_back();
  }
}
void IgnoreOpjMessage(const char*, void*) {}

struct CodecDeleter {
  void operator()(opj_codec_t* c) const { opj_destroy_codec(c); }
};
struct StreamDeleter {
  void operator()(opj_stream_t* s) const { opj_stream_destroy(s); }
};
struct ImageDeleter {
  void operator()(opj_image_t* i) const { opj_image_destroy(i); }
};

uint8_t ClampToByte(double v) {
  if (v <= 0) return 0;
  if (v >= 255) return 255;
  return static_cast<uint8_t>(std::lround(v));
}

// Reads component `c` of `img` at full-resolution pixel (x, y) scaled to 0..255.
double SampleOf(const opj_image_comp_t& comp, uint32_t x, uint32_t y) {
  uint32_t dx = std::max<uint32_t>(comp.dx, 1), dy = std::max<uint32_t>(comp.dy, 1);
  uint32_t cx = std::min<uint32_t>(x / dx, comp.w - 1);
  uint32_t cy = std::min<uint32_t>(y / dy, comp.h - 1);
  double v = comp.data[size_t{cy} * comp.w + cx];
  if (comp.sgnd) v += std::ldexp(1.0, static_cast<int>(comp.prec) - 1);
  if (comp.prec != 8) v = v * 255.0 / (std::ldexp(1.0, static_cast<int>(comp.prec)) - 1);
  return v;
}

Status Jp2Error(const std::string& what, const std::string& detail) {
  return InvalidBioInput("JPEG 2000: " + what + (detail.empty() ? "" : " (" + detail + ")"));
}

// ---- JPEG / PNG header peeking for size limits -----------------------------------------

Status PeekPngSize(std::span<const uint8_t> d, uint64_t& w, uint64_t& h) {
  if (d.size() < 24 || std::memcmp(d.data() + 12, "IHDR", 4) != 0) {
    return InvalidBioInput("PNG: missing IHDR chunk");
  }
  auto be32 = [&](size_t at) {
    return (uint32_t{d[at]} << 24) | (uint32_t{d[at + 1]} << 16) | (uint32_t{d[at + 2]} << 8) |
           d[at + 3];
  };
  w = be32(16);
  h = be32(20);
  return Status::Ok();
}

Status PeekJpegSize(std::span<const uint8_t> d, uint64_t& w, uint64_t& h) {
  size_t i = 2;
  while (i + 4 <= d.size()) {
    if (d[i] != 0xFF) return InvalidBioInput("JPEG: marker expected");
    uint8_t m = d[i + 1];
    if (m == 0xFF) {
      ++i;
      continue;
    }
    if (m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) {
      i += 2;
      continue;
    }
    size_t len = (size_t{d[i + 2]} << 8) | d[i + 3];
    if (len < 2) return InvalidBioInput("JPEG: bad segment length");
    bool sof = (m >= 0xC0 && m <= 0xCF) && m != 0xC4 && m != 0xC8 && m != 0xCC;
    if (sof) {
      if (i + 9 > d.size()) break;
      h = (uint32_t{d[i + 5]} << 8) | d[i + 6];
      w = (uint32_t{d[i + 7]} << 8) | d[i + 8];
      return Status::Ok();
    }
    i += 2 + len;
  }
  return InvalidBioInput("JPEG: no frame header");
}

}  // namespace

std::string_view ImageCodecName(ImageCodec codec) {
  switch (codec) {
    case ImageCodec::kUnknown:
      return "unknown";
    case ImageCodec::kRaw:
      return "raw";
    case ImageCodec::kWsq:
      return "WSQ";
    case ImageCodec::kJpeg:
      return "JPEG";
    case ImageCodec::kJpeg2000:
      return "JPEG 2000";
    case ImageCodec::kPng:
      return "PNG";
  }
  return "unknown";
}

ImageCodec SniffImageCodec(std::span<const uint8_t> d) {
  if (d.size() >= 2 && d[0] == 0xFF && d[1] == 0xA0) return ImageCodec::kWsq;
  if (StartsWith(d, "\x00\x00\x00\x0CjP  \r\n\x87\n"sv) || StartsWith(d, "\xFF\x4F\xFF\x51"sv)) {
    return ImageCodec::kJpeg2000;
  }
  if (StartsWith(d, "\xFF\xD8\xFF"sv)) return ImageCodec::kJpeg;
  if (StartsWith(d, "\x89PNG\r\n\x1A\n"sv)) return ImageCodec::kPng;
  return ImageCodec::kUnknown;
}

Status CheckImageSize(uint64_t width, uint64_t height, const ImageLimits& limits) {
  if (width == 0 || height == 0) {
    return InvalidBioInput("image has zero width or height");
  }
  if (width > limits.max_dimension || height > limits.max_dimension ||
      width * height > limits.max_pixels) {
    return BioStatus(BioErrorCode::kInvalidInput, StatusKind::kResourceExhausted,
                     "image of " + std::to_string(width) + "x" + std::to_string(height) +
                         " pixels exceeds the decoder's limit");
  }
  return Status::Ok();
}

Result<Image> DecodeImage(std::span<const uint8_t> data, const ImageLimits& limits) {
  switch (SniffImageCodec(data)) {
    case ImageCodec::kWsq:
      return DecodeWsq(data, limits);
    case ImageCodec::kJpeg2000:
      return DecodeJpeg2000(data, limits);
    case ImageCodec::kJpeg:
    case ImageCodec::kPng:
      return DecodePngOrJpeg(data, limits);
    case ImageCodec::kRaw:
    case ImageCodec::kUnknown:
      break;
  }
  if (data.empty()) return MissingBioInput("image data is empty");
  return InvalidBioInput("image data is not WSQ, JPEG 2000, JPEG or PNG");
}

Result<Image> DecodeJpeg2000(std::span<const uint8_t> data, const ImageLimits& limits) {
  if (data.empty()) return MissingBioInput("JPEG 2000 data is empty");
  OPJ_CODEC_FORMAT format;
  if (StartsWith(data, "\xFF\x4F\xFF\x51"sv)) {
    format = OPJ_CODEC_J2K;
  } else if (StartsWith(data, "\x00\x00\x00\x0CjP  \r\n\x87\n"sv)) {
    format = OPJ_CODEC_JP2;
  } else {
    return InvalidBioInput("JPEG 2000: neither a JP2 file nor a J2K codestream");
  }
  std::string error;
  std::unique_ptr<opj_codec_t, CodecDeleter> codec(opj_create_decompress(format));
  if (!codec) return BioStatus(BioErrorCode::kUnknown, "JPEG 2000: cannot create decoder");
  opj_set_error_handler(codec.get(), RecordOpjError, &error);
  opj_set_warning_handler(codec.get(), IgnoreOpjMessage, nullptr);
  opj_set_info_handler(codec.get(), IgnoreOpjMessage, nullptr);
  opj_dparameters_t params;
  opj_set_default_decoder_parameters(&params);
  if (!opj_setup_decoder(codec.get(), &params)) {
    return Jp2Error("cannot set up decoder", error);
  }
  MemoryInput input{data, 0};
  std::unique_ptr<opj_stream_t, StreamDeleter> stream(opj_stream_create(64 * 1024, OPJ_TRUE));
  if (!stream) return BioStatus(BioErrorCode::kUnknown, "JPEG 2000: cannot create stream");
  opj_stream_set_user_data(stream.get(), &input, nullptr);
  opj_stream_set_user_data_length(stream.get(), data.size());
  opj_stream_set_read_function(stream.get(), ReadFromMemory);
  opj_stream_set_skip_function(stream.get(), SkipInMemory);
  opj_stream_set_seek_function(stream.get(), SeekInMemory);

  opj_image_t* raw_image = nullptr;
  if (!opj_read_header(stream.get(), codec.get(), &raw_image)) {
    if (raw_image != nullptr) opj_image_destroy(raw_image);
    return Jp2Error("unreadable header", error);
  }
  std::unique_ptr<opj_image_t, ImageDeleter> image(raw_image);
  if (image->x1 <= image->x0 || image->y1 <= image->y0 || image->numcomps == 0) {
    return Jp2Error("empty image", "");
  }
  uint64_t width = image->x1 - image->x0, height = image->y1 - image->y0;
  SIJIL_RETURN_IF_ERROR(CheckImageSize(width, height, limits));
  if (image->numcomps > 4) return Jp2Error("more than 4 components", "");
  if (!opj_decode(codec.get(), stream.get(), image.get()) ||
      !opj_end_decompress(codec.get(), stream.get())) {
    return Jp2Error("corrupt codestream", error);
  }
  for (uint32_t c = 0; c < image->numcomps; ++c) {
    const opj_image_comp_t& comp = image->comps[c];
    if (comp.data == nullptr || comp.w == 0 || comp.h == 0 || comp.prec == 0 || comp.prec > 31) {
      return Jp2Error("component without data", "");
    }
  }
  Image out;
  out.width = static_cast<uint32_t>(width);
  out.height = static_cast<uint32_t>(height);
  out.source_bit_depth = static_cast<uint8_t>(image->comps[0].prec);
  bool color = image->numcomps >= 3;
  out.channels = color ? 3 : 1;
  out.pixels.resize(out.pixel_count() * out.channels);
  bool ycc = color && image->color_space == OPJ_CLRSPC_SYCC;
  size_t k = 0;
  for (uint32_t y = 0; y < out.height; ++y) {
    for (uint32_t x = 0; x < out.width; ++x) {
      if (!color) {
        out.pixels[k++] = ClampToByte(SampleOf(image->comps[0], x, y));
        continue;
      }
      double a = SampleOf(image->comps[0], x, y);
      double b = SampleOf(image->comps[1], x, y);
      double c = SampleOf(image->comps[2], x, y);
      if (ycc) {
        // ITU-R BT.601 full-range YCbCr to RGB, as sYCC defines.
        double cb = b - 128, cr = c - 128;
        double r = a + 1.402 * cr, g = a - 0.344136 * cb - 0.714136 * cr, bl = a + 1.772 * cb;
        a = r;
        b = g;
        c = bl;
      }
      out.pixels[k++] = ClampToByte(a);
      out.pixels[k++] = ClampToByte(b);
      out.pixels[k++] = ClampToByte(c);
    }
  }
  return out;
}

Result<Image> DecodePngOrJpeg(std::span<const uint8_t> data, const ImageLimits& limits) {
  ImageCodec codec = SniffImageCodec(data);
  uint64_t w = 0, h = 0;
  if (codec == ImageCodec::kPng) {
    SIJIL_RETURN_IF_ERROR(PeekPngSize(data, w, h));
  } else if (codec == ImageCodec::kJpeg) {
    SIJIL_RETURN_IF_ERROR(PeekJpegSize(data, w, h));
  } else {
    return InvalidBioInput("image data is neither PNG nor JPEG");
  }
  SIJIL_RETURN_IF_ERROR(CheckImageSize(w, h, limits));
  cv::Mat mat;
  try {
    cv::Mat buf(1, static_cast<int>(data.size()), CV_8UC1, const_cast<uint8_t*>(data.data()));
    mat = cv::imdecode(buf, cv::IMREAD_UNCHANGED);
  } catch (const std::exception&) {
    mat.release();
  }
  std::string name(ImageCodecName(codec));
  if (mat.empty()) return InvalidBioInput(name + ": corrupt image data");
  if (static_cast<uint64_t>(mat.cols) != w || static_cast<uint64_t>(mat.rows) != h) {
    return InvalidBioInput(name + ": decoded size differs from the header");
  }
  uint8_t depth = 8;
  if (mat.depth() == CV_16U) {
    depth = 16;
    mat.convertTo(mat, CV_8U, 1.0 / 257.0);
  } else if (mat.depth() != CV_8U) {
    return InvalidBioInput(name + ": unsupported sample type");
  }
  SIJIL_ASSIGN_OR_RETURN(Image out, FromMat(mat));
  out.source_bit_depth = depth;
  return out;
}

Result<Image> DecodeRawImage(std::span<const uint8_t> data, uint32_t width, uint32_t height,
                             uint8_t bit_depth, bool bit_packed, const ImageLimits& limits) {
  SIJIL_RETURN_IF_ERROR(CheckImageSize(width, height, limits));
  if (bit_depth == 0 || bit_depth > 16) {
    return InvalidBioInput("raw image: bit depth " + std::to_string(bit_depth) + " is not 1..16");
  }
  uint64_t row_bytes;
  if (bit_packed && bit_depth < 8) {
    row_bytes = (uint64_t{width} * bit_depth + 7) / 8;
  } else {
    row_bytes = uint64_t{width} * (bit_depth > 8 ? 2 : 1);
  }
  if (row_bytes * height > data.size()) {
    return InvalidBioInput("raw image: " + std::to_string(data.size()) + " bytes for " +
                           std::to_string(width) + "x" + std::to_string(height) + " pixels of " +
                           std::to_string(bit_depth) + " bits");
  }
  Image out;
  out.width = width;
  out.height = height;
  out.channels = 1;
  out.source_bit_depth = bit_depth;
  out.pixels.resize(out.pixel_count());
  const uint32_t max_value = (1u << bit_depth) - 1;
  for (uint32_t y = 0; y < height; ++y) {
    const uint8_t* row = data.data() + row_bytes * y;
    uint8_t* dst = out.pixels.data() + size_t{width} * y;
    for (uint32_t x = 0; x < width; ++x) {
      uint32_t v;
      if (bit_packed && bit_depth < 8) {
        uint64_t bit = uint64_t{x} * bit_depth;
        uint32_t two =
            (uint32_t{row[bit / 8]} << 8) | ((bit / 8 + 1 < row_bytes) ? row[bit / 8 + 1] : 0);
        v = (two >> (16 - bit_depth - bit % 8)) & max_value;
      } else if (bit_depth > 8) {
        v = ((uint32_t{row[2 * x]} << 8) | row[2 * x + 1]) & max_value;
      } else {
        v = row[x] & max_value;
      }
      dst[x] = bit_depth == 8 ? static_cast<uint8_t>(v)
                              : static_cast<uint8_t>((v * 255 + max_value / 2) / max_value);
    }
  }
  return out;
}

cv::Mat ToMat(const Image& image) {
  if (image.channels == 3) {
    cv::Mat rgb(static_cast<int>(image.height), static_cast<int>(image.width), CV_8UC3,
                const_cast<uint8_t*>(image.pixels.data()));
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    return bgr;
  }
  cv::Mat grey(static_cast<int>(image.height), static_cast<int>(image.width), CV_8UC1,
               const_cast<uint8_t*>(image.pixels.data()));
  return grey.clone();
}

Result<Image> FromMat(const cv::Mat& mat) {
  cv::Mat m;
  uint8_t channels;
  if (mat.type() == CV_8UC1) {
    m = mat;
    channels = 1;
  } else if (mat.type() == CV_8UC3) {
    cv::cvtColor(mat, m, cv::COLOR_BGR2RGB);
    channels = 3;
  } else if (mat.type() == CV_8UC4) {
    cv::cvtColor(mat, m, cv::COLOR_BGRA2RGB);
    channels = 3;
  } else {
    return InvalidBioInput("image: only 8-bit grey, BGR or BGRA matrices convert");
  }
  Image out;
  out.width = static_cast<uint32_t>(m.cols);
  out.height = static_cast<uint32_t>(m.rows);
  out.channels = channels;
  out.pixels.resize(out.pixel_count() * channels);
  size_t row = size_t{out.width} * channels;
  for (int y = 0; y < m.rows; ++y) std::memcpy(out.pixels.data() + row * y, m.ptr(y), row);
  return out;
}

Result<Bytes> EncodePng(const Image& image) {
  if (image.pixels.size() != image.pixel_count() * image.channels || image.width == 0 ||
      image.height == 0 || (image.channels != 1 && image.channels != 3)) {
    return InvalidBioInput("PNG encoder: inconsistent image");
  }
  std::vector<uint8_t> buf;
  try {
    if (!cv::imencode(".png", ToMat(image), buf)) {
      return BioStatus(BioErrorCode::kUnknown, "PNG encoder failed");
    }
  } catch (const std::exception&) {
    return BioStatus(BioErrorCode::kUnknown, "PNG encoder failed");
  }
  return Bytes(buf.begin(), buf.end());
}

Result<Bytes> EncodeJpeg2000(const Image& image, float compression_ratio) {
  if (image.pixels.size() != image.pixel_count() * image.channels || image.width == 0 ||
      image.height == 0 || (image.channels != 1 && image.channels != 3)) {
    return InvalidBioInput("JPEG 2000 encoder: inconsistent image");
  }
  std::vector<opj_image_cmptparm_t> parms(image.channels);
  for (auto& p : parms) {
    std::memset(&p, 0, sizeof(p));
    p.dx = 1;
    p.dy = 1;
    p.w = image.width;
    p.h = image.height;
    p.prec = 8;
    p.sgnd = 0;
  }
  std::unique_ptr<opj_image_t, ImageDeleter> img(opj_image_create(
      image.channels, parms.data(), image.channels == 3 ? OPJ_CLRSPC_SRGB : OPJ_CLRSPC_GRAY));
  if (!img) return BioStatus(BioErrorCode::kUnknown, "JPEG 2000 encoder: out of memory");
  img->x0 = 0;
  img->y0 = 0;
  img->x1 = image.width;
  img->y1 = image.height;
  for (uint32_t c = 0; c < image.channels; ++c) {
    for (size_t i = 0; i < image.pixel_count(); ++i) {
      img->comps[c].data[i] = image.pixels[i * image.channels + c];
    }
  }
  opj_cparameters_t params;
  opj_set_default_encoder_parameters(&params);
  params.tcp_numlayers = 1;
  params.cp_disto_alloc = 1;
  if (compression_ratio > 1) {
    params.irreversible = 1;
    params.tcp_rates[0] = compression_ratio;
  } else {
    params.tcp_rates[0] = 0;  // lossless
  }
  // Keep the number of resolutions valid for small images.
  uint32_t min_side = std::min(image.width, image.height);
  while (params.numresolution > 1 && (1u << (params.numresolution - 1)) > min_side) {
    --params.numresolution;
  }
  params.tcp_mct = image.channels == 3 ? 1 : 0;
  std::string error;
  std::unique_ptr<opj_codec_t, CodecDeleter> codec(opj_create_compress(OPJ_CODEC_JP2));
  if (!codec) return BioStatus(BioErrorCode::kUnknown, "JPEG 2000 encoder: cannot create");
  opj_set_error_handler(codec.get(), RecordOpjError, &error);
  opj_set_warning_handler(codec.get(), IgnoreOpjMessage, nullptr);
  opj_set_info_handler(codec.get(), IgnoreOpjMessage, nullptr);
  if (!opj_setup_encoder(codec.get(), &params, img.get())) {
    return BioStatus(BioErrorCode::kUnknown, "JPEG 2000 encoder setup failed: " + error);
  }
  MemoryOutput output;
  std::unique_ptr<opj_stream_t, StreamDeleter> stream(opj_stream_create(64 * 1024, OPJ_FALSE));
  opj_stream_set_user_data(stream.get(), &output, nullptr);
  opj_stream_set_write_function(stream.get(), WriteToMemory);
  opj_stream_set_skip_function(stream.get(), SkipOutMemory);
  opj_stream_set_seek_function(stream.get(), SeekOutMemory);
  if (!opj_start_compress(codec.get(), img.get(), stream.get()) ||
      !opj_encode(codec.get(), stream.get()) || !opj_end_compress(codec.get(), stream.get())) {
    return BioStatus(BioErrorCode::kUnknown, "JPEG 2000 encoder failed: " + error);
  }
  stream.reset();
  return std::move(output.data);
}

}  // namespace sijil::biometrics
