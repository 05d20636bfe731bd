#include "sijil/biometrics/finger_minutiae_record.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace sijil::biometrics {
namespace {

constexpr char kErrorCode[] = "IDA-BIA-011";
constexpr size_t kIso2005HeaderSize = 24;
constexpr size_t kIso2011HeaderSize = 15;
constexpr size_t kAnsiShortHeaderSize = 26;
constexpr size_t kAnsiLongHeaderSize = 30;

Status Invalid(std::string message) {
  return Status::InvalidArgument(kErrorCode, "minutiae record: " + message);
}

// Minutiae records read through the shared ByteReader, whose errors carry BIO-401; a
// minutiae record keeps MOSIP's code for undecodable biometric data (IDA-BIA-011), so
// callers see one code whatever part of the record is wrong.
template <typename T>
Result<T> WithRecordCode(Result<T> result) {
  if (result.ok() || result.status().code() == kErrorCode) return result;
  return Status::InvalidArgument(kErrorCode, result.status().message());
}

Status ReadMinutiae(ByteReader& r, size_t count, size_t field_size, MinutiaeRecordFormat format,
                    std::vector<RecordMinutia>& out) {
  out.clear();
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    uint16_t xf = 0, yf = 0;
    uint8_t angle = 0, quality = 0;
    SIJIL_RETURN_IF_ERROR(r.U16(xf, "minutia data"));
    SIJIL_RETURN_IF_ERROR(r.U16(yf, "minutia data"));
    SIJIL_RETURN_IF_ERROR(r.U8(angle, "minutia data"));
    if (field_size == 6) SIJIL_RETURN_IF_ERROR(r.U8(quality, "minutia data"));
    RecordMinutia m;
    m.type = static_cast<uint8_t>(xf >> 14);
    m.x = xf & 0x3fff;
    m.y_reserved = static_cast<uint8_t>(yf >> 14);
    m.y = yf & 0x3fff;
    m.angle = angle;
    m.quality = field_size == 6 ? quality : 254;
    if (format == MinutiaeRecordFormat::kAnsi378_2004 && angle > 179) {
      return Invalid("minutia " + std::to_string(i) + " angle " + std::to_string(angle) +
                     " exceeds 179 (ANSI 2-degree units)");
    }
    bool quality_ok = quality <= 100 || (format == MinutiaeRecordFormat::kIso2011 &&
                                         (quality == 254 || quality == 255));
    if (field_size == 6 && !quality_ok) {
      return Invalid("minutia " + std::to_string(i) + " quality " + std::to_string(quality) +
                     " out of range");
    }
    out.push_back(m);
  }
  return Status::Ok();
}

// Splits an extended data area of `area` bytes into blocks. `excludes_header` selects the
// convention where a block's length field does not count its own 4-byte header.
bool SplitExtended(std::span<const uint8_t> area, bool excludes_header,
                   std::vector<ExtendedDataBlock>& out) {
  out.clear();
  ByteReader r(area);
  while (r.remaining() > 0) {
    uint16_t type = 0, length = 0;
    if (!r.U16(type, "block type").ok() || !r.U16(length, "block length").ok()) return false;
    size_t payload = 0;
    if (excludes_header) {
      payload = length;
    } else {
      if (length < 4) return false;
      payload = length - 4u;
    }
    std::span<const uint8_t> data;
    if (!r.Span(payload, data, "block data").ok()) return false;
    out.push_back(ExtendedDataBlock{type, Bytes(data.begin(), data.end())});
  }
  return true;
}

Status ReadExtended(ByteReader& r, MinutiaeRecordFormat format, FingerViewRecord& view,
                    int& excludes_header_vote) {
  uint16_t total = 0;
  SIJIL_RETURN_IF_ERROR(r.U16(total, "extended data length"));
  std::span<const uint8_t> area;
  SIJIL_RETURN_IF_ERROR(r.Span(total, area, "extended data"));
  if (total == 0) return Status::Ok();
  if (SplitExtended(area, false, view.extended)) {
    if (excludes_header_vote > 0) return Invalid("views disagree on extended block lengths");
    excludes_header_vote = -1;
    return Status::Ok();
  }
  if (format == MinutiaeRecordFormat::kIso2005 && SplitExtended(area, true, view.extended)) {
    if (excludes_header_vote < 0) return Invalid("views disagree on extended block lengths");
    excludes_header_vote = 1;
    return Status::Ok();
  }
  return Invalid("extended data blocks do not fill the " + std::to_string(total) +
                 "-byte extended data area");
}

