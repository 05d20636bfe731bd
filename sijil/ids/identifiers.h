// Identifier rules: settings, validation and error codes for UIN, VID, PRID and RID.
//
// The rules and codes are MOSIP's (kernel idvalidator/idgenerator): a UIN fails with
// KER-IDV-2xx, a VID with KER-IDV-0xx, a PRID with KER-IDV-1xx and a RID with KER-IDV-3xx,
// and the checks run in MOSIP's order, so the first broken rule decides the code exactly as
// MOSIP's validator would report it. Several rules share one MOSIP code (KER-IDV-202 covers
// sequences, repeats, repeated blocks, even runs, restricted and cyclic numbers); Verdict.rule
// names the precise rule for logs and the command line.
//
// MOSIP's generator filters are stricter than its validators (the UIN generator rejects "11"
// and "1x1" and wrapping sequences such as "890", and cyclic numbers; its validator only
// rejects "111" and non-wrapping sequences). RuleSet::kIssuance, the default, applies the
// union of both, which is what our generators guarantee and what every UIN that MOSIP's
// generator issued satisfies; RuleSet::kMosipValidator applies exactly what MOSIP's validator
// checks, for identifiers that came from elsewhere.
//
// All functions are pure and thread-safe. They never crash on any input: arbitrary bytes
// get a code.
#ifndef SIJIL_IDS_IDENTIFIERS_H_
#define SIJIL_IDS_IDENTIFIERS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sijil/base/result.h"
#include "sijil/base/status.h"

namespace sijil::ids {

// Longest configurable UIN, VID or PRID.
inline constexpr int kMaxIdLength = 64;

enum class IdType { kUin, kVid, kPrid, kRid };

// "uin", "vid", "prid", "rid".
std::string_view IdTypeName(IdType type);
// Inverse of IdTypeName (lower case only); nullopt for anything else.
std::optional<IdType> ParseIdType(std::string_view name);

enum class RuleSet {
  kIssuance,        // MOSIP's generator filters and validator together (default)
  kMosipValidator,  // exactly MOSIP's kernel validator
};

// The rule an identifier broke.
enum class IdRule {
  kNone,
  kSettings,       // the settings themselves are invalid
  kEmpty,          // empty value
  kLength,         // wrong number of characters
  kNonDigit,       // a character other than 0-9
  kFirstDigit,     // starts with a forbidden digit (0, 1 or configured)
  kSequence,       // ascending or descending run ("123", "987")
  kRepeat,         // equal digits too close ("11", "1x1"; "111" for MOSIP's UIN validator)
  kRepeatedBlock,  // a block of digits occurring twice ("48..48")
  kEvenRun,        // consecutive even digits from {2,4,6,8}
  kRestricted,     // contains a restricted number (786, 666)
  kCyclic,         // contains a cyclic number (142857, ...)
  kChecksum,       // Verhoeff check digit does not match
  kMirroredFrame,  // first digits equal the last digits reversed
  kEqualFrame,     // first digits equal the last digits
  kTimestamp,      // RID timestamp is not a valid yyyyMMddHHmmss
  kCentreId,       // RID centre id differs from the expected one
  kMachineId,      // RID machine id differs from the expected one
};

// "sequence", "repeated_block", ... (snake case of the enumerator).
std::string_view IdRuleName(IdRule rule);

// MOSIP property names are given for each field. A limit of 0 switches that rule off.
struct UinSettings {
  int length = 10;                // mosip.kernel.uin.length (including the check digit)
  int sequence_limit = 3;         // mosip.kernel.uin.length.sequence-limit
  int repeating_limit = 2;        // mosip.kernel.uin.length.repeating-limit
  int repeating_block_limit = 2;  // mosip.kernel.uin.length.repeating-block-limit
  int even_digits_limit = 3;      // mosip.kernel.uin.length.conjugative-even-digits-limit
  int reverse_digits_limit = 5;   // mosip.kernel.uin.length.reverse-digits-limit
  int digits_limit = 5;           // mosip.kernel.uin.length.digits-limit
  std::vector<std::string> restricted_numbers = {"786", "666"};  // ...uin.restricted-numbers
  std::string not_start_with = "01";  // mosip.kernel.uin.not-start-with (digits)

