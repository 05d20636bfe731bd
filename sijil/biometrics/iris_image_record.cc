#include "sijil/biometrics/iris_image_record.h"

#include <algorithm>
#include <string>
#include <utility>

#include "sijil/biometrics/bio_status.h"

namespace sijil::biometrics {
namespace {

using namespace std::string_view_literals;

constexpr size_t kGeneralHeader2005 = 45;
constexpr size_t kGeneralHeader2011 = 16;

Result<IrisImageRecord> Parse2005(ByteReader& r, size_t total) {
  IrisImageRecord rec;
  rec.edition = RecordEdition::k2005;
  uint32_t length = 0;
  uint8_t subtypes = 0, depth = 0;
  uint16_t header_length = 0, format = 0, width = 0, height = 0;
  SIJIL_RETURN_IF_ERROR(r.U32(length, "record length"));
  if (length < kGeneralHeader2005 || length > total) {
    return r.Error("record length does not match the bytes given");
  }
  SIJIL_RETURN_IF_ERROR(r.U16(rec.capture_device_id, "capture device id"));
  SIJIL_RETURN_IF_ERROR(r.U8(subtypes, "number of eyes"));
  SIJIL_RETURN_IF_ERROR(r.U16(header_length, "record header length"));
  SIJIL_RETURN_IF_ERROR(r.U16(rec.image_property_bits, "image properties"));
  SIJIL_RETURN_IF_ERROR(r.U16(rec.iris_diameter, "iris diameter"));
  SIJIL_RETURN_IF_ERROR(r.U16(format, "image format"));
  SIJIL_RETURN_IF_ERROR(r.U16(width, "image width"));
  SIJIL_RETURN_IF_ERROR(r.U16(height, "image height"));
  SIJIL_RETURN_IF_ERROR(r.U8(depth, "intensity depth"));
  SIJIL_RETURN_IF_ERROR(r.U8(rec.image_transformation, "image transformation"));
  std::span<const uint8_t> uid;
  SIJIL_RETURN_IF_ERROR(r.Span(16, uid, "device unique id"));
  std::copy(uid.begin(), uid.end(), rec.device_unique_id.begin());
  if (header_length < kGeneralHeader2005 || header_length > length) {
    return r.Error("record header length out of range");
  }
  SIJIL_RETURN_IF_ERROR(r.Copy(header_length - kGeneralHeader2005, rec.extra_header, "header"));
  ByteReader body(std::span<const uint8_t>{}, "iris image record");
  SIJIL_RETURN_IF_ERROR(r.Sub(length - header_length, body, "eye blocks"));
  if (subtypes == 0) return MissingBioInput("iris image record holds no eyes");
  for (int s = 0; s < subtypes; ++s) {
    uint8_t eye = 0;
    uint16_t images = 0;
    SIJIL_RETURN_IF_ERROR(body.U8(eye, "eye position"));
    SIJIL_RETURN_IF_ERROR(body.U16(images, "number of images"));
    if (eye > 2) return body.Error("unknown eye position " + std::to_string(eye));
    for (int i = 0; i < images; ++i) {
      IrisImageRepresentation rep;
      uint32_t image_length = 0;
      rep.eye = static_cast<EyeLabel>(eye);
      rep.image_format = format;
      rep.width = width;
      rep.height = height;
      rep.bit_depth = depth;
      SIJIL_RETURN_IF_ERROR(body.U16(rep.image_number, "image number"));
      SIJIL_RETURN_IF_ERROR(body.U8(rep.quality, "image quality"));
      SIJIL_RETURN_IF_ERROR(body.U16(rep.rotation_angle, "rotation angle"));
      SIJIL_RETURN_IF_ERROR(body.U16(rep.rotation_uncertainty, "rotation uncertainty"));
      SIJIL_RETURN_IF_ERROR(body.U32(image_length, "image length"));
      SIJIL_RETURN_IF_ERROR(body.Copy(image_length, rep.image_data, "image data"));
      rec.representations.push_back(std::move(rep));
    }
  }
  if (body.remaining() != 0) return body.Error("bytes after the last iris image");
  if (rec.representations.empty()) return MissingBioInput("iris image record holds no images");
  return rec;
}

Result<IrisImageRecord> Parse2011(ByteReader& r, size_t total) {
  IrisImageRecord rec;
  rec.edition = RecordEdition::k2011;
  GeneralHeader2011 header;
  SIJIL_RETURN_IF_ERROR(ReadGeneralHeader2011(r, kGeneralHeader2011, total, header));
  rec.certification_flag = header.certification;
  SIJIL_RETURN_IF_ERROR(r.U8(rec.eye_count, "number of eyes"));
  auto read_representation = [&](ByteReader& rr) -> Status {
    IrisImageRepresentation rep;
    uint8_t eye = 0, format = 0;
    uint32_t image_length = 0;
    SIJIL_RETURN_IF_ERROR(ReadCaptureInfo(rr, rec.certification_flag, rep.capture));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.representation_number, "representation number"));
    SIJIL_RETURN_IF_ERROR(rr.U8(eye, "eye label"));
    if (eye > 2) return rr.Error("unknown eye label " + std::to_string(eye));
    rep.eye = static_cast<EyeLabel>(eye);
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.image_type, "image type"));
    SIJIL_RETURN_IF_ERROR(rr.U8(format, "image format"));
    rep.image_format = format;
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.image_properties, "image properties"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.width, "image width"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.height, "image height"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.bit_depth, "bit depth"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.range, "range"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.roll_angle, "roll angle"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.roll_uncertainty, "roll angle uncertainty"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.iris_center_smallest_x, "iris centre"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.iris_center_largest_x, "iris centre"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.iris_center_smallest_y, "iris centre"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.iris_center_largest_y, "iris centre"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.iris_diameter_smallest, "iris diameter"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.iris_diameter_largest, "iris diameter"));
    SIJIL_RETURN_IF_ERROR(rr.U32(image_length, "image length"));
    SIJIL_RETURN_IF_ERROR(rr.Copy(image_length, rep.image_data, "image data"));
    SIJIL_RETURN_IF_ERROR(rr.Copy(rr.remaining(), rep.extended_data, "extended data"));
    rec.representations.push_back(std::move(rep));
    return Status::Ok();
  };
  SIJIL_RETURN_IF_ERROR(ReadRepresentations(r, header, kGeneralHeader2011,
                                            "iris image representation", read_representation));
  return rec;
}

}  // namespace

