// Shared pieces of the ISO/IEC 19794 biometric data interchange records: a bounds-checked
// big-endian reader and writer, the blocks that the 2011 editions of parts 4 (finger image),
// 5 (face image) and 6 (iris image) share in every representation header (capture date and
// time, quality blocks, certification blocks), and detection of which record or container
// format a byte string holds.
//
// ByteReader/ByteWriter are single-owner cursors (thread-compatible); the rest are value
// types and pure functions (thread-safe).
#ifndef SIJIL_BIOMETRICS_RECORD_HEADER_H_
#define SIJIL_BIOMETRICS_RECORD_HEADER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"
#include "sijil/base/status.h"

namespace sijil::biometrics {

// Which edition of an ISO/IEC 19794 part a record follows. Part 4 and 6 write the 2005
// edition as version "010" and the 2011 edition as "020"; part 5 writes "010" and "030".
enum class RecordEdition : uint8_t { k2005 = 0, k2011 = 1 };
std::string_view RecordEditionName(RecordEdition edition);  // "2005" / "2011"

// Reads big-endian integers and byte runs from untrusted bytes. Every read checks the
// remaining length first and fails with BIO-401 naming `field`, so a parser never reads past
// the end and never allocates more than the input holds.
class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data, std::string_view what = "record")
      : data_(data), what_(what) {}

  size_t position() const { return pos_; }
  // What is being read, as given to the constructor (it prefixes every error message).
  const std::string& what() const { return what_; }
  size_t remaining() const { return data_.size() - pos_; }
  size_t size() const { return data_.size(); }

  Status U8(uint8_t& out, std::string_view field);
  Status U16(uint16_t& out, std::string_view field);
  Status U24(uint32_t& out, std::string_view field);
  Status U32(uint32_t& out, std::string_view field);
  Status U48(uint64_t& out, std::string_view field);
  // `n` bytes as a view into the input (valid as long as the input is).
  Status Span(size_t n, std::span<const uint8_t>& out, std::string_view field);
  // `n` bytes copied.
  Status Copy(size_t n, Bytes& out, std::string_view field);
  Status Skip(size_t n, std::string_view field);
  // A reader over the next `n` bytes; advances this one past them.
  Status Sub(size_t n, ByteReader& out, std::string_view field);

  // A BIO-401 error "<what>: <message>".
  Status Error(std::string_view message) const;

 private:
  Status Need(size_t n, std::string_view field) const;

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  std::string what_;
};

// Appends big-endian integers and bytes.
class ByteWriter {
 public:
  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v);
  void U24(uint32_t v);
  void U32(uint32_t v);
  void U48(uint64_t v);
  void Append(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void Append(std::string_view s);
  // Overwrites 4 (or 6) bytes at `pos` (for length fields known only at the end).
  void PatchU32(size_t pos, uint32_t v);
  void PatchU48(size_t pos, uint64_t v);

  // A 4-byte length field whose value is known only when the block it measures ends: Begin
  // writes a placeholder and returns its position; End patches it with the bytes written
  // since `counted_from` (by default the field itself, for blocks whose length counts its own
  // field, as every 19794 representation does). End fails with BIO-401 "<what> too large"
  // when the block does not fit in 32 bits.
  size_t BeginLength32();
  Status EndLength32(size_t field_at, std::string_view what);
  Status EndLength32(size_t field_at, size_t counted_from, std::string_view what);
  size_t size() const { return out_.size(); }
  Bytes Take() { return std::move(out_); }

 private:
  Bytes out_;
};

// Capture date and time of the 2011 editions (9 bytes, UTC). All-0xFF fields mean "not
// given"; the defaults are that.
struct CaptureDateTime {
  uint16_t year = 0xFFFF;
  uint8_t month = 0xFF;
  uint8_t day = 0xFF;
  uint8_t hour = 0xFF;
  uint8_t minute = 0xFF;
  uint8_t second = 0xFF;
  uint16_t millisecond = 0xFFFF;

  bool specified() const { return year != 0xFFFF; }
  // "2022-12-28T19:37:48.258Z", or "" when not specified.
  std::string ToIso8601() const;
  friend bool operator==(const CaptureDateTime&, const CaptureDateTime&) = default;
};

// Quality block (ISO/IEC 19794-1:2011, 5 bytes): a score 0-100 (255: failed to compute)
// and the algorithm that produced it.
struct QualityBlock {
  uint8_t score = 0;
  uint16_t vendor = 0;
  uint16_t algorithm = 0;
  friend bool operator==(const QualityBlock&, const QualityBlock&) = default;
};