Status CheckPosition(uint8_t position) {
  if (position > 10) {
    return Invalid("finger position " + std::to_string(position) + " is not 0..10");
  }
  return Status::Ok();
}

Result<FingerMinutiaeRecord> ParseLegacy(std::span<const uint8_t> data, MinutiaeRecordFormat format,
                                         size_t header_size) {
  FingerMinutiaeRecord rec;
  rec.format = format;
  ByteReader r(data, "minutiae record");
  SIJIL_RETURN_IF_ERROR(r.Skip(8, "format identifier and version"));  // already checked
  if (format == MinutiaeRecordFormat::kAnsi378_2004) {
    SIJIL_RETURN_IF_ERROR(r.Skip(2, "record length"));
    if (header_size == kAnsiLongHeaderSize) {
      SIJIL_RETURN_IF_ERROR(r.Skip(4, "long record length"));
      rec.ansi_long_length = true;
    }
    SIJIL_RETURN_IF_ERROR(r.U32(rec.cbeff_product_id, "CBEFF product identifier"));
  } else {
    SIJIL_RETURN_IF_ERROR(r.Skip(4, "record length"));
  }
  uint8_t nviews = 0;
  SIJIL_RETURN_IF_ERROR(r.U16(rec.capture_equipment, "capture equipment"));
  SIJIL_RETURN_IF_ERROR(r.U16(rec.width, "image width"));
  SIJIL_RETURN_IF_ERROR(r.U16(rec.height, "image height"));
  SIJIL_RETURN_IF_ERROR(r.U16(rec.x_resolution_ppcm, "horizontal resolution"));
  SIJIL_RETURN_IF_ERROR(r.U16(rec.y_resolution_ppcm, "vertical resolution"));
  SIJIL_RETURN_IF_ERROR(r.U8(nviews, "number of finger views"));
  SIJIL_RETURN_IF_ERROR(r.U8(rec.reserved, "reserved byte"));
  int excludes_vote = 0;
  rec.views.resize(nviews);
  for (size_t v = 0; v < nviews; ++v) {
    FingerViewRecord& view = rec.views[v];
    uint8_t view_impression = 0, count = 0;
    SIJIL_RETURN_IF_ERROR(r.U8(view.position, "finger position"));
    SIJIL_RETURN_IF_ERROR(r.U8(view_impression, "view number and impression type"));
    SIJIL_RETURN_IF_ERROR(r.U8(view.quality, "finger quality"));
    SIJIL_RETURN_IF_ERROR(r.U8(count, "number of minutiae"));
    SIJIL_RETURN_IF_ERROR(CheckPosition(view.position));
    view.view_number = view_impression >> 4;
    view.impression_type = view_impression & 0x0f;
    if (view.quality > 100) {
      return Invalid("finger quality " + std::to_string(view.quality) + " exceeds 100");
    }
    view.x_resolution_ppcm = rec.x_resolution_ppcm;
    view.y_resolution_ppcm = rec.y_resolution_ppcm;
    view.width = rec.width;
    view.height = rec.height;
    SIJIL_RETURN_IF_ERROR(ReadMinutiae(r, count, 6, format, view.minutiae));
    SIJIL_RETURN_IF_ERROR(ReadExtended(r, format, view, excludes_vote));
  }
  if (r.remaining() != 0) {
    return Invalid(std::to_string(r.remaining()) + " bytes after the last finger view");
  }
  rec.extended_length_excludes_header = excludes_vote == 1;
  return rec;
}

