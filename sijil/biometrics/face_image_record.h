// ISO/IEC 19794-5 face image records, 2005 ("FAC\0" "010\0") and 2011 ("FAC\0" "030\0")
// editions: parse, write and decode the embedded image, for the face engine to build on.
//
// FaceImageRepresentation holds the union of both editions' fields (2005: facial
// information block + image information; 2011: capture/quality blocks, facial information
// with landmark points, image information). 3D representations of the 2011 edition are
// recognised and rejected with BIO-401 (kind kUnimplemented).
//
// Value types and pure functions; thread-safe; parsing is bounded by the input.
#ifndef SIJIL_BIOMETRICS_FACE_IMAGE_RECORD_H_
#define SIJIL_BIOMETRICS_FACE_IMAGE_RECORD_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"
#include "sijil/biometrics/image_codec.h"
#include "sijil/biometrics/record_header.h"

namespace sijil::biometrics {

// Image data type, with the 2011 code values (2005: 0 JPEG, 1 JPEG 2000, read as
// kJpeg2000Lossy).
enum class FaceImageDataType : uint8_t {
  kJpeg = 0,
  kJpeg2000Lossy = 1,
  kJpeg2000Lossless = 2,
  kPng = 3,
};
std::string_view FaceImageDataTypeName(FaceImageDataType t);

// A landmark (2011) or feature point (2005: z is the reserved field). Type 1 = MPEG-4
// feature point, `code` = major << 4 | minor.
struct FaceLandmark {
  uint8_t type = 1;
  uint8_t code = 0;
  uint16_t x = 0;
  uint16_t y = 0;
  uint16_t z = 0;
  friend bool operator==(const FaceLandmark&, const FaceLandmark&) = default;
};

struct FaceImageRepresentation {
  RepresentationCaptureInfo capture;  // 2011 only
  // Facial information.
  uint8_t gender = 0;          // 0 unspecified, 1 male, 2 female, 255 unknown
  uint8_t eye_colour = 0;      // 0 unspecified, 1 black, 2 blue, ...
  uint8_t hair_colour = 0;     // 0 unspecified, 1 bald, 2 black, ...
  uint8_t subject_height = 0;  // 2011 only, centimetres; 0 unspecified
  uint32_t property_mask = 0;  // 24 bits: glasses, moustache, ...
  uint16_t expression = 0;     // 0 unspecified, 1 neutral, ...
  // Pose angles, ISO encoding (0 unspecified, else 1 + (angle+180)/2 ...), as stored.
  uint8_t yaw = 0, pitch = 0, roll = 0;
  uint8_t yaw_uncertainty = 0, pitch_uncertainty = 0, roll_uncertainty = 0;
  std::vector<FaceLandmark> landmarks;
  // Image information.
  uint8_t face_image_type = 0;  // 0 basic, 1 full frontal, 2 token frontal, 3 post-processed
  FaceImageDataType data_type = FaceImageDataType::kJpeg;
  uint16_t width = 0;
  uint16_t height = 0;
  uint8_t colour_space = 0;  // 0 unspecified, 1 24-bit RGB, 2 YUV422, 3 8-bit grey, ...
  // 2005 only.
  uint8_t source_type = 0;
  uint16_t device_type = 0;
  uint16_t quality = 0;
  // 2011 only.
  uint8_t spatial_sampling_rate = 0;
  uint16_t post_acquisition_processing = 0;
  uint8_t cross_reference = 0;
  Bytes image_data;
  Bytes extended_data;  // 2011: bytes after the image inside the representation
};

struct FaceImageRecord {
  RecordEdition edition = RecordEdition::k2011;
  bool certification_flag = false;  // 2011
  uint16_t temporal_semantics = 0;  // 2011
  std::vector<FaceImageRepresentation> representations;
};

Result<FaceImageRecord> ParseFaceImageRecord(std::span<const uint8_t> data);
Result<Bytes> WriteFaceImageRecord(const FaceImageRecord& record);
// Decodes the face image (JPEG, JPEG 2000 or PNG); checks its size against the header.
Result<Image> DecodeFaceImage(const FaceImageRepresentation& rep, const ImageLimits& limits = {});

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_FACE_IMAGE_RECORD_H_
