// Finger minutiae records: ISO/IEC 19794-2:2005 ("FMR\0", " 20\0"), ISO/IEC 19794-2:2011
// ("FMR\0", "030\0") and ANSI/INCITS 378-2004 ("FMR\0", " 20\0" with the ANSI header).
//
// FingerMinutiaeRecord is a lossless model of one record: every header field, every finger
// view (any finger position, several views per finger), every minutia with its raw angle
// units, and every extended data block as raw bytes (ridge counts, cores and deltas, vendor
// blocks), so that Parse followed by Serialize reproduces the input byte for byte. Helpers
// decode and encode the standard ridge-count and core/delta blocks, and convert views to
// and from FingerTemplate (minutiae.h) for the extractor and the matcher.
//
// Parsing treats its input as untrusted: every length is checked, nothing is read past the
// end, and any inconsistency is an InvalidArgument error with code IDA-BIA-011 ("Invalid
// biometric data") and a message naming the field. Plain value types; thread-compatible;
// the free functions are thread-safe.
#ifndef SIJIL_BIOMETRICS_FINGER_MINUTIAE_RECORD_H_
#define SIJIL_BIOMETRICS_FINGER_MINUTIAE_RECORD_H_

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"
#include "sijil/biometrics/minutiae.h"
#include "sijil/biometrics/record_header.h"

namespace sijil::biometrics {

enum class MinutiaeRecordFormat : uint8_t {
  kIso2005 = 0,       // ISO/IEC 19794-2:2005: 24-byte header, angle unit 360/256 degrees
  kIso2011 = 1,       // ISO/IEC 19794-2:2011: 15-byte header, per-view representation header
  kAnsi378_2004 = 2,  // ANSI/INCITS 378-2004: 26- or 30-byte header, angle unit 2 degrees
};

std::string_view MinutiaeRecordFormatName(MinutiaeRecordFormat format);

// Standard extended data block type identifiers.
inline constexpr uint16_t kExtendedRidgeCount = 0x0001;
inline constexpr uint16_t kExtendedCoreDelta = 0x0002;
inline constexpr uint16_t kExtendedZonalQuality = 0x0003;  // 2011 only

// One extended data block: its type and its payload (without the 4-byte type/length header).
struct ExtendedDataBlock {
  uint16_t type = 0;
  Bytes data;
  friend bool operator==(const ExtendedDataBlock&, const ExtendedDataBlock&) = default;
};

// A minutia as stored: raw 2-bit type, 14-bit coordinates, raw angle units, quality.
struct RecordMinutia {
  uint8_t type = 1;  // 0 other, 1 ridge ending, 2 bifurcation, 3 reserved
  uint16_t x = 0;
  uint16_t y = 0;
  uint8_t y_reserved = 0;  // the two high bits of the y field (reserved, kept for round trip)
  uint8_t angle = 0;       // ISO: 360/256 degree units; ANSI: 2 degree units (0..179)
  uint8_t quality = 0;     // 0..100; 2011 also 254 (not computed) and 255 (failed)
  friend bool operator==(const RecordMinutia&, const RecordMinutia&) = default;
};

// One finger view (2005/ANSI) or finger representation (2011).
struct FingerViewRecord {
  uint8_t position = 0;         // 0 unknown, 1 right thumb .. 10 left little
  uint8_t view_number = 0;      // 0..15
  uint8_t impression_type = 0;  // 0 live plain, 1 live rolled, 2/3 non-live, 8 swipe, ...
  uint8_t quality = 0;          // 2005/ANSI finger quality 0..100 (2011: capture.quality_blocks)

  // 2011 representation header (capture time and device, quality and certification
  // blocks, as in parts 4-6); ignored for the other formats.
  RepresentationCaptureInfo capture;
  uint16_t x_resolution_ppcm = 197;
  uint16_t y_resolution_ppcm = 197;
  uint16_t width = 0;
  uint16_t height = 0;
  uint8_t ridge_ending_type = 0;        // 0 valley skeleton bifurcation, 1 ridge skeleton end
  bool minutia_quality_present = true;  // 2011: 6-byte (true) or 5-byte (false) minutiae

  std::vector<RecordMinutia> minutiae;
  std::vector<ExtendedDataBlock> extended;

