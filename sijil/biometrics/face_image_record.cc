#include "sijil/biometrics/face_image_record.h"

#include <string>
#include <utility>

#include "sijil/biometrics/bio_status.h"

namespace sijil::biometrics {
namespace {

using namespace std::string_view_literals;

constexpr size_t kGeneralHeader2005 = 14;
constexpr size_t kFacialInfo2005 = 20;
constexpr size_t kImageInfo2005 = 12;
constexpr size_t kGeneralHeader2011 = 17;

Status ReadLandmarks(ByteReader& r, uint16_t n, std::vector<FaceLandmark>& out) {
  out.clear();
  for (int i = 0; i < n; ++i) {
    FaceLandmark p;
    SIJIL_RETURN_IF_ERROR(r.U8(p.type, "landmark type"));
    SIJIL_RETURN_IF_ERROR(r.U8(p.code, "landmark code"));
    SIJIL_RETURN_IF_ERROR(r.U16(p.x, "landmark x"));
    SIJIL_RETURN_IF_ERROR(r.U16(p.y, "landmark y"));
    SIJIL_RETURN_IF_ERROR(r.U16(p.z, "landmark z"));
    out.push_back(p);
  }
  return Status::Ok();
}

void WriteLandmarks(ByteWriter& w, const std::vector<FaceLandmark>& points) {
  for (const FaceLandmark& p : points) {
    w.U8(p.type);
    w.U8(p.code);
    w.U16(p.x);
    w.U16(p.y);
    w.U16(p.z);
  }
}

Result<FaceImageRecord> Parse2005(ByteReader& r, size_t total) {
  FaceImageRecord rec;
  rec.edition = RecordEdition::k2005;
  uint32_t length = 0;
  uint16_t count = 0;
  SIJIL_RETURN_IF_ERROR(r.U32(length, "record length"));
  if (length < kGeneralHeader2005 || length > total) {
    return r.Error("record length does not match the bytes given");
  }
  SIJIL_RETURN_IF_ERROR(r.U16(count, "number of facial images"));
  if (count == 0) return MissingBioInput("face image record holds no face images");
  ByteReader body(std::span<const uint8_t>{}, "face image record");
  SIJIL_RETURN_IF_ERROR(r.Sub(length - kGeneralHeader2005, body, "facial records"));
  for (int i = 0; i < count; ++i) {
    uint32_t block = 0;
    SIJIL_RETURN_IF_ERROR(body.U32(block, "facial record length"));
    if (block < kFacialInfo2005 + kImageInfo2005) {
      return body.Error("facial record shorter than its headers");
    }
    ByteReader fr(std::span<const uint8_t>{}, "facial record");
    SIJIL_RETURN_IF_ERROR(body.Sub(block - 4, fr, "facial record"));
    FaceImageRepresentation rep;
    uint16_t points = 0;
    uint8_t type = 0;
    SIJIL_RETURN_IF_ERROR(fr.U16(points, "number of feature points"));
    SIJIL_RETURN_IF_ERROR(fr.U8(rep.gender, "gender"));
    SIJIL_RETURN_IF_ERROR(fr.U8(rep.eye_colour, "eye colour"));
    SIJIL_RETURN_IF_ERROR(fr.U8(rep.hair_colour, "hair colour"));
    SIJIL_RETURN_IF_ERROR(fr.U24(rep.property_mask, "feature mask"));
    SIJIL_RETURN_IF_ERROR(fr.U16(rep.expression, "expression"));
    SIJIL_RETURN_IF_ERROR(fr.U8(rep.yaw, "pose yaw"));
    SIJIL_RETURN_IF_ERROR(fr.U8(rep.pitch, "pose pitch"));
    SIJIL_RETURN_IF_ERROR(fr.U8(rep.roll, "pose roll"));
    SIJIL_RETURN_IF_ERROR(fr.U8(rep.yaw_uncertainty, "pose yaw uncertainty"));
    SIJIL_RETURN_IF_ERROR(fr.U8(rep.pitch_uncertainty, "pose pitch uncertainty"));
    SIJIL_RETURN_IF_ERROR(fr.U8(rep.roll_uncertainty, "pose roll uncertainty"));
    SIJIL_RETURN_IF_ERROR(ReadLandmarks(fr, points, rep.landmarks));
    SIJIL_RETURN_IF_ERROR(fr.U8(rep.face_image_type, "face image type"));
    SIJIL_RETURN_IF_ERROR(fr.U8(type, "image data type"));
    if (type > 1) return fr.Error("unknown image data type " + std::to_string(type));
    rep.data_type = static_cast<FaceImageDataType>(type);
    SIJIL_RETURN_IF_ERROR(fr.U16(rep.width, "width"));
    SIJIL_RETURN_IF_ERROR(fr.U16(rep.height, "height"));
    SIJIL_RETURN_IF_ERROR(fr.U8(rep.colour_space, "image colour space"));
    SIJIL_RETURN_IF_ERROR(fr.U8(rep.source_type, "source type"));
    SIJIL_RETURN_IF_ERROR(fr.U16(rep.device_type, "device type"));
    SIJIL_RETURN_IF_ERROR(fr.U16(rep.quality, "quality"));
    SIJIL_RETURN_IF_ERROR(fr.Copy(fr.remaining(), rep.image_data, "image data"));
    rec.representations.push_back(std::move(rep));
  }
  if (body.remaining() != 0) return body.Error("bytes after the last facial record");
  return rec;
}

Result<FaceImageRecord> Parse2011(ByteReader& r, size_t total) {
  FaceImageRecord rec;
  rec.edition = RecordEdition::k2011;
  GeneralHeader2011 header;
  SIJIL_RETURN_IF_ERROR(ReadGeneralHeader2011(r, kGeneralHeader2011, total, header));
  rec.certification_flag = header.certification;
  SIJIL_RETURN_IF_ERROR(r.U16(rec.temporal_semantics, "temporal semantics"));
  auto read_representation = [&](ByteReader& rr) -> Status {
    FaceImageRepresentation rep;
    uint16_t points = 0;
    uint8_t type = 0;
    uint32_t image_length = 0;
    SIJIL_RETURN_IF_ERROR(ReadCaptureInfo(rr, rec.certification_flag, rep.capture));
    SIJIL_RETURN_IF_ERROR(rr.U16(points, "number of landmark points"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.gender, "gender"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.eye_colour, "eye colour"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.hair_colour, "hair colour"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.subject_height, "subject height"));
    SIJIL_RETURN_IF_ERROR(rr.U24(rep.property_mask, "property mask"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.expression, "expression"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.yaw, "pose yaw"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.yaw_uncertainty, "pose yaw uncertainty"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.pitch, "pose pitch"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.pitch_uncertainty, "pose pitch uncertainty"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.roll, "pose roll"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.roll_uncertainty, "pose roll uncertainty"));
    SIJIL_RETURN_IF_ERROR(ReadLandmarks(rr, points, rep.landmarks));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.face_image_type, "face image type"));
    if (rep.face_image_type >= 0x80) {
      return BioStatus(BioErrorCode::kInvalidInput, StatusKind::kUnimplemented,
                       "face image record: 3D representations are not supported");
    }
    SIJIL_RETURN_IF_ERROR(rr.U8(type, "image data type"));
    if (type > 3) return rr.Error("unknown image data type " + std::to_string(type));
    rep.data_type = static_cast<FaceImageDataType>(type);
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.width, "width"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.height, "height"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.spatial_sampling_rate, "spatial sampling rate level"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.post_acquisition_processing, "post-acquisition processing"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.cross_reference, "cross reference"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.colour_space, "image colour space"));
    SIJIL_RETURN_IF_ERROR(rr.U32(image_length, "image data length"));
    SIJIL_RETURN_IF_ERROR(rr.Copy(image_length, rep.image_data, "image data"));
    SIJIL_RETURN_IF_ERROR(rr.Copy(rr.remaining(), rep.extended_data, "extended data"));
    rec.representations.push_back(std::move(rep));
    return Status::Ok();
  };
  SIJIL_RETURN_IF_ERROR(ReadRepresentations(r, header, kGeneralHeader2011,
                                            "face image representation", read_representation));
  return rec;
}

}  // namespace