// Certification block (ISO/IEC 19794-1:2011, 3 bytes).
struct CertificationBlock {
  uint16_t authority = 0;
  uint8_t scheme = 0;
  friend bool operator==(const CertificationBlock&, const CertificationBlock&) = default;
};

// The fields every 2011 representation header of parts 4, 5 and 6 starts with, after the
// representation length: capture time, capture device (technology, vendor, type), quality
// blocks and, when the record's certification flag is set, certification blocks.
struct RepresentationCaptureInfo {
  CaptureDateTime capture_time;
  uint8_t device_technology = 0;
  uint16_t device_vendor_id = 0;
  uint16_t device_type_id = 0;
  std::vector<QualityBlock> quality_blocks;
  std::vector<CertificationBlock> certification_blocks;
  friend bool operator==(const RepresentationCaptureInfo&,
                         const RepresentationCaptureInfo&) = default;
};

Status ReadCaptureDateTime(ByteReader& r, CaptureDateTime& out);
void WriteCaptureDateTime(ByteWriter& w, const CaptureDateTime& t);
Status ReadCaptureInfo(ByteReader& r, bool has_certification, RepresentationCaptureInfo& out);
// Fails (BIO-401) when a list is longer than its 1-byte count allows, or when certification
// blocks are present but `has_certification` is false.
Status WriteCaptureInfo(ByteWriter& w, bool has_certification,
                        const RepresentationCaptureInfo& info);

// The end of every 2011 representation of parts 4, 5 and 6: the image's length (4 bytes),
// the image, then any extended data kept from parsing. BIO-401 when the image does not fit
// the length field.
Status WriteImageData2011(ByteWriter& w, std::span<const uint8_t> image,
                          std::span<const uint8_t> extended_data);

// The part of the 2011 general header that parts 4, 5 and 6 share, after the format
// identifier and version: record length (4 bytes), number of representations (2) and
// certification flag (1). Each part follows it with a field of its own (4 and 6: number of
// finger positions or eyes, 1 byte; 5: temporal semantics, 2 bytes), then the
// representations.
struct GeneralHeader2011 {
  uint32_t record_length = 0;
  uint16_t representation_count = 0;
  bool certification = false;
};

// Reads those 7 bytes from `r` (positioned after the version). `header_size` is the part's
// whole general header, magic and version included; `total` the bytes given. BIO-401 when
// the record length is below `header_size` or above `total`, or the certification flag is
// neither 0 nor 1; BIO-402 when there is no representation.
Status ReadGeneralHeader2011(ByteReader& r, size_t header_size, size_t total,
                             GeneralHeader2011& out);
// Writes the same 7 bytes with a placeholder record length, and returns the placeholder's
// position for `EndLength32(at, 0, ...)` once the whole record is written. BIO-401 for more
// representations than the 2-byte count holds.
Result<size_t> WriteGeneralHeader2011(ByteWriter& w, size_t representation_count,
                                      bool certification);

// Reads the representations of a 2011 record from `r`, positioned after the general header:
// the rest of the record's bytes as `header.representation_count` blocks, each a 4-byte
// length (counting itself) then the representation, handed to `each` as a reader over just
// its bytes (named `what` in errors). BIO-401 on a block length below 4, a block that runs
// past the record, or bytes after the last block.
Status ReadRepresentations(ByteReader& r, const GeneralHeader2011& header, size_t header_size,
                           std::string_view what, const std::function<Status(ByteReader&)>& each);

// What a byte string holds, judged from its first bytes.
enum class BiometricFormat {
  kUnknown,
  kFingerMinutiaeIso2005,  // ISO/IEC 19794-2:2005 "FMR\0" " 20\0"
  kFingerMinutiaeIso2011,  // ISO/IEC 19794-2:2011 "FMR\0" "030\0"
  kFingerMinutiaeAnsi378,  // ANSI/INCITS 378-2004 "FMR\0" " 20\0" with the ANSI header
  kFingerImage,            // ISO/IEC 19794-4 "FIR\0"
  kFaceImage,              // ISO/IEC 19794-5 "FAC\0"
  kIrisImage,              // ISO/IEC 19794-6 "IIR\0"
  kCbeffXml,               // ISO/IEC 19785-3 XML BIR
  kWsq,
  kJpeg2000,
  kJpeg,
  kPng,
};
std::string_view BiometricFormatName(BiometricFormat format);
BiometricFormat DetectBiometricFormat(std::span<const uint8_t> data);

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_RECORD_HEADER_H_
