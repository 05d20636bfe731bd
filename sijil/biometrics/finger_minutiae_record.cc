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

// Bounds-checked big-endian reader over untrusted bytes. Every read reports failure
// instead of reading past the end.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  bool U8(uint8_t& v) {
    if (remaining() < 1) return false;
    v = data_[pos_++];
    return true;
  }
  bool U16(uint16_t& v) {
    if (remaining() < 2) return false;
    v = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool U32(uint32_t& v) {
    if (remaining() < 4) return false;
    v = (uint32_t{data_[pos_]} << 24) | (uint32_t{data_[pos_ + 1]} << 16) |
        (uint32_t{data_[pos_ + 2]} << 8) | uint32_t{data_[pos_ + 3]};
    pos_ += 4;
    return true;
  }
  bool Take(size_t n, std::span<const uint8_t>& out) {
    if (remaining() < n) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v) {
    out_.push_back(static_cast<uint8_t>(v >> 8));
    out_.push_back(static_cast<uint8_t>(v));
  }
  void U32(uint32_t v) {
    U16(static_cast<uint16_t>(v >> 16));
    U16(static_cast<uint16_t>(v));
  }
  void Append(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void PatchU32(size_t at, uint32_t v) {
    out_[at] = static_cast<uint8_t>(v >> 24);
    out_[at + 1] = static_cast<uint8_t>(v >> 16);
    out_[at + 2] = static_cast<uint8_t>(v >> 8);
    out_[at + 3] = static_cast<uint8_t>(v);
  }
  size_t size() const { return out_.size(); }
  Bytes Take() { return std::move(out_); }

 private:
  Bytes out_;
};

Status Truncated(std::string_view what) { return Invalid("truncated in " + std::string(what)); }

Status ReadMinutiae(Reader& r, size_t count, size_t field_size, MinutiaeRecordFormat format,
                    std::vector<RecordMinutia>& out) {
  out.clear();
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    uint16_t xf = 0, yf = 0;
    uint8_t angle = 0, quality = 0;
    if (!r.U16(xf) || !r.U16(yf) || !r.U8(angle)) return Truncated("minutia data");
    if (field_size == 6 && !r.U8(quality)) return Truncated("minutia data");
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
  Reader r(area);
  while (r.remaining() > 0) {
    uint16_t type = 0, length = 0;
    if (!r.U16(type) || !r.U16(length)) return false;
    size_t payload = 0;
    if (excludes_header) {
      payload = length;
    } else {
      if (length < 4) return false;
      payload = length - 4u;
    }
    std::span<const uint8_t> data;
    if (!r.Take(payload, data)) return false;
    out.push_back(ExtendedDataBlock{type, Bytes(data.begin(), data.end())});
  }
  return true;
}

Status ReadExtended(Reader& r, MinutiaeRecordFormat format, FingerViewRecord& view,
                    int& excludes_header_vote) {
  uint16_t total = 0;
  if (!r.U16(total)) return Truncated("extended data length");
  std::span<const uint8_t> area;
  if (!r.Take(total, area)) return Truncated("extended data");
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
  Reader r(data);
  std::span<const uint8_t> skip;
  (void)r.Take(8, skip);  // magic and version, already checked
  if (format == MinutiaeRecordFormat::kAnsi378_2004) {
    uint16_t short_len = 0;
    (void)r.U16(short_len);
    if (header_size == kAnsiLongHeaderSize) {
      uint32_t long_len = 0;
      (void)r.U32(long_len);
      rec.ansi_long_length = true;
    }
    if (!r.U32(rec.cbeff_product_id)) return Truncated("header");
  } else {
    uint32_t len = 0;
    (void)r.U32(len);
  }
  uint8_t nviews = 0;
  if (!r.U16(rec.capture_equipment) || !r.U16(rec.width) || !r.U16(rec.height) ||
      !r.U16(rec.x_resolution_ppcm) || !r.U16(rec.y_resolution_ppcm) || !r.U8(nviews) ||
      !r.U8(rec.reserved)) {
    return Truncated("header");
  }
  int excludes_vote = 0;
  rec.views.resize(nviews);
  for (size_t v = 0; v < nviews; ++v) {
    FingerViewRecord& view = rec.views[v];
    uint8_t view_impression = 0, count = 0;
    if (!r.U8(view.position) || !r.U8(view_impression) || !r.U8(view.quality) || !r.U8(count)) {
      return Truncated("finger view header");
    }
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
  Reader r(data);
  std::span<const uint8_t> skip;
  (void)r.Take(8, skip);
  uint32_t len = 0;
  uint16_t nreps = 0;
  uint8_t cert_flag = 0;
  if (!r.U32(len) || !r.U16(nreps) || !r.U8(cert_flag)) return Truncated("header");
  if (cert_flag > 1) return Invalid("certification flag must be 0 or 1");
  rec.certification_flag = cert_flag == 1;
  rec.views.resize(nreps);
  int vote = 0;
  for (size_t v = 0; v < nreps; ++v) {
    FingerViewRecord& view = rec.views[v];
    uint32_t rep_len = 0;
    if (!r.U32(rep_len)) return Truncated("representation length");
    if (rep_len < 4 || rep_len - 4 > r.remaining()) {
      return Invalid("representation " + std::to_string(v) + " length " + std::to_string(rep_len) +
                     " exceeds the record");
    }
    std::span<const uint8_t> body;
    (void)r.Take(rep_len - 4, body);
    Reader b(body);
    std::span<const uint8_t> dt;
    uint8_t nquality = 0;
    if (!b.Take(9, dt) || !b.U8(view.device_technology) || !b.U16(view.device_vendor) ||
        !b.U16(view.device_type) || !b.U8(nquality)) {
      return Truncated("representation header");
    }
    std::copy(dt.begin(), dt.end(), view.capture_datetime.begin());
    for (size_t q = 0; q < nquality; ++q) {
      QualityBlock qb;
      if (!b.U8(qb.score) || !b.U16(qb.vendor) || !b.U16(qb.algorithm)) {
        return Truncated("quality blocks");
      }
      if (qb.score > 100 && qb.score != 255) {
        return Invalid("quality score " + std::to_string(qb.score) + " out of range");
      }
      view.quality_blocks.push_back(qb);
    }
    if (rec.certification_flag) {
      uint8_t ncert = 0;
      if (!b.U8(ncert)) return Truncated("certification blocks");
      for (size_t c = 0; c < ncert; ++c) {
        CertificationBlock cb;
        if (!b.U16(cb.authority) || !b.U8(cb.scheme)) return Truncated("certification blocks");
        view.certifications.push_back(cb);
      }
    }
    uint8_t field = 0, count = 0;
    if (!b.U8(view.position) || !b.U8(view.view_number) || !b.U16(view.x_resolution_ppcm) ||
        !b.U16(view.y_resolution_ppcm) || !b.U8(view.impression_type) || !b.U16(view.width) ||
        !b.U16(view.height) || !b.U8(field) || !b.U8(count)) {
      return Truncated("representation header");
    }
    SIJIL_RETURN_IF_ERROR(CheckPosition(view.position));
    if (view.view_number > 15) return Invalid("representation number exceeds 15");
    size_t field_size = field >> 4;
    view.ridge_ending_type = field & 0x0f;
    if (field_size != 5 && field_size != 6) {
      return Invalid("minutia field length " + std::to_string(field_size) + " is not 5 or 6");
    }
    if (view.ridge_ending_type > 1) return Invalid("ridge ending type is not 0 or 1");
    view.minutia_quality_present = field_size == 6;
    if (!view.quality_blocks.empty())
      view.quality = std::min<uint8_t>(view.quality_blocks[0].score, 100);
    SIJIL_RETURN_IF_ERROR(
        ReadMinutiae(b, count, field_size, MinutiaeRecordFormat::kIso2011, view.minutiae));
    SIJIL_RETURN_IF_ERROR(ReadExtended(b, MinutiaeRecordFormat::kIso2011, view, vote));
    if (b.remaining() != 0) {
      return Invalid("representation " + std::to_string(v) + " has " +
                     std::to_string(b.remaining()) + " unexplained trailing bytes");
    }
  }
  if (r.remaining() != 0) {
    return Invalid(std::to_string(r.remaining()) + " bytes after the last representation");
  }
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

Status WriteExtended(Writer& w, const FingerViewRecord& view, bool excludes_header, size_t index) {
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

Status WriteMinutiae(Writer& w, const FingerViewRecord& view, bool with_quality, size_t index) {
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
    if (data.size() < kIso2011HeaderSize) return Truncated("header");
    uint32_t len = BigEndian32(data, 8);
    if (len != data.size()) {
      return Invalid("record length field " + std::to_string(len) + " does not match the " +
                     std::to_string(data.size()) + " bytes given");
    }
    return Parse2011(data);
  }
  if (version != std::string_view(" 20\0", 4)) {
    return Invalid("unsupported version (expected \" 20\" or \"030\")");
  }
  if (data.size() < kIso2005HeaderSize) return Truncated("header");
  // ISO 2005: 4-byte length at offset 8. ANSI 378: 2-byte length at 8, or 0x0000 followed by a
  // 4-byte length. Only one of these can equal the number of bytes given.
  uint32_t iso_len = BigEndian32(data, 8);
  uint32_t ansi_short = (uint32_t{data[8]} << 8) | data[9];
  if (iso_len == data.size()) {
    return ParseLegacy(data, MinutiaeRecordFormat::kIso2005, kIso2005HeaderSize);
  }
  if (ansi_short != 0 && ansi_short == data.size()) {
    if (data.size() < kAnsiShortHeaderSize) return Truncated("header");
    return ParseLegacy(data, MinutiaeRecordFormat::kAnsi378_2004, kAnsiShortHeaderSize);
  }
  if (ansi_short == 0 && data.size() >= kAnsiLongHeaderSize &&
      BigEndian32(data, 10) == data.size()) {
    return ParseLegacy(data, MinutiaeRecordFormat::kAnsi378_2004, kAnsiLongHeaderSize);
  }
  return Invalid("record length field does not match the " + std::to_string(data.size()) +
                 " bytes given (truncated or padded record)");
}

Result<Bytes> SerializeFingerMinutiaeRecord(const FingerMinutiaeRecord& rec) {
  Writer w;
  w.Append(AsBytes(std::string_view("FMR\0", 4)));
  if (rec.format == MinutiaeRecordFormat::kIso2011) {
    if (rec.views.size() > 0xffff) return Invalid("too many representations");
    w.Append(AsBytes(std::string_view("030\0", 4)));
    w.U32(0);  // patched below
    w.U16(static_cast<uint16_t>(rec.views.size()));
    w.U8(rec.certification_flag ? 1 : 0);
    for (size_t v = 0; v < rec.views.size(); ++v) {
      const FingerViewRecord& view = rec.views[v];
      if (view.quality_blocks.size() > 255 || view.certifications.size() > 255) {
        return Invalid("too many quality or certification blocks");
      }
      if (!rec.certification_flag && !view.certifications.empty()) {
        return Invalid("certification blocks present but the certification flag is 0");
      }
      size_t start = w.size();
      w.U32(0);
      w.Append(view.capture_datetime);
      w.U8(view.device_technology);
      w.U16(view.device_vendor);
      w.U16(view.device_type);
      w.U8(static_cast<uint8_t>(view.quality_blocks.size()));
      for (const QualityBlock& q : view.quality_blocks) {
        w.U8(q.score);
        w.U16(q.vendor);
        w.U16(q.algorithm);
      }
      if (rec.certification_flag) {
        w.U8(static_cast<uint8_t>(view.certifications.size()));
        for (const CertificationBlock& c : view.certifications) {
          w.U16(c.authority);
          w.U8(c.scheme);
        }
      }
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
      w.PatchU32(start, static_cast<uint32_t>(w.size() - start));
    }
    Bytes out = w.Take();
    uint32_t n = static_cast<uint32_t>(out.size());
    out[8] = static_cast<uint8_t>(n >> 24);
    out[9] = static_cast<uint8_t>(n >> 16);
    out[10] = static_cast<uint8_t>(n >> 8);
    out[11] = static_cast<uint8_t>(n);
    return out;
  }

  if (rec.views.size() > 255) return Invalid("more than 255 finger views");
  bool ansi = rec.format == MinutiaeRecordFormat::kAnsi378_2004;
  w.Append(AsBytes(std::string_view(" 20\0", 4)));
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
    view.quality_blocks.push_back(QualityBlock{view.quality, 0, 0});
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

Result<CoreDeltaData> DecodeCoreDelta(const ExtendedDataBlock& block, MinutiaeRecordFormat format) {
  if (block.type != kExtendedCoreDelta) return Invalid("not a core/delta block");
  Reader r(block.data);
  CoreDeltaData out;
  const bool v2011 = format == MinutiaeRecordFormat::kIso2011;
  for (int kind = 0; kind < 2; ++kind) {
    uint8_t info = 0;
    if (!r.U8(info)) return Truncated("core/delta block");
    size_t count = info & 0x0f;
    bool block_angles = !v2011 && (info >> 6) == 1;
    std::vector<SingularPoint>& points = kind == 0 ? out.cores : out.deltas;
    for (size_t i = 0; i < count; ++i) {
      uint16_t xf = 0, yf = 0;
      if (!r.U16(xf) || !r.U16(yf)) return Truncated("core/delta block");
      SingularPoint p;
      p.x = xf & 0x3fff;
      p.y = yf & 0x3fff;
      p.has_angle = v2011 ? (xf >> 14) == 1 : block_angles;
      if (p.has_angle) {
        size_t nangles = kind == 0 ? 1 : 3;
        for (size_t a = 0; a < nangles; ++a) {
          if (!r.U8(p.angles[a])) return Truncated("core/delta block");
        }
      }
      points.push_back(p);
    }
  }
  if (r.remaining() != 0) return Invalid("core/delta block has trailing bytes");
  return out;
}

Result<ExtendedDataBlock> EncodeCoreDelta(const CoreDeltaData& data, MinutiaeRecordFormat format) {
  if (data.cores.size() > 15 || data.deltas.size() > 15) {
    return Invalid("at most 15 cores and 15 deltas");
  }
  const bool v2011 = format == MinutiaeRecordFormat::kIso2011;
  Writer w;
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
