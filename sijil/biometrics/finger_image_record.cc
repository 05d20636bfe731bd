#include "sijil/biometrics/finger_image_record.h"

#include <string>
#include <utility>

#include "sijil/biometrics/bio_status.h"

namespace sijil::biometrics {
namespace {

using namespace std::string_view_literals;

constexpr size_t kGeneralHeader2005 = 32;
constexpr size_t kViewHeader2005 = 14;
constexpr size_t kGeneralHeader2011 = 16;

Result<FingerImageCompression> CompressionFrom2005(uint8_t code, const ByteReader& r) {
  switch (code) {
    case 0:
      return FingerImageCompression::kUncompressed;
    case 1:
      return FingerImageCompression::kUncompressedBitPacked;
    case 2:
      return FingerImageCompression::kWsq;
    case 3:
      return FingerImageCompression::kJpeg;
    case 4:
      return FingerImageCompression::kJpeg2000Lossy;
    case 5:
      return FingerImageCompression::kPng;
    default:
      return r.Error("unknown image compression algorithm " + std::to_string(code));
  }
}

uint8_t CompressionTo2005(FingerImageCompression c) {
  switch (c) {
    case FingerImageCompression::kJpeg2000Lossy:
    case FingerImageCompression::kJpeg2000Lossless:
      return 4;
    case FingerImageCompression::kPng:
      return 5;
    default:
      return static_cast<uint8_t>(c);
  }
}

Status CheckMagic(ByteReader& r, std::string_view& version) {
  std::span<const uint8_t> magic, ver;
  SIJIL_RETURN_IF_ERROR(r.Span(4, magic, "format identifier"));
  if (AsChars(magic) != "FIR\0"sv) return r.Error("not a finger image record (no \"FIR\" magic)");
  SIJIL_RETURN_IF_ERROR(r.Span(4, ver, "version"));
  version = AsChars(ver);
  return Status::Ok();
}

Result<FingerImageRecord> Parse2005(ByteReader& r, size_t total) {
  FingerImageRecord rec;
  rec.edition = RecordEdition::k2005;
  uint64_t length = 0;
  SIJIL_RETURN_IF_ERROR(r.U48(length, "record length"));
  if (length < kGeneralHeader2005 || length > total) {
    return r.Error("record length " + std::to_string(length) + " does not match the " +
                   std::to_string(total) + " bytes given");
  }
  uint8_t count = 0, scale = 0, depth = 0, comp = 0;
  uint16_t sx = 0, sy = 0, ix = 0, iy = 0, reserved = 0;
  SIJIL_RETURN_IF_ERROR(r.U16(rec.capture_device_id, "capture device id"));
  SIJIL_RETURN_IF_ERROR(r.U16(rec.acquisition_level, "image acquisition level"));
  SIJIL_RETURN_IF_ERROR(r.U8(count, "number of fingers"));
  SIJIL_RETURN_IF_ERROR(r.U8(scale, "scale units"));
  SIJIL_RETURN_IF_ERROR(r.U16(sx, "scan resolution"));
  SIJIL_RETURN_IF_ERROR(r.U16(sy, "scan resolution"));
  SIJIL_RETURN_IF_ERROR(r.U16(ix, "image resolution"));
  SIJIL_RETURN_IF_ERROR(r.U16(iy, "image resolution"));
  SIJIL_RETURN_IF_ERROR(r.U8(depth, "pixel depth"));
  SIJIL_RETURN_IF_ERROR(r.U8(comp, "compression algorithm"));
  SIJIL_RETURN_IF_ERROR(r.U16(reserved, "reserved"));
  SIJIL_ASSIGN_OR_RETURN(FingerImageCompression compression, CompressionFrom2005(comp, r));
  if (count == 0) return MissingBioInput("finger image record holds no finger views");
  ByteReader body(std::span<const uint8_t>{}, "finger image record");
  SIJIL_RETURN_IF_ERROR(r.Sub(length - kGeneralHeader2005, body, "finger views"));
  for (int i = 0; i < count; ++i) {
    FingerImageRepresentation rep;
    uint32_t block = 0;
    uint8_t reserved8 = 0;
    SIJIL_RETURN_IF_ERROR(body.U32(block, "finger data block length"));
    if (block < kViewHeader2005) return body.Error("finger data block shorter than its header");
    SIJIL_RETURN_IF_ERROR(body.U8(rep.position, "finger position"));
    SIJIL_RETURN_IF_ERROR(body.U8(rep.view_count, "count of views"));
    SIJIL_RETURN_IF_ERROR(body.U8(rep.view_number, "view number"));
    SIJIL_RETURN_IF_ERROR(body.U8(rep.quality, "finger image quality"));
    SIJIL_RETURN_IF_ERROR(body.U8(rep.impression_type, "impression type"));
    SIJIL_RETURN_IF_ERROR(body.U16(rep.width, "horizontal line length"));
    SIJIL_RETURN_IF_ERROR(body.U16(rep.height, "vertical line length"));
    SIJIL_RETURN_IF_ERROR(body.U8(reserved8, "reserved"));
    SIJIL_RETURN_IF_ERROR(body.Copy(block - kViewHeader2005, rep.image_data, "image data"));
    rep.scale_units = scale;
    rep.scan_resolution_x = sx;
    rep.scan_resolution_y = sy;
    rep.image_resolution_x = ix;
    rep.image_resolution_y = iy;
    rep.bit_depth = depth;
    rep.compression = compression;
    rec.representations.push_back(std::move(rep));
  }
  if (body.remaining() != 0) {
    return body.Error(std::to_string(body.remaining()) + " bytes after the last finger view");
  }
  return rec;
}

Result<FingerImageRecord> Parse2011(ByteReader& r, size_t total) {
  FingerImageRecord rec;
  rec.edition = RecordEdition::k2011;
  GeneralHeader2011 header;
  SIJIL_RETURN_IF_ERROR(ReadGeneralHeader2011(r, kGeneralHeader2011, total, header));
  rec.certification_flag = header.certification;
  SIJIL_RETURN_IF_ERROR(r.U8(rec.distinct_positions, "number of finger positions"));
  auto read_representation = [&](ByteReader& rr) -> Status {
    FingerImageRepresentation rep;
    uint8_t comp = 0;
    uint32_t image_length = 0;
    SIJIL_RETURN_IF_ERROR(ReadCaptureInfo(rr, rec.certification_flag, rep.capture));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.position, "finger position"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.view_number, "representation number"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.scale_units, "scale units"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.scan_resolution_x, "capture resolution"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.scan_resolution_y, "capture resolution"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.image_resolution_x, "image resolution"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.image_resolution_y, "image resolution"));
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.bit_depth, "bit depth"));
    SIJIL_RETURN_IF_ERROR(rr.U8(comp, "compression algorithm"));
    if (comp > 6) return rr.Error("unknown image compression algorithm " + std::to_string(comp));
    rep.compression = static_cast<FingerImageCompression>(comp);
    SIJIL_RETURN_IF_ERROR(rr.U8(rep.impression_type, "impression type"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.width, "horizontal line length"));
    SIJIL_RETURN_IF_ERROR(rr.U16(rep.height, "vertical line length"));
    SIJIL_RETURN_IF_ERROR(rr.U32(image_length, "image data length"));
    SIJIL_RETURN_IF_ERROR(rr.Copy(image_length, rep.image_data, "image data"));
    SIJIL_RETURN_IF_ERROR(rr.Copy(rr.remaining(), rep.extended_data, "extended data"));
    rec.representations.push_back(std::move(rep));
    return Status::Ok();
  };
  SIJIL_RETURN_IF_ERROR(ReadRepresentations(r, header, kGeneralHeader2011,
                                            "finger image representation", read_representation));
  return rec;
}

}  // namespace