  // InvalidArgument SIJ-IDS-001 naming the bad field, or OK.
  Status Check() const;
};

struct VidSettings {
  int length = 16;                // mosip.kernel.vid.length
  int sequence_limit = 3;         // mosip.kernel.vid.length.sequence-limit
  int repeating_limit = 2;        // mosip.kernel.vid.length.repeating-limit
  int repeating_block_limit = 2;  // mosip.kernel.vid.length.repeating-block-limit
  std::vector<std::string> restricted_numbers = {"786", "666"};
  std::string not_start_with = "01";

  // InvalidArgument SIJ-IDS-001 naming the bad field, or OK.
  Status Check() const;
};

struct PridSettings {
  int length = 14;                // mosip.kernel.prid.length
  int sequence_limit = 3;         // mosip.kernel.prid.sequence-limit
  int repeating_limit = 2;        // mosip.kernel.prid.repeating-limit
  int repeating_block_limit = 3;  // mosip.kernel.prid.repeating-block-limit
  std::vector<std::string> restricted_numbers = {"786", "666"};
  std::string not_start_with = "01";

  // InvalidArgument KER-IDV-107 when a length or limit is <= 0 (MOSIP's rule), SIJ-IDS-001
  // for other bad fields, or OK.
  Status Check() const;
};

// RID = centre id + machine id + sequence + timestamp (yyyyMMddHHmmss, UTC), no check digit.
struct RidSettings {
  int centre_id_length = 5;   // mosip.kernel.registrationcenterid.length
  int machine_id_length = 5;  // mosip.kernel.machineid.length
  int sequence_length = 5;    // mosip.kernel.rid.sequence-length
  static constexpr int kTimestampLength = 14;

  int length() const {
    return centre_id_length + machine_id_length + sequence_length + kTimestampLength;
  }
  // InvalidArgument KER-IDV-306 when a length is <= 0 or too long, or OK.
  Status Check() const;
};

struct IdSettings {
  UinSettings uin;
  VidSettings vid;
  PridSettings prid;
  RidSettings rid;

  Status Check() const;
};

// The outcome of validating one value.
struct Verdict {
  Status status;                // OK, or InvalidArgument with the MOSIP code and message
  IdRule rule = IdRule::kNone;  // the broken rule; kNone when valid

  bool ok() const { return status.ok(); }
};

Verdict CheckUin(std::string_view uin, const UinSettings& settings = {},
                 RuleSet rules = RuleSet::kIssuance);
// For VIDs both rule sets are the same: MOSIP's VID generator and validator agree. A VID that
// starts with 0 or 1 fails with KER-IDV-002, as in MOSIP (whose KER-IDV-006 check is disabled;
// the not-start-with filter reports it instead).
Verdict CheckVid(std::string_view vid, const VidSettings& settings = {},
                 RuleSet rules = RuleSet::kIssuance);
Verdict CheckPrid(std::string_view prid, const PridSettings& settings = {},
                  RuleSet rules = RuleSet::kIssuance);
// Structure only: length, digits, a valid timestamp.
Verdict CheckRid(std::string_view rid, const RidSettings& settings = {});
// Also checks that the RID starts with `centre_id` then `machine_id` (KER-IDV-302/303).
Verdict CheckRid(std::string_view rid, std::string_view centre_id, std::string_view machine_id,
                 const RidSettings& settings = {});
Verdict CheckId(IdType type, std::string_view value, const IdSettings& settings = {},
                RuleSet rules = RuleSet::kIssuance);

// Status-only shorthands of the above.
Status ValidateUin(std::string_view uin, const UinSettings& settings = {});
Status ValidateVid(std::string_view vid, const VidSettings& settings = {});
Status ValidatePrid(std::string_view prid, const PridSettings& settings = {});
Status ValidateRid(std::string_view rid, const RidSettings& settings = {});

// Builds a RID from its parts. `centre_id` and `machine_id` must be digits of exactly the
// configured lengths and `sequence` must fit in sequence_length digits (zero-padded);
// `time` is written as yyyyMMddHHmmss in UTC (years 0001..9999). InvalidArgument SIJ-IDS-003
// otherwise.
Result<std::string> FormatRid(std::string_view centre_id, std::string_view machine_id,
                              uint64_t sequence, std::chrono::system_clock::time_point time,
                              const RidSettings& settings = {});

}  // namespace sijil::ids

#endif  // SIJIL_IDS_IDENTIFIERS_H_