Result<FingerMinutiaeRecord> Parse2011(std::span<const uint8_t> data) {
  FingerMinutiaeRecord rec;
  rec.format = MinutiaeRecordFormat::kIso2011;
  ByteReader r(data, "minutiae record");
  SIJIL_RETURN_IF_ERROR(r.Skip(8, "format identifier and version"));  // already checked
  GeneralHeader2011 header;
  SIJIL_RETURN_IF_ERROR(ReadGeneralHeader2011(r, kIso2011HeaderSize, data.size(), header));
  rec.certification_flag = header.certification;
  rec.views.reserve(header.representation_count);
  int vote = 0;
  SIJIL_RETURN_IF_ERROR(ReadRepresentations(
      r, header, kIso2011HeaderSize, "minutiae record", [&](ByteReader& b) -> Status {
        const size_t v = rec.views.size();
        FingerViewRecord& view = rec.views.emplace_back();
        SIJIL_RETURN_IF_ERROR(ReadCaptureInfo(b, rec.certification_flag, view.capture));
        for (const QualityBlock& q : view.capture.quality_blocks) {
          if (q.score > 100 && q.score != 255) {
            return Invalid("quality score " + std::to_string(q.score) + " out of range");
          }
        }
        uint8_t field = 0, count = 0;
        SIJIL_RETURN_IF_ERROR(b.U8(view.position, "finger position"));
        SIJIL_RETURN_IF_ERROR(b.U8(view.view_number, "representation number"));
        SIJIL_RETURN_IF_ERROR(b.U16(view.x_resolution_ppcm, "horizontal resolution"));
        SIJIL_RETURN_IF_ERROR(b.U16(view.y_resolution_ppcm, "vertical resolution"));
        SIJIL_RETURN_IF_ERROR(b.U8(view.impression_type, "impression type"));
        SIJIL_RETURN_IF_ERROR(b.U16(view.width, "image width"));
        SIJIL_RETURN_IF_ERROR(b.U16(view.height, "image height"));
        SIJIL_RETURN_IF_ERROR(b.U8(field, "minutia field length and ridge ending type"));
        SIJIL_RETURN_IF_ERROR(b.U8(count, "number of minutiae"));
        SIJIL_RETURN_IF_ERROR(CheckPosition(view.position));
        if (view.view_number > 15) return Invalid("representation number exceeds 15");
        size_t field_size = field >> 4;
        view.ridge_ending_type = field & 0x0f;
        if (field_size != 5 && field_size != 6) {
          return Invalid("minutia field length " + std::to_string(field_size) + " is not 5 or 6");
        }
        if (view.ridge_ending_type > 1) return Invalid("ridge ending type is not 0 or 1");
        view.minutia_quality_present = field_size == 6;
        if (!view.capture.quality_blocks.empty()) {
          view.quality = std::min<uint8_t>(view.capture.quality_blocks[0].score, 100);
        }
        SIJIL_RETURN_IF_ERROR(
            ReadMinutiae(b, count, field_size, MinutiaeRecordFormat::kIso2011, view.minutiae));
        SIJIL_RETURN_IF_ERROR(ReadExtended(b, MinutiaeRecordFormat::kIso2011, view, vote));
        if (b.remaining() != 0) {
          return Invalid("representation " + std::to_string(v) + " has " +
                         std::to_string(b.remaining()) + " unexplained trailing bytes");
        }
        return Status::Ok();
      }));
  if (!rec.views.empty()) {
    rec.width = rec.views[0].width;
    rec.height = rec.views[0].height;
    rec.x_resolution_ppcm = rec.views[0].x_resolution_ppcm;
    rec.y_resolution_ppcm = rec.views[0].y_resolution_ppcm;
  }
  return rec;
}

uint32_t BigEndian32(std::span<const uint8_t> d, size_t at) {
  return (uint32_t{d[at]} << 24) | (uint32_t{d[at + 1]} << 16) | (uint32_t{d[at + 2]} << 8) |
         uint32_t{d[at + 3]};
}

Status WriteExtended(ByteWriter& w, const FingerViewRecord& view, bool excludes_header,
                     size_t index) {
  size_t total = 0;
  for (const ExtendedDataBlock& b : view.extended) total += 4 + b.data.size();
  if (total > 0xffff) {
    return Invalid("view " + std::to_string(index) + " extended data exceeds 65,535 bytes");
  }
  w.U16(static_cast<uint16_t>(total));
  for (const ExtendedDataBlock& b : view.extended) {
    w.U16(b.type);
    w.U16(static_cast<uint16_t>(excludes_header ? b.data.size() : b.data.size() + 4));
    w.Append(b.data);
  }
  return Status::Ok();
}