std::string_view EyeLabelName(EyeLabel eye) {
  switch (eye) {
    case EyeLabel::kUnspecified:
      return "unspecified";
    case EyeLabel::kRight:
      return "right";
    case EyeLabel::kLeft:
      return "left";
  }
  return "unspecified";
}

Result<IrisImageRecord> ParseIrisImageRecord(std::span<const uint8_t> data) {
  if (data.empty()) return MissingBioInput("iris image record is empty");
  ByteReader r(data, "iris image record");
  std::span<const uint8_t> magic, ver;
  SIJIL_RETURN_IF_ERROR(r.Span(4, magic, "format identifier"));
  if (AsChars(magic) != "IIR\0"sv) return r.Error("not an iris image record (no \"IIR\" magic)");
  SIJIL_RETURN_IF_ERROR(r.Span(4, ver, "version"));
  if (AsChars(ver) == "010\0"sv) return Parse2005(r, data.size());
  if (AsChars(ver) == "020\0"sv) return Parse2011(r, data.size());
  return r.Error("unsupported version (expected \"010\" or \"020\")");
}

Result<Bytes> WriteIrisImageRecord(const IrisImageRecord& rec) {
  if (rec.representations.empty()) {
    return MissingBioInput("iris image record needs at least one image");
  }
  ByteWriter w;
  w.Append("IIR\0"sv);
  size_t length_at = 0;
  if (rec.edition == RecordEdition::k2005) {
    const IrisImageRepresentation& first = rec.representations.front();
    for (const auto& rep : rec.representations) {
      if (rep.image_format != first.image_format || rep.width != first.width ||
          rep.height != first.height || rep.bit_depth != first.bit_depth) {
        return InvalidBioInput(
            "a 2005 iris record needs the same image format, size and depth for every image");
      }
    }
    w.Append("010\0"sv);
    length_at = w.BeginLength32();
    w.U16(rec.capture_device_id);
    // Group images by eye, in the order eyes first appear.
    std::vector<EyeLabel> eyes;
    for (const auto& rep : rec.representations) {
      if (std::find(eyes.begin(), eyes.end(), rep.eye) == eyes.end()) eyes.push_back(rep.eye);
    }
    w.U8(static_cast<uint8_t>(eyes.size()));
    size_t header_length = kGeneralHeader2005 + rec.extra_header.size();
    if (header_length > 0xFFFF) return InvalidBioInput("iris record header too long");
    w.U16(static_cast<uint16_t>(header_length));
    w.U16(rec.image_property_bits);
    w.U16(rec.iris_diameter);
    w.U16(first.image_format);
    w.U16(first.width);
    w.U16(first.height);
    w.U8(first.bit_depth);
    w.U8(rec.image_transformation);
    w.Append(rec.device_unique_id);
    w.Append(rec.extra_header);
    for (EyeLabel eye : eyes) {
      size_t n = 0;
      for (const auto& rep : rec.representations) n += rep.eye == eye;
      if (n > 0xFFFF) return InvalidBioInput("too many images of one eye");
      w.U8(static_cast<uint8_t>(eye));
      w.U16(static_cast<uint16_t>(n));
      for (const auto& rep : rec.representations) {
        if (rep.eye != eye) continue;
        if (rep.image_data.size() > 0xFFFFFFFFull) return InvalidBioInput("iris image too large");
        w.U16(rep.image_number);
        w.U8(rep.quality);
        w.U16(rep.rotation_angle);
        w.U16(rep.rotation_uncertainty);
        w.U32(static_cast<uint32_t>(rep.image_data.size()));
        w.Append(rep.image_data);
      }
    }
  } else {
    w.Append("020\0"sv);
    SIJIL_ASSIGN_OR_RETURN(
        length_at, WriteGeneralHeader2011(w, rec.representations.size(), rec.certification_flag));
    uint8_t eyes = rec.eye_count;
    if (eyes == 0) {
      bool seen[3] = {};
      for (const auto& rep : rec.representations) {
        size_t e = static_cast<size_t>(rep.eye) % 3;
        if (!seen[e]) ++eyes;
        seen[e] = true;
      }
    }
    w.U8(eyes);
    for (const auto& rep : rec.representations) {
      if (rep.image_format > 0xFF) {
        return InvalidBioInput("a 2011 iris record codes the image format in one byte");
      }
      const size_t at = w.BeginLength32();
      SIJIL_RETURN_IF_ERROR(WriteCaptureInfo(w, rec.certification_flag, rep.capture));
      w.U16(rep.representation_number);
      w.U8(static_cast<uint8_t>(rep.eye));
      w.U8(rep.image_type);
      w.U8(static_cast<uint8_t>(rep.image_format));
      w.U8(rep.image_properties);
      w.U16(rep.width);
      w.U16(rep.height);
      w.U8(rep.bit_depth);
      w.U16(rep.range);
      w.U16(rep.roll_angle);
      w.U16(rep.roll_uncertainty);
      w.U16(rep.iris_center_smallest_x);
      w.U16(rep.iris_center_largest_x);
      w.U16(rep.iris_center_smallest_y);
      w.U16(rep.iris_center_largest_y);
      w.U16(rep.iris_diameter_smallest);
      w.U16(rep.iris_diameter_largest);
      SIJIL_RETURN_IF_ERROR(WriteImageData2011(w, rep.image_data, rep.extended_data));
      SIJIL_RETURN_IF_ERROR(w.EndLength32(at, "iris image representation"));
    }
  }
  SIJIL_RETURN_IF_ERROR(w.EndLength32(length_at, 0, "iris image record"));
  return w.Take();
}

