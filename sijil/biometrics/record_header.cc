#include "sijil/biometrics/record_header.h"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <string>

#include "sijil/biometrics/bio_status.h"

namespace sijil::biometrics {

std::string_view RecordEditionName(RecordEdition edition) {
  return edition == RecordEdition::k2005 ? "2005" : "2011";
}

Status ByteReader::Error(std::string_view message) const {
  return InvalidBioInput(what_ + ": " + std::string(message));
}

Status ByteReader::Need(size_t n, std::string_view field) const {
  if (n > remaining()) {
    return Error("truncated in " + std::string(field) + " (needs " + std::to_string(n) +
                 " bytes at offset " + std::to_string(pos_) + ", " + std::to_string(remaining()) +
                 " left)");
  }
  return Status::Ok();
}

Status ByteReader::U8(uint8_t& out, std::string_view field) {
  SIJIL_RETURN_IF_ERROR(Need(1, field));
  out = data_[pos_++];
  return Status::Ok();
}

Status ByteReader::U16(uint16_t& out, std::string_view field) {
  SIJIL_RETURN_IF_ERROR(Need(2, field));
  out = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
  pos_ += 2;
  return Status::Ok();
}

Status ByteReader::U24(uint32_t& out, std::string_view field) {
  SIJIL_RETURN_IF_ERROR(Need(3, field));
  out = (uint32_t{data_[pos_]} << 16) | (uint32_t{data_[pos_ + 1]} << 8) | data_[pos_ + 2];
  pos_ += 3;
  return Status::Ok();
}

Status ByteReader::U32(uint32_t& out, std::string_view field) {
  SIJIL_RETURN_IF_ERROR(Need(4, field));
  out = (uint32_t{data_[pos_]} << 24) | (uint32_t{data_[pos_ + 1]} << 16) |
        (uint32_t{data_[pos_ + 2]} << 8) | data_[pos_ + 3];
  pos_ += 4;
  return Status::Ok();
}

Status ByteReader::U48(uint64_t& out, std::string_view field) {
  SIJIL_RETURN_IF_ERROR(Need(6, field));
  out = 0;
  for (int i = 0; i < 6; ++i) out = (out << 8) | data_[pos_ + i];
  pos_ += 6;
  return Status::Ok();
}

Status ByteReader::Span(size_t n, std::span<const uint8_t>& out, std::string_view field) {
  SIJIL_RETURN_IF_ERROR(Need(n, field));
  out = data_.subspan(pos_, n);
  pos_ += n;
  return Status::Ok();
}

Status ByteReader::Copy(size_t n, Bytes& out, std::string_view field) {
  std::span<const uint8_t> s;
  SIJIL_RETURN_IF_ERROR(Span(n, s, field));
  out.assign(s.begin(), s.end());
  return Status::Ok();
}

Status ByteReader::Skip(size_t n, std::string_view field) {
  SIJIL_RETURN_IF_ERROR(Need(n, field));
  pos_ += n;
  return Status::Ok();
}

Status ByteReader::Sub(size_t n, ByteReader& out, std::string_view field) {
  std::span<const uint8_t> s;
  SIJIL_RETURN_IF_ERROR(Span(n, s, field));
  out = ByteReader(s, what_);
  return Status::Ok();
}

void ByteWriter::U16(uint16_t v) {
  out_.push_back(static_cast<uint8_t>(v >> 8));
  out_.push_back(static_cast<uint8_t>(v));
}

void ByteWriter::U24(uint32_t v) {
  out_.push_back(static_cast<uint8_t>(v >> 16));
  out_.push_back(static_cast<uint8_t>(v >> 8));
  out_.push_back(static_cast<uint8_t>(v));
}

void ByteWriter::U32(uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
}

void ByteWriter::U48(uint64_t v) {
  for (int shift = 40; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
}

void ByteWriter::Append(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }

void ByteWriter::PatchU32(size_t pos, uint32_t v) {
  for (int i = 0; i < 4; ++i) out_[pos + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

void ByteWriter::PatchU48(size_t pos, uint64_t v) {
  for (int i = 0; i < 6; ++i) out_[pos + i] = static_cast<uint8_t>(v >> (40 - 8 * i));
}

size_t ByteWriter::BeginLength32() {
  size_t at = out_.size();
  U32(0);
  return at;
}

Status ByteWriter::EndLength32(size_t field_at, std::string_view what) {
  return EndLength32(field_at, field_at, what);
}

Status ByteWriter::EndLength32(size_t field_at, size_t counted_from, std::string_view what) {
  const size_t length = out_.size() - counted_from;
  if (length > 0xFFFFFFFFull) return InvalidBioInput(std::string(what) + " too large");
  PatchU32(field_at, static_cast<uint32_t>(length));
  return Status::Ok();
}

Status WriteImageData2011(ByteWriter& w, std::span<const uint8_t> image,
                          std::span<const uint8_t> extended_data) {
  if (image.size() > 0xFFFFFFFFull) return InvalidBioInput("image too large for its record");
  w.U32(static_cast<uint32_t>(image.size()));
  w.Append(image);
  w.Append(extended_data);
  return Status::Ok();
}

std::string CaptureDateTime::ToIso8601() const {
  if (!specified()) return "";
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04u-%02u-%02uT%02u:%02u:%02u", year, month, day, hour, minute,
                second);
  std::string s = buf;
  if (millisecond != 0xFFFF) {
    std::snprintf(buf, sizeof(buf), ".%03u", static_cast<unsigned>(millisecond % 1000));
    s += buf;
  }
  return s + "Z";
}

Status ReadCaptureDateTime(ByteReader& r, CaptureDateTime& out) {
  SIJIL_RETURN_IF_ERROR(r.U16(out.year, "capture year"));
  SIJIL_RETURN_IF_ERROR(r.U8(out.month, "capture month"));
  SIJIL_RETURN_IF_ERROR(r.U8(out.day, "capture day"));
  SIJIL_RETURN_IF_ERROR(r.U8(out.hour, "capture hour"));
  SIJIL_RETURN_IF_ERROR(r.U8(out.minute, "capture minute"));
  SIJIL_RETURN_IF_ERROR(r.U8(out.second, "capture second"));
  return r.U16(out.millisecond, "capture millisecond");
}

void WriteCaptureDateTime(ByteWriter& w, const CaptureDateTime& t) {
  w.U16(t.year);
  w.U8(t.month);
  w.U8(t.day);
  w.U8(t.hour);
  w.U8(t.minute);
  w.U8(t.second);
  w.U16(t.millisecond);
}

Status ReadCaptureInfo(ByteReader& r, bool has_certification, RepresentationCaptureInfo& out) {
  SIJIL_RETURN_IF_ERROR(ReadCaptureDateTime(r, out.capture_time));
  SIJIL_RETURN_IF_ERROR(r.U8(out.device_technology, "capture device technology"));
  SIJIL_RETURN_IF_ERROR(r.U16(out.device_vendor_id, "capture device vendor"));
  SIJIL_RETURN_IF_ERROR(r.U16(out.device_type_id, "capture device type"));
  uint8_t n = 0;
  SIJIL_RETURN_IF_ERROR(r.U8(n, "quality block count"));
  out.quality_blocks.clear();
  for (int i = 0; i < n; ++i) {
    QualityBlock q;
    SIJIL_RETURN_IF_ERROR(r.U8(q.score, "quality score"));
    SIJIL_RETURN_IF_ERROR(r.U16(q.vendor, "quality algorithm vendor"));
    SIJIL_RETURN_IF_ERROR(r.U16(q.algorithm, "quality algorithm"));
    out.quality_blocks.push_back(q);
  }
  out.certification_blocks.clear();
  if (has_certification) {
    SIJIL_RETURN_IF_ERROR(r.U8(n, "certification block count"));
    for (int i = 0; i < n; ++i) {
      CertificationBlock c;
      SIJIL_RETURN_IF_ERROR(r.U16(c.authority, "certification authority"));
      SIJIL_RETURN_IF_ERROR(r.U8(c.scheme, "certification scheme"));
      out.certification_blocks.push_back(c);
    }
  }
  return Status::Ok();
}

Status WriteCaptureInfo(ByteWriter& w, bool has_certification,
                        const RepresentationCaptureInfo& info) {
  if (info.quality_blocks.size() > 255) {
    return InvalidBioInput("more than 255 quality blocks in one representation");
  }
  if (info.certification_blocks.size() > 255) {
    return InvalidBioInput("more than 255 certification blocks in one representation");
  }
  if (!has_certification && !info.certification_blocks.empty()) {
    return InvalidBioInput("certification blocks given but the record's certification flag is 0");
  }
  WriteCaptureDateTime(w, info.capture_time);
  w.U8(info.device_technology);
  w.U16(info.device_vendor_id);
  w.U16(info.device_type_id);
  w.U8(static_cast<uint8_t>(info.quality_blocks.size()));
  for (const QualityBlock& q : info.quality_blocks) {
    w.U8(q.score);
    w.U16(q.vendor);
    w.U16(q.algorithm);
  }
  if (has_certification) {
    w.U8(static_cast<uint8_t>(info.certification_blocks.size()));
    for (const CertificationBlock& c : info.certification_blocks) {
      w.U16(c.authority);
      w.U8(c.scheme);
    }
  }
  return Status::Ok();
}

Status ReadGeneralHeader2011(ByteReader& r, size_t header_size, size_t total,
                             GeneralHeader2011& out) {
  uint8_t cert = 0;
  SIJIL_RETURN_IF_ERROR(r.U32(out.record_length, "record length"));
  if (out.record_length < header_size || out.record_length > total) {
    return r.Error("record length " + std::to_string(out.record_length) + " does not match the " +
                   std::to_string(total) + " bytes given");
  }
  SIJIL_RETURN_IF_ERROR(r.U16(out.representation_count, "number of representations"));
  SIJIL_RETURN_IF_ERROR(r.U8(cert, "certification flag"));
  if (cert > 1) return r.Error("certification flag is neither 0 nor 1");
  out.certification = cert == 1;
  if (out.representation_count == 0) {
    return MissingBioInput(r.what() + " holds no representations");
  }
  return Status::Ok();
}

Result<size_t> WriteGeneralHeader2011(ByteWriter& w, size_t representation_count,
                                      bool certification) {
  if (representation_count > 0xFFFF) {
    return InvalidBioInput("more than 65535 representations in one record");
  }
  const size_t length_at = w.BeginLength32();
  w.U16(static_cast<uint16_t>(representation_count));
  w.U8(certification ? 1 : 0);
  return length_at;
}

Status ReadRepresentations(ByteReader& r, const GeneralHeader2011& header, size_t header_size,
                           std::string_view what, const std::function<Status(ByteReader&)>& each) {
  ByteReader body(std::span<const uint8_t>{}, r.what());
  SIJIL_RETURN_IF_ERROR(r.Sub(header.record_length - header_size, body, "representations"));
  for (int i = 0; i < header.representation_count; ++i) {
    uint32_t length = 0;
    SIJIL_RETURN_IF_ERROR(body.U32(length, "representation length"));
    if (length < 4) return body.Error("representation length too small");
    ByteReader rep(std::span<const uint8_t>{}, what);
    SIJIL_RETURN_IF_ERROR(body.Sub(length - 4, rep, "representation"));
    SIJIL_RETURN_IF_ERROR(each(rep));
  }
  if (body.remaining() != 0) {
    return body.Error(std::to_string(body.remaining()) + " bytes after the last representation");
  }
  return Status::Ok();
}

std::string_view BiometricFormatName(BiometricFormat format) {
  switch (format) {
    case BiometricFormat::kUnknown:
      return "unknown";
    case BiometricFormat::kFingerMinutiaeIso2005:
      return "ISO/IEC 19794-2:2005 finger minutiae record";
    case BiometricFormat::kFingerMinutiaeIso2011:
      return "ISO/IEC 19794-2:2011 finger minutiae record";
    case BiometricFormat::kFingerMinutiaeAnsi378:
      return "ANSI/INCITS 378-2004 finger minutiae record";
    case BiometricFormat::kFingerImage:
      return "ISO/IEC 19794-4 finger image record";
    case BiometricFormat::kFaceImage:
      return "ISO/IEC 19794-5 face image record";
    case BiometricFormat::kIrisImage:
      return "ISO/IEC 19794-6 iris image record";
    case BiometricFormat::kCbeffXml:
      return "ISO/IEC 19785-3 CBEFF XML";
    case BiometricFormat::kWsq:
      return "WSQ image";
    case BiometricFormat::kJpeg2000:
      return "JPEG 2000 image";
    case BiometricFormat::kJpeg:
      return "JPEG image";
    case BiometricFormat::kPng:
      return "PNG image";
  }
  return "unknown";
}

namespace {

bool StartsWith(std::span<const uint8_t> d, std::string_view magic) {
  return d.size() >= magic.size() && std::memcmp(d.data(), magic.data(), magic.size()) == 0;
}

uint32_t Be32(std::span<const uint8_t> d, size_t at) {
  return (uint32_t{d[at]} << 24) | (uint32_t{d[at + 1]} << 16) | (uint32_t{d[at + 2]} << 8) |
         d[at + 3];
}

}  // namespace

BiometricFormat DetectBiometricFormat(std::span<const uint8_t> data) {
  using namespace std::string_view_literals;
  if (StartsWith(data, "FMR\0"sv)) {
    if (data.size() >= 8 && StartsWith(data.subspan(4), "030\0"sv)) {
      return BiometricFormat::kFingerMinutiaeIso2011;
    }
    // ISO 2005 and ANSI 378 share the magic and version; ISO has a 4-byte length at 8, ANSI
    // a 2-byte one (or 0x0000 then 4 bytes).
    if (data.size() >= 12 && Be32(data, 8) == data.size()) {
      return BiometricFormat::kFingerMinutiaeIso2005;
    }
    if (data.size() >= 10) {
      uint32_t len16 = (uint32_t{data[8]} << 8) | data[9];
      if (len16 == data.size() ||
          (len16 == 0 && data.size() >= 14 && Be32(data, 10) == data.size())) {
        return BiometricFormat::kFingerMinutiaeAnsi378;
      }
    }
    return BiometricFormat::kFingerMinutiaeIso2005;
  }
  if (StartsWith(data, "FIR\0"sv)) return BiometricFormat::kFingerImage;
  if (StartsWith(data, "FAC\0"sv)) return BiometricFormat::kFaceImage;
  if (StartsWith(data, "IIR\0"sv)) return BiometricFormat::kIrisImage;
  if (data.size() >= 2 && data[0] == 0xFF && data[1] == 0xA0) return BiometricFormat::kWsq;
  if (StartsWith(data, "\x00\x00\x00\x0CjP  \r\n\x87\n"sv) ||
      StartsWith(data, "\xFF\x4F\xFF\x51"sv)) {
    return BiometricFormat::kJpeg2000;
  }
  if (StartsWith(data, "\xFF\xD8\xFF"sv)) return BiometricFormat::kJpeg;
  if (StartsWith(data, "\x89PNG\r\n\x1A\n"sv)) return BiometricFormat::kPng;
  // XML: skip a byte-order mark and white space, then expect '<' and a BIR element somewhere
  // near the start.
  size_t i = 0;
  if (StartsWith(data, "\xEF\xBB\xBF"sv)) i = 3;
  while (i < data.size() && std::isspace(data[i])) ++i;
  if (i < data.size() && data[i] == '<') {
    std::string_view head(reinterpret_cast<const char*>(data.data()) + i,
                          std::min<size_t>(data.size() - i, 4096));
    if (head.find("BIR") != std::string_view::npos) return BiometricFormat::kCbeffXml;
  }
  return BiometricFormat::kUnknown;
}

}  // namespace sijil::biometrics