Status WriteMinutiae(ByteWriter& w, const FingerViewRecord& view, bool with_quality, size_t index) {
  if (view.minutiae.size() > 255) {
    return Invalid("view " + std::to_string(index) + " has more than 255 minutiae");
  }
  for (const RecordMinutia& m : view.minutiae) {
    w.U16(static_cast<uint16_t>(((m.type & 3) << 14) | (m.x & 0x3fff)));
    w.U16(static_cast<uint16_t>(((m.y_reserved & 3) << 14) | (m.y & 0x3fff)));
    w.U8(m.angle);
    if (with_quality) w.U8(m.quality);
  }
  return Status::Ok();
}

}  // namespace

std::string_view MinutiaeRecordFormatName(MinutiaeRecordFormat format) {
  switch (format) {
    case MinutiaeRecordFormat::kIso2005:
      return "ISO/IEC 19794-2:2005";
    case MinutiaeRecordFormat::kIso2011:
      return "ISO/IEC 19794-2:2011";
    case MinutiaeRecordFormat::kAnsi378_2004:
      return "ANSI/INCITS 378-2004";
  }
  return "unknown";
}

Result<FingerMinutiaeRecord> ParseFingerMinutiaeRecord(std::span<const uint8_t> data) {
  if (data.size() < 8) return Invalid("shorter than the 8-byte format identifier and version");
  static constexpr uint8_t kMagic[4] = {'F', 'M', 'R', 0};
  if (!std::equal(kMagic, kMagic + 4, data.begin())) {
    return Invalid("format identifier is not \"FMR\\0\"");
  }
  std::string_view version(reinterpret_cast<const char*>(data.data() + 4), 4);
  if (version == std::string_view("030\0", 4)) {
    if (data.size() < kIso2011HeaderSize) return Invalid("truncated in header");
    uint32_t len = BigEndian32(data, 8);
    if (len != data.size()) {
      return Invalid("record length field " + std::to_string(len) + " does not match the " +
                     std::to_string(data.size()) + " bytes given");
    }
    return WithRecordCode(Parse2011(data));
  }
  if (version != std::string_view(" 20\0", 4)) {
    return Invalid("unsupported version (expected \" 20\" or \"030\")");
  }
  if (data.size() < kIso2005HeaderSize) return Invalid("truncated in header");
  // ISO 2005: 4-byte length at offset 8. ANSI 378: 2-byte length at 8, or 0x0000 followed by a
  // 4-byte length. Only one of these can equal the number of bytes given.
  uint32_t iso_len = BigEndian32(data, 8);
  uint32_t ansi_short = (uint32_t{data[8]} << 8) | data[9];
  if (iso_len == data.size()) {
    return WithRecordCode(ParseLegacy(data, MinutiaeRecordFormat::kIso2005, kIso2005HeaderSize));
  }
  if (ansi_short != 0 && ansi_short == data.size()) {
    if (data.size() < kAnsiShortHeaderSize) return Invalid("truncated in header");
    return WithRecordCode(
        ParseLegacy(data, MinutiaeRecordFormat::kAnsi378_2004, kAnsiShortHeaderSize));
  }
  if (ansi_short == 0 && data.size() >= kAnsiLongHeaderSize &&
      BigEndian32(data, 10) == data.size()) {
    return WithRecordCode(
        ParseLegacy(data, MinutiaeRecordFormat::kAnsi378_2004, kAnsiLongHeaderSize));
  }
  return Invalid("record length field does not match the " + std::to_string(data.size()) +
                 " bytes given (truncated or padded record)");
}