  friend bool operator==(const FingerViewRecord&, const FingerViewRecord&) = default;
};

struct FingerMinutiaeRecord {
  MinutiaeRecordFormat format = MinutiaeRecordFormat::kIso2005;
  // 2005/ANSI general header (for 2011 the size and resolution live in each view).
  uint32_t cbeff_product_id = 0;   // ANSI only: owner (high 16 bits) and type
  uint16_t capture_equipment = 0;  // certification flags (4 bits) + device id (12 bits)
  uint16_t width = 0;
  uint16_t height = 0;
  uint16_t x_resolution_ppcm = 197;
  uint16_t y_resolution_ppcm = 197;
  uint8_t reserved = 0;
  // ANSI: write the 30-byte header (4-byte length) even when the record is short.
  bool ansi_long_length = false;
  // 2005: some writers count the extended block length without its 4-byte header; the
  // parser detects this and the writer reproduces it.
  bool extended_length_excludes_header = false;
  // 2011: whether representations carry certification blocks.
  bool certification_flag = false;
  std::vector<FingerViewRecord> views;

  friend bool operator==(const FingerMinutiaeRecord&, const FingerMinutiaeRecord&) = default;
};

// Parses a record, detecting the edition from its header (the ISO 2005 and ANSI 378 headers
// share magic and version and differ in the width of the length field, which must equal the
// size of `data`). Fails with IDA-BIA-011 on any malformed or truncated input.
Result<FingerMinutiaeRecord> ParseFingerMinutiaeRecord(std::span<const uint8_t> data);

// Serialises `record` in its format. Fails with IDA-BIA-011 if a field does not fit
// (e.g. more than 255 minutiae in a view, an extended block over 65,531 bytes).
Result<Bytes> SerializeFingerMinutiaeRecord(const FingerMinutiaeRecord& record);

// Converts view `view_index` to a FingerTemplate (angles to radians; 2011 quality 254/255
// becomes 0, "not reported"). Fails if there is no such view.
Result<FingerTemplate> ToFingerTemplate(const FingerMinutiaeRecord& record, size_t view_index = 0);

// Builds a one-view record from `tmpl` in `format`. Coordinates above 14 bits are clamped.
FingerMinutiaeRecord FromFingerTemplate(const FingerTemplate& tmpl, MinutiaeRecordFormat format);

// Reads the file at `data` and returns the template of its first view: the shortcut used by
// the command line and the evaluation.
Result<FingerTemplate> ParseFingerTemplate(std::span<const uint8_t> data);

// --- Standard extended data blocks -------------------------------------------------------

struct RidgeCount {
  uint8_t index1 = 0;  // minutia indices as in the record (1-based per the standards)
  uint8_t index2 = 0;
  uint8_t count = 0;
  friend bool operator==(const RidgeCount&, const RidgeCount&) = default;
};

struct RidgeCountData {
  uint8_t extraction_method = 0;  // 0 non-specific, 1 four-neighbour, 2 eight-neighbour
  std::vector<RidgeCount> counts;
  friend bool operator==(const RidgeCountData&, const RidgeCountData&) = default;
};

// A core (angles[0] only) or delta (three angles) in record units.
struct SingularPoint {
  uint16_t x = 0;
  uint16_t y = 0;
  bool has_angle = false;
  std::array<uint8_t, 3> angles = {0, 0, 0};
  friend bool operator==(const SingularPoint&, const SingularPoint&) = default;
};

struct CoreDeltaData {
  std::vector<SingularPoint> cores;   // at most 15
  std::vector<SingularPoint> deltas;  // at most 15
  friend bool operator==(const CoreDeltaData&, const CoreDeltaData&) = default;
};

Result<RidgeCountData> DecodeRidgeCounts(const ExtendedDataBlock& block);
ExtendedDataBlock EncodeRidgeCounts(const RidgeCountData& data);
// The core/delta layout differs between 2005/ANSI (type bits in the count byte) and 2011
// (an angle flag in each point's x field).
Result<CoreDeltaData> DecodeCoreDelta(const ExtendedDataBlock& block, MinutiaeRecordFormat format);
Result<ExtendedDataBlock> EncodeCoreDelta(const CoreDeltaData& data, MinutiaeRecordFormat format);

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_FINGER_MINUTIAE_RECORD_H_