std::string_view FaceImageDataTypeName(FaceImageDataType t) {
  switch (t) {
    case FaceImageDataType::kJpeg:
      return "JPEG";
    case FaceImageDataType::kJpeg2000Lossy:
      return "JPEG 2000 (lossy)";
    case FaceImageDataType::kJpeg2000Lossless:
      return "JPEG 2000 (lossless)";
    case FaceImageDataType::kPng:
      return "PNG";
  }
  return "unknown";
}

Result<FaceImageRecord> ParseFaceImageRecord(std::span<const uint8_t> data) {
  if (data.empty()) return MissingBioInput("face image record is empty");
  ByteReader r(data, "face image record");
  std::span<const uint8_t> magic, ver;
  SIJIL_RETURN_IF_ERROR(r.Span(4, magic, "format identifier"));
  if (AsChars(magic) != "FAC\0"sv) return r.Error("not a face image record (no \"FAC\" magic)");
  SIJIL_RETURN_IF_ERROR(r.Span(4, ver, "version"));
  if (AsChars(ver) == "010\0"sv) return Parse2005(r, data.size());
  if (AsChars(ver) == "030\0"sv) return Parse2011(r, data.size());
  return r.Error("unsupported version (expected \"010\" or \"030\")");
}

Result<Bytes> WriteFaceImageRecord(const FaceImageRecord& rec) {
  if (rec.representations.empty()) {
    return MissingBioInput("face image record needs at least one representation");
  }
  if (rec.representations.size() > 0xFFFF) return InvalidBioInput("too many representations");
  ByteWriter w;
  w.Append("FAC\0"sv);
  size_t length_at;
  if (rec.edition == RecordEdition::k2005) {
    w.Append("010\0"sv);
    length_at = w.BeginLength32();
    w.U16(static_cast<uint16_t>(rec.representations.size()));
    for (const auto& rep : rec.representations) {
      if (rep.landmarks.size() > 0xFFFF) return InvalidBioInput("too many feature points");
      if (rep.data_type != FaceImageDataType::kJpeg &&
          rep.data_type != FaceImageDataType::kJpeg2000Lossy &&
          rep.data_type != FaceImageDataType::kJpeg2000Lossless) {
        return InvalidBioInput("the 2005 face record carries only JPEG or JPEG 2000 images");
      }
      const size_t at = w.BeginLength32();
      w.U16(static_cast<uint16_t>(rep.landmarks.size()));
      w.U8(rep.gender);
      w.U8(rep.eye_colour);
      w.U8(rep.hair_colour);
      w.U24(rep.property_mask);
      w.U16(rep.expression);
      w.U8(rep.yaw);
      w.U8(rep.pitch);
      w.U8(rep.roll);
      w.U8(rep.yaw_uncertainty);
      w.U8(rep.pitch_uncertainty);
      w.U8(rep.roll_uncertainty);
      WriteLandmarks(w, rep.landmarks);
      w.U8(rep.face_image_type);
      w.U8(rep.data_type == FaceImageDataType::kJpeg ? 0 : 1);
      w.U16(rep.width);
      w.U16(rep.height);
      w.U8(rep.colour_space);
      w.U8(rep.source_type);
      w.U16(rep.device_type);
      w.U16(rep.quality);
      w.Append(rep.image_data);
      SIJIL_RETURN_IF_ERROR(w.EndLength32(at, "face image representation"));
    }
  } else {
    w.Append("030\0"sv);
    SIJIL_ASSIGN_OR_RETURN(
        length_at, WriteGeneralHeader2011(w, rec.representations.size(), rec.certification_flag));
    w.U16(rec.temporal_semantics);
    for (const auto& rep : rec.representations) {
      if (rep.landmarks.size() > 0xFFFF) return InvalidBioInput("too many landmark points");
      if (rep.face_image_type >= 0x80) {
        return BioStatus(BioErrorCode::kInvalidInput, StatusKind::kUnimplemented,
                         "face image record: 3D representations are not supported");
      }
      const size_t at = w.BeginLength32();
      SIJIL_RETURN_IF_ERROR(WriteCaptureInfo(w, rec.certification_flag, rep.capture));
      w.U16(static_cast<uint16_t>(rep.landmarks.size()));
      w.U8(rep.gender);
      w.U8(rep.eye_colour);
      w.U8(rep.hair_colour);
      w.U8(rep.subject_height);
      w.U24(rep.property_mask);
      w.U16(rep.expression);
      w.U8(rep.yaw);
      w.U8(rep.yaw_uncertainty);
      w.U8(rep.pitch);
      w.U8(rep.pitch_uncertainty);
      w.U8(rep.roll);
      w.U8(rep.roll_uncertainty);
      WriteLandmarks(w, rep.landmarks);
      w.U8(rep.face_image_type);
      w.U8(static_cast<uint8_t>(rep.data_type));
      w.U16(rep.width);
      w.U16(rep.height);
      w.U8(rep.spatial_sampling_rate);
      w.U16(rep.post_acquisition_processing);
      w.U8(rep.cross_reference);
      w.U8(rep.colour_space);
      SIJIL_RETURN_IF_ERROR(WriteImageData2011(w, rep.image_data, rep.extended_data));
      SIJIL_RETURN_IF_ERROR(w.EndLength32(at, "face image representation"));
    }
  }
  SIJIL_RETURN_IF_ERROR(w.EndLength32(length_at, 0, "face image record"));
  return w.Take();
}

Result<Image> DecodeFaceImage(const FaceImageRepresentation& rep, const ImageLimits& limits) {
  if (rep.image_data.empty()) return MissingBioInput("face representation has no image data");
  SIJIL_ASSIGN_OR_RETURN(Image img, DecodeImage(rep.image_data, limits));
  if ((rep.width != 0 && img.width != rep.width) || (rep.height != 0 && img.height != rep.height)) {
    return InvalidBioInput("face image is " + std::to_string(img.width) + "x" +
                           std::to_string(img.height) + " but the record says " +
                           std::to_string(rep.width) + "x" + std::to_string(rep.height));
  }
  return img;
}

}  // namespace sijil::biometrics