namespace {

Result<Bytes> SerializeRecord(const FingerMinutiaeRecord& rec) {
  ByteWriter w;
  w.Append(std::string_view("FMR\0", 4));
  if (rec.format == MinutiaeRecordFormat::kIso2011) {
    w.Append(std::string_view("030\0", 4));
    SIJIL_ASSIGN_OR_RETURN(size_t length_at,
                           WriteGeneralHeader2011(w, rec.views.size(), rec.certification_flag));
    for (size_t v = 0; v < rec.views.size(); ++v) {
      const FingerViewRecord& view = rec.views[v];
      const size_t start = w.BeginLength32();
      SIJIL_RETURN_IF_ERROR(WriteCaptureInfo(w, rec.certification_flag, view.capture));
      w.U8(view.position);
      w.U8(view.view_number);
      w.U16(view.x_resolution_ppcm);
      w.U16(view.y_resolution_ppcm);
      w.U8(view.impression_type);
      w.U16(view.width);
      w.U16(view.height);
      w.U8(static_cast<uint8_t>(((view.minutia_quality_present ? 6 : 5) << 4) |
                                (view.ridge_ending_type & 0x0f)));
      w.U8(static_cast<uint8_t>(view.minutiae.size()));
      SIJIL_RETURN_IF_ERROR(WriteMinutiae(w, view, view.minutia_quality_present, v));
      SIJIL_RETURN_IF_ERROR(WriteExtended(w, view, false, v));
      SIJIL_RETURN_IF_ERROR(w.EndLength32(start, "finger representation"));
    }
    SIJIL_RETURN_IF_ERROR(w.EndLength32(length_at, 0, "minutiae record"));
    return w.Take();
  }

  if (rec.views.size() > 255) return Invalid("more than 255 finger views");
  bool ansi = rec.format == MinutiaeRecordFormat::kAnsi378_2004;
  w.Append(std::string_view(" 20\0", 4));
  size_t body = 0;
  for (const FingerViewRecord& view : rec.views) {
    body += 4 + 6 * view.minutiae.size() + 2;
    for (const ExtendedDataBlock& b : view.extended) body += 4 + b.data.size();
  }
  size_t length_at = w.size();
  bool long_form = false;
  if (ansi) {
    size_t total = kAnsiShortHeaderSize + body;
    long_form = rec.ansi_long_length || total > 0xffff;
    if (long_form) {
      w.U16(0);
      w.U32(0);
    } else {
      w.U16(0);
    }
    w.U32(rec.cbeff_product_id);
  } else {
    w.U32(0);
  }
  w.U16(rec.capture_equipment);
  w.U16(rec.width);
  w.U16(rec.height);
  w.U16(rec.x_resolution_ppcm);
  w.U16(rec.y_resolution_ppcm);
  w.U8(static_cast<uint8_t>(rec.views.size()));
  w.U8(rec.reserved);
  for (size_t v = 0; v < rec.views.size(); ++v) {
    const FingerViewRecord& view = rec.views[v];
    if (view.view_number > 15 || view.impression_type > 15) {
      return Invalid("view number and impression type must each fit in 4 bits");
    }
    w.U8(view.position);
    w.U8(static_cast<uint8_t>((view.view_number << 4) | view.impression_type));
    w.U8(view.quality);
    w.U8(static_cast<uint8_t>(std::min<size_t>(view.minutiae.size(), 255)));
    SIJIL_RETURN_IF_ERROR(WriteMinutiae(w, view, true, v));
    SIJIL_RETURN_IF_ERROR(WriteExtended(w, view, rec.extended_length_excludes_header && !ansi, v));
  }
  Bytes out = w.Take();
  uint32_t n = static_cast<uint32_t>(out.size());
  if (ansi && long_form) {
    for (int i = 0; i < 4; ++i) out[length_at + 2 + i] = static_cast<uint8_t>(n >> (24 - 8 * i));
  } else if (ansi) {
    out[length_at] = static_cast<uint8_t>(n >> 8);
    out[length_at + 1] = static_cast<uint8_t>(n);
  } else {
    for (int i = 0; i < 4; ++i) out[length_at + i] = static_cast<uint8_t>(n >> (24 - 8 * i));
  }
  return out;
}

}  // namespace

Result<Bytes> SerializeFingerMinutiaeRecord(const FingerMinutiaeRecord& rec) {
  return WithRecordCode(SerializeRecord(rec));
}