std::string_view FingerImageCompressionName(FingerImageCompression c) {
  switch (c) {
    case FingerImageCompression::kUncompressed:
      return "uncompressed";
    case FingerImageCompression::kUncompressedBitPacked:
      return "uncompressed (bit-packed)";
    case FingerImageCompression::kWsq:
      return "WSQ";
    case FingerImageCompression::kJpeg:
      return "JPEG";
    case FingerImageCompression::kJpeg2000Lossy:
      return "JPEG 2000 (lossy)";
    case FingerImageCompression::kJpeg2000Lossless:
      return "JPEG 2000 (lossless)";
    case FingerImageCompression::kPng:
      return "PNG";
  }
  return "unknown";
}

Result<FingerImageRecord> ParseFingerImageRecord(std::span<const uint8_t> data) {
  if (data.empty()) return MissingBioInput("finger image record is empty");
  ByteReader r(data, "finger image record");
  std::string_view version;
  SIJIL_RETURN_IF_ERROR(CheckMagic(r, version));
  if (version == "010\0"sv) return Parse2005(r, data.size());
  if (version == "020\0"sv) return Parse2011(r, data.size());
  return r.Error("unsupported version (expected \"010\" or \"020\")");
}

Result<Bytes> WriteFingerImageRecord(const FingerImageRecord& rec) {
  if (rec.representations.empty()) {
    return MissingBioInput("finger image record needs at least one representation");
  }
  ByteWriter w;
  w.Append("FIR\0"sv);
  if (rec.edition == RecordEdition::k2005) {
    if (rec.representations.size() > 255) {
      return InvalidBioInput("a 2005 finger image record holds at most 255 views");
    }
    const FingerImageRepresentation& first = rec.representations.front();
    for (const auto& rep : rec.representations) {
      if (rep.scale_units != first.scale_units ||
          rep.scan_resolution_x != first.scan_resolution_x ||
          rep.scan_resolution_y != first.scan_resolution_y ||
          rep.image_resolution_x != first.image_resolution_x ||
          rep.image_resolution_y != first.image_resolution_y || rep.bit_depth != first.bit_depth ||
          CompressionTo2005(rep.compression) != CompressionTo2005(first.compression)) {
        return InvalidBioInput(
            "a 2005 finger image record needs the same resolution, depth and compression in "
            "every view");
      }
    }
    w.Append("010\0"sv);
    size_t length_at = w.size();
    w.U48(0);
    w.U16(rec.capture_device_id);
    w.U16(rec.acquisition_level);
    w.U8(static_cast<uint8_t>(rec.representations.size()));
    w.U8(first.scale_units);
    w.U16(first.scan_resolution_x);
    w.U16(first.scan_resolution_y);
    w.U16(first.image_resolution_x);
    w.U16(first.image_resolution_y);
    w.U8(first.bit_depth);
    w.U8(CompressionTo2005(first.compression));
    w.U16(0);
    for (const auto& rep : rec.representations) {
      uint64_t block = kViewHeader2005 + rep.image_data.size();
      if (block > 0xFFFFFFFFull) return InvalidBioInput("finger image too large");
      w.U32(static_cast<uint32_t>(block));
      w.U8(rep.position);
      w.U8(rep.view_count);
      w.U8(rep.view_number);
      w.U8(rep.quality);
      w.U8(rep.impression_type);
      w.U16(rep.width);
      w.U16(rep.height);
      w.U8(0);
      w.Append(rep.image_data);
    }
    w.PatchU48(length_at, w.size());
    return w.Take();
  }

  w.Append("020\0"sv);
  SIJIL_ASSIGN_OR_RETURN(size_t length_at, WriteGeneralHeader2011(w, rec.representations.size(),
                                                                  rec.certification_flag));
  uint8_t positions = rec.distinct_positions;
  if (positions == 0) {
    bool seen[256] = {};
    for (const auto& rep : rec.representations) {
      if (!seen[rep.position]) ++positions;
      seen[rep.position] = true;
    }
  }
  w.U8(positions);
  for (const auto& rep : rec.representations) {
    const size_t rep_at = w.BeginLength32();
    SIJIL_RETURN_IF_ERROR(WriteCaptureInfo(w, rec.certification_flag, rep.capture));
    w.U8(rep.position);
    w.U8(rep.view_number);
    w.U8(rep.scale_units);
    w.U16(rep.scan_resolution_x);
    w.U16(rep.scan_resolution_y);
    w.U16(rep.image_resolution_x);
    w.U16(rep.image_resolution_y);
    w.U8(rep.bit_depth);
    w.U8(static_cast<uint8_t>(rep.compression));
    w.U8(rep.impression_type);
    w.U16(rep.width);
    w.U16(rep.height);
    SIJIL_RETURN_IF_ERROR(WriteImageData2011(w, rep.image_data, rep.extended_data));
    SIJIL_RETURN_IF_ERROR(w.EndLength32(rep_at, "finger image representation"));
  }
  SIJIL_RETURN_IF_ERROR(w.EndLength32(length_at, 0, "finger image record"));
  return w.Take();
}