Result<Image> DecodeIrisImage(const IrisImageRepresentation& rep, const ImageLimits& limits) {
  if (rep.image_data.empty()) return MissingBioInput("iris representation has no image data");
  Result<Image> img = SniffImageCodec(rep.image_data) == ImageCodec::kUnknown
                          ? DecodeRawImage(rep.image_data, rep.width, rep.height,
                                           rep.bit_depth == 0 ? 8 : rep.bit_depth, false, limits)
                          : DecodeImage(rep.image_data, limits);
  if (!img.ok()) return img;
  if ((rep.width != 0 && img->width != rep.width) ||
      (rep.height != 0 && img->height != rep.height)) {
    return InvalidBioInput("iris image is " + std::to_string(img->width) + "x" +
                           std::to_string(img->height) + " but the record says " +
                           std::to_string(rep.width) + "x" + std::to_string(rep.height));
  }
  return img;
}

Result<Image> DecodeIrisEyeImage(const IrisImageRepresentation& rep, const ImageLimits& limits) {
  if (rep.image_type == kIrisImageUnsegmentedPolar) {
    return InvalidBioInput(
        "iris image kind 16 (unsegmented polar) is not an eye image; only rectilinear kinds "
        "(1 uncropped, 2 VGA, 3 cropped, 7 cropped and masked) can be segmented");
  }
  return DecodeIrisImage(rep, limits);
}

}  // namespace sijil::biometrics