Result<FingerTemplate> ToFingerTemplate(const FingerMinutiaeRecord& rec, size_t view_index) {
  if (view_index >= rec.views.size()) {
    return Invalid("the record has " + std::to_string(rec.views.size()) + " views, not " +
                   std::to_string(view_index + 1));
  }
  const FingerViewRecord& view = rec.views[view_index];
  FingerTemplate t;
  t.width = view.width;
  t.height = view.height;
  t.x_resolution_ppcm = view.x_resolution_ppcm;
  t.y_resolution_ppcm = view.y_resolution_ppcm;
  t.position = static_cast<FingerPosition>(view.position <= 10 ? view.position : 0);
  t.impression_type = view.impression_type;
  t.quality = view.quality;
  bool ansi = rec.format == MinutiaeRecordFormat::kAnsi378_2004;
  const double unit = ansi ? 2.0 * std::numbers::pi / 180.0 : 2.0 * std::numbers::pi / 256.0;
  t.minutiae.reserve(view.minutiae.size());
  for (const RecordMinutia& m : view.minutiae) {
    Minutia out;
    out.x = m.x;
    out.y = m.y;
    double a = m.angle * unit;
    if (a >= 2.0 * std::numbers::pi) a -= 2.0 * std::numbers::pi;
    out.angle = static_cast<float>(a);
    out.type = m.type == 1   ? MinutiaType::kEnding
               : m.type == 2 ? MinutiaType::kBifurcation
                             : MinutiaType::kOther;
    out.quality = m.quality <= 100 ? m.quality : 0;
    t.minutiae.push_back(out);
  }
  return t;
}

FingerMinutiaeRecord FromFingerTemplate(const FingerTemplate& t, MinutiaeRecordFormat format) {
  FingerMinutiaeRecord rec;
  rec.format = format;
  rec.width = t.width;
  rec.height = t.height;
  rec.x_resolution_ppcm = t.x_resolution_ppcm;
  rec.y_resolution_ppcm = t.y_resolution_ppcm;
  FingerViewRecord view;
  view.position = static_cast<uint8_t>(t.position);
  view.impression_type = t.impression_type;
  view.quality = std::min<uint8_t>(t.quality, 100);
  view.width = t.width;
  view.height = t.height;
  view.x_resolution_ppcm = t.x_resolution_ppcm;
  view.y_resolution_ppcm = t.y_resolution_ppcm;
  if (format == MinutiaeRecordFormat::kIso2011) {
    view.capture.quality_blocks.push_back(QualityBlock{view.quality, 0, 0});
  }
  bool ansi = format == MinutiaeRecordFormat::kAnsi378_2004;
  const double units = ansi ? 180.0 : 256.0;
  size_t n = std::min<size_t>(t.minutiae.size(), 255);
  for (size_t i = 0; i < n; ++i) {
    const Minutia& m = t.minutiae[i];
    RecordMinutia r;
    r.type = m.type == MinutiaType::kEnding ? 1 : m.type == MinutiaType::kBifurcation ? 2 : 0;
    r.x = std::min<uint16_t>(m.x, 0x3fff);
    r.y = std::min<uint16_t>(m.y, 0x3fff);
    double a = std::fmod(static_cast<double>(m.angle), 2.0 * std::numbers::pi);
    if (a < 0) a += 2.0 * std::numbers::pi;
    long q = std::lround(a / (2.0 * std::numbers::pi) * units);
    if (q >= static_cast<long>(units)) q = 0;
    r.angle = static_cast<uint8_t>(q);
    r.quality = m.quality;
    if (format == MinutiaeRecordFormat::kIso2011 && m.quality == 0) r.quality = 254;
    view.minutiae.push_back(r);
  }
  rec.views.push_back(std::move(view));
  return rec;
}

Result<FingerTemplate> ParseFingerTemplate(std::span<const uint8_t> data) {
  SIJIL_ASSIGN_OR_RETURN(FingerMinutiaeRecord rec, ParseFingerMinutiaeRecord(data));
  if (rec.views.empty()) return Invalid("the record has no finger views");
  return ToFingerTemplate(rec, 0);
}

