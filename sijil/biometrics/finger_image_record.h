// ISO/IEC 19794-4 finger image records, 2005 ("FIR\0" "010\0") and 2011 ("FIR\0" "020\0")
// editions: parse, write and decode the embedded image.
//
// The two editions carry the same information in different places: 2005 keeps the scale,
// resolutions, bit depth and compression once in the general header for all views, 2011
// keeps them in every representation (with capture time, device, quality and certification
// blocks). FingerImageRepresentation holds the union, so a record read in either edition
// writes back byte for byte in the same edition; writing a 2005 record fails if the
// representations disagree on the fields 2005 shares.
//
// Value types and pure functions; thread-safe. Parsing is bounded by the input: nothing is
// allocated beyond the input's size, and malformed or truncated input gives BIO-401.
#ifndef SIJIL_BIOMETRICS_FINGER_IMAGE_RECORD_H_
#define SIJIL_BIOMETRICS_FINGER_IMAGE_RECORD_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"
#include "sijil/biometrics/image_codec.h"
#include "sijil/biometrics/record_header.h"

namespace sijil::biometrics {

// Image compression algorithm, with the 2011 code values. The 2005 edition codes JPEG 2000
// as 4 (no lossy/lossless distinction; read as kJpeg2000Lossy) and PNG as 5.
enum class FingerImageCompression : uint8_t {
  kUncompressed = 0,
  kUncompressedBitPacked = 1,
  kWsq = 2,
  kJpeg = 3,
  kJpeg2000Lossy = 4,
  kJpeg2000Lossless = 5,
  kPng = 6,
};
std::string_view FingerImageCompressionName(FingerImageCompression c);

struct FingerImageRepresentation {
  // 2011 only: capture time, device, quality and certification blocks.
  RepresentationCaptureInfo capture;

  // Finger or palm position: 0 unknown, 1..10 right thumb .. left little, 11..15 plain
  // multi-finger, 20..38 palm areas.
  uint8_t position = 0;
  // 2011: representation number; 2005: view number.
  uint8_t view_number = 0;
  uint8_t view_count = 1;       // 2005 only: number of views of this finger
  uint8_t quality = 0;          // 2005 only: finger image quality (2011 uses quality blocks)
  uint8_t impression_type = 0;  // 0 live-scan plain, 1 live-scan rolled, 2/3 non-live, ...
  // 2005: shared through the general header; 2011: per representation.
  uint8_t scale_units = 1;  // 1 pixels per inch, 2 pixels per centimetre
  uint16_t scan_resolution_x = 500;
  uint16_t scan_resolution_y = 500;
  uint16_t image_resolution_x = 500;
  uint16_t image_resolution_y = 500;
  uint8_t bit_depth = 8;
  FingerImageCompression compression = FingerImageCompression::kUncompressed;
  uint16_t width = 0;   // horizontal line length, pixels
  uint16_t height = 0;  // vertical line length, pixels
  Bytes image_data;     // the compressed image exactly as stored
  Bytes extended_data;  // 2011: bytes after the image inside the representation, kept as is
};

struct FingerImageRecord {
  RecordEdition edition = RecordEdition::k2011;
  // 2005 general header.
  uint16_t capture_device_id = 0;
  uint16_t acquisition_level = 0;  // 10, 20, 30, 31, 40, 41
  // 2011 general header.
  bool certification_flag = false;
  uint8_t distinct_positions = 0;  // written as given; 0 means "count them"
  std::vector<FingerImageRepresentation> representations;
};

Result<FingerImageRecord> ParseFingerImageRecord(std::span<const uint8_t> data);
Result<Bytes> WriteFingerImageRecord(const FingerImageRecord& record);

// Decodes the representation's image (JPEG 2000, WSQ, PNG, JPEG or raw), and checks that
// its size matches the header's line lengths.
Result<Image> DecodeFingerImage(const FingerImageRepresentation& rep,
                                const ImageLimits& limits = {});

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_FINGER_IMAGE_RECORD_H_