Result<Image> DecodeFingerImage(const FingerImageRepresentation& rep, const ImageLimits& limits) {
  if (rep.image_data.empty()) return MissingBioInput("finger representation has no image data");
  Result<Image> img = [&]() -> Result<Image> {
    switch (rep.compression) {
      case FingerImageCompression::kUncompressed:
        return DecodeRawImage(rep.image_data, rep.width, rep.height, rep.bit_depth, false, limits);
      case FingerImageCompression::kUncompressedBitPacked:
        return DecodeRawImage(rep.image_data, rep.width, rep.height, rep.bit_depth, true, limits);
      default:
        return DecodeImage(rep.image_data, limits);
    }
  }();
  if (!img.ok()) return img;
  if ((rep.width != 0 && img->width != rep.width) ||
      (rep.height != 0 && img->height != rep.height)) {
    return InvalidBioInput("finger image is " + std::to_string(img->width) + "x" +
                           std::to_string(img->height) + " but the record says " +
                           std::to_string(rep.width) + "x" + std::to_string(rep.height));
  }
  if (img->ppi == 0 && rep.image_resolution_x != 0) {
    img->ppi = rep.scale_units == 2
                   ? static_cast<uint16_t>((rep.image_resolution_x * 254 + 50) / 100)
                   : rep.image_resolution_x;
  }
  return img;
}

}  // namespace sijil::biometrics
