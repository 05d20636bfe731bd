// ISO/IEC 19794-6 iris image records, 2005 ("IIR\0" "010\0") and 2011 ("IIR\0" "020\0")
// editions: parse, write and decode the embedded image, for the iris engine to build on.
//
// 2005 records have one general header (image format, size, depth, properties shared by all
// images) then eye subtype blocks, each with image headers and data; 2011 records have one
// representation per image with its own capture/quality blocks and geometry. Both are
// flattened into IrisImageRepresentation (one per image), with the eye label carried on each;
// shared 2005 fields are copied into every representation and must agree when written back.
//
// Value types and pure functions; thread-safe; parsing is bounded by the input.
#ifndef SIJIL_BIOMETRICS_IRIS_IMAGE_RECORD_H_
#define SIJIL_BIOMETRICS_IRIS_IMAGE_RECORD_H_

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"
#include "sijil/biometrics/image_codec.h"
#include "sijil/biometrics/record_header.h"

namespace sijil::biometrics {

enum class EyeLabel : uint8_t { kUnspecified = 0, kRight = 1, kLeft = 2 };
std::string_view EyeLabelName(EyeLabel eye);

struct IrisImageRepresentation {
  EyeLabel eye = EyeLabel::kUnspecified;
  // Image format code as stored. 2011: 2 mono raw, 10 mono JPEG 2000, 14 mono PNG;
  // 2005: 0x0002 mono raw, 0x0006 mono JPEG, 0x000A mono JPEG-LS, 0x000E mono JPEG 2000
  // (+2: RGB variants).
  uint16_t image_format = 0;
  uint16_t width = 0;
  uint16_t height = 0;
  uint8_t bit_depth = 8;
  Bytes image_data;

  // 2011 representation fields.
  RepresentationCaptureInfo capture;
  uint16_t representation_number = 0;
  uint8_t image_type = 0;        // 1 uncropped, 2 VGA, 3 cropped, 7 cropped and masked
  uint8_t image_properties = 0;  // orientation bits
  uint16_t range = 0;            // camera-to-eye distance, cm; 0 unassigned
  uint16_t roll_angle = 0xFFFF;
  uint16_t roll_uncertainty = 0xFFFF;
  uint16_t iris_center_smallest_x = 0, iris_center_largest_x = 0;
  uint16_t iris_center_smallest_y = 0, iris_center_largest_y = 0;
  uint16_t iris_diameter_smallest = 0, iris_diameter_largest = 0;
  Bytes extended_data;

  // 2005 per-image fields.
  uint16_t image_number = 0;
  uint8_t quality = 0;  // 0..100, 254 not computed, 255 failed
  uint16_t rotation_angle = 0xFFFF;
  uint16_t rotation_uncertainty = 0xFFFF;
};

struct IrisImageRecord {
  RecordEdition edition = RecordEdition::k2011;
  // 2011 general header.
  bool certification_flag = false;
  uint8_t eye_count = 0;  // written as given; 0 means "count them"
  // 2005 general header (shared by all images).
  uint16_t capture_device_id = 0;
  uint16_t image_property_bits = 0;  // orientation, scan type, occlusion
  uint16_t iris_diameter = 0;
  uint8_t image_transformation = 0;
  std::array<uint8_t, 16> device_unique_id{};
  Bytes extra_header;  // bytes beyond the 45 known ones when the header length says so
  std::vector<IrisImageRepresentation> representations;
};

Result<IrisImageRecord> ParseIrisImageRecord(std::span<const uint8_t> data);
Result<Bytes> WriteIrisImageRecord(const IrisImageRecord& record);
// Decodes the iris image (JPEG 2000, PNG, JPEG or raw); checks its size against the header.
Result<Image> DecodeIrisImage(const IrisImageRepresentation& rep, const ImageLimits& limits = {});

// Image kind 0x10, "unsegmented polar" (IREX): the image is already unwrapped around the pupil
// centre, rows running outwards, so it is not an eye photograph.
inline constexpr uint8_t kIrisImageUnsegmentedPolar = 0x10;

// DecodeIrisImage for the eye pipeline (segmentation, then encoding), which needs a
// rectilinear eye photograph. A polar image is refused with BIO-401 naming its kind, rather
// than segmented as if it were an eye and turned into a meaningless code; polar images take
// ExtractIrisFromPolar (iris_polar.h), and ExtractIrisFromRecord picks the path by kind.
Result<Image> DecodeIrisEyeImage(const IrisImageRepresentation& rep,
                                 const ImageLimits& limits = {});

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_IRIS_IMAGE_RECORD_H_