Result<RidgeCountData> DecodeRidgeCounts(const ExtendedDataBlock& block) {
  if (block.type != kExtendedRidgeCount) return Invalid("not a ridge count block");
  if (block.data.empty() || (block.data.size() - 1) % 3 != 0) {
    return Invalid("ridge count block length is not 1 + 3n");
  }
  RidgeCountData out;
  out.extraction_method = block.data[0];
  for (size_t i = 1; i + 2 < block.data.size(); i += 3) {
    out.counts.push_back(RidgeCount{block.data[i], block.data[i + 1], block.data[i + 2]});
  }
  return out;
}

ExtendedDataBlock EncodeRidgeCounts(const RidgeCountData& data) {
  ExtendedDataBlock b;
  b.type = kExtendedRidgeCount;
  b.data.push_back(data.extraction_method);
  for (const RidgeCount& c : data.counts) {
    b.data.push_back(c.index1);
    b.data.push_back(c.index2);
    b.data.push_back(c.count);
  }
  return b;
}

namespace {

Result<CoreDeltaData> ReadCoreDelta(const ExtendedDataBlock& block, MinutiaeRecordFormat format) {
  if (block.type != kExtendedCoreDelta) return Invalid("not a core/delta block");
  ByteReader r(block.data, "core/delta block");
  CoreDeltaData out;
  const bool v2011 = format == MinutiaeRecordFormat::kIso2011;
  for (int kind = 0; kind < 2; ++kind) {
    uint8_t info = 0;
    SIJIL_RETURN_IF_ERROR(r.U8(info, "core/delta information"));
    size_t count = info & 0x0f;
    bool block_angles = !v2011 && (info >> 6) == 1;
    std::vector<SingularPoint>& points = kind == 0 ? out.cores : out.deltas;
    for (size_t i = 0; i < count; ++i) {
      uint16_t xf = 0, yf = 0;
      SIJIL_RETURN_IF_ERROR(r.U16(xf, "core/delta position"));
      SIJIL_RETURN_IF_ERROR(r.U16(yf, "core/delta position"));
      SingularPoint p;
      p.x = xf & 0x3fff;
      p.y = yf & 0x3fff;
      p.has_angle = v2011 ? (xf >> 14) == 1 : block_angles;
      if (p.has_angle) {
        size_t nangles = kind == 0 ? 1 : 3;
        for (size_t a = 0; a < nangles; ++a) {
          SIJIL_RETURN_IF_ERROR(r.U8(p.angles[a], "core/delta angle"));
        }
      }
      points.push_back(p);
    }
  }
  if (r.remaining() != 0) return Invalid("core/delta block has trailing bytes");
  return out;
}

}  // namespace

Result<CoreDeltaData> DecodeCoreDelta(const ExtendedDataBlock& block, MinutiaeRecordFormat format) {
  return WithRecordCode(ReadCoreDelta(block, format));
}

Result<ExtendedDataBlock> EncodeCoreDelta(const CoreDeltaData& data, MinutiaeRecordFormat format) {
  if (data.cores.size() > 15 || data.deltas.size() > 15) {
    return Invalid("at most 15 cores and 15 deltas");
  }
  const bool v2011 = format == MinutiaeRecordFormat::kIso2011;
  ByteWriter w;
  for (int kind = 0; kind < 2; ++kind) {
    const std::vector<SingularPoint>& points = kind == 0 ? data.cores : data.deltas;
    bool angles = !points.empty() && points[0].has_angle;
    for (const SingularPoint& p : points) {
      if (!v2011 && p.has_angle != angles) {
        return Invalid("2005/ANSI core/delta blocks need the same angle presence for all points");
      }
    }
    w.U8(static_cast<uint8_t>(((!v2011 && angles) ? 0x40 : 0) | points.size()));
    for (const SingularPoint& p : points) {
      w.U16(static_cast<uint16_t>(((v2011 && p.has_angle) ? 0x4000 : 0) | (p.x & 0x3fff)));
      w.U16(p.y & 0x3fff);
      if (p.has_angle) {
        size_t nangles = kind == 0 ? 1 : 3;
        for (size_t a = 0; a < nangles; ++a) w.U8(p.angles[a]);
      }
    }
  }
  return ExtendedDataBlock{kExtendedCoreDelta, w.Take()};
}

}  // namespace sijil::biometrics
