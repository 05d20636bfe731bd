#include "sijil/ids/identifiers.h"

#include <fmt/format.h>

#include <algorithm>

#include "sijil/ids/internal/checks.h"
#include "sijil/ids/internal/digit_rules.h"
#include "sijil/ids/verhoeff.h"

namespace sijil::ids {
namespace {

using internal::ContainsCyclicNumber;
using internal::ContainsRestricted;
using internal::HasEqualFrame;
using internal::HasEvenRun;
using internal::HasMirroredFrame;
using internal::HasNearRepeat;
using internal::HasRepeatedBlock;
using internal::HasRepeatRun;
using internal::HasSequence;
using internal::StartsWithAny;

// MOSIP's messages, kept word for word (spelling included) because clients may match on them.
constexpr char kUinEmpty[] = "UIN should not be Empty or Null.";
constexpr char kUinFilter[] =
    "UIN should not contain any sequential and repeated block of number as per configured or "
    "more than that digits and Admin ristricted numbers";
constexpr char kUinLength[] = "UIN length should be as per configured digit.";
constexpr char kUinDigits[] = "UIN should not contain any alphanumeric characters.";
constexpr char kUinChecksum[] = "UIN should match checksum.";
constexpr char kUinFirstDigit[] = "UIN should not contain start with as per configured.";
constexpr char kUinReverse[] =
    "UIN First configured no.of digits should be different from the reverse of last "
    "configured no. of digits";
constexpr char kUinEqual[] =
    "UIN First configured no.of digits should be different from the last configured no.of "
    "digits";

constexpr char kVidEmpty[] = "VID should not be empty or null.";
constexpr char kVidFilter[] =
    "VID should not contain any sequential and repeated block of number for 2 or more than two "
    "digits";
constexpr char kVidDigits[] = "VID should not contain any alphanumeric characters.";
constexpr char kVidChecksum[] = "VID should match checksum.";

constexpr char kPridEmpty[] = "PRID should not be empty or null.";
constexpr char kPridFilter[] =
    "PRID should not contain any sequential and repeated block of number for 2 or more than "
    "two digits";
constexpr char kPridLength[] = "PRID length should be as configured digit.";
constexpr char kPridDigits[] = "PRID should not contain any alphanumeric characters.";
constexpr char kPridChecksum[] = "PRID should match checksum.";
constexpr char kPridFirstDigit[] = "PRID should not contain Zero or One as first Digit.";
constexpr char kPridSettings[] =
    "Prid length or sequence limit or repeating limit or repeating block limit should not be "
    "less than or equals to zero";

constexpr char kRidNumeric[] = "Rid Must Be Numeric Only";
constexpr char kRidCentre[] = "Center Id Did Not Match";
constexpr char kRidMachine[] = "Machine Id Did Not Match";
constexpr char kRidTimestamp[] = "Invalid Time Stamp Found";
constexpr char kRidSettings[] =
    "Rid length or center id length or machine id length or sequence length or timestamp "
    "length should not be less than or equals to zero";

// MOSIP hard-codes these for UINs and PRIDs whatever not-start-with says.
constexpr std::string_view kZeroOne = "01";

Verdict Fail(const char* code, std::string message, IdRule rule) {
  return Verdict{Status::InvalidArgument(code, std::move(message)), rule};
}

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status BadSetting(std::string_view type, std::string_view field, std::string_view rule) {
  return Status::InvalidArgument("SIJ-IDS-001",
                                 fmt::format("{} settings: {} {}", type, field, rule));
}

// Checks what every digit-id setting has in common.
Status CheckCommon(std::string_view type, int length, int sequence_limit, int repeating_limit,
                   int block_limit, const std::vector<std::string>& restricted,
                   std::string_view not_start_with) {
  if (length < 2 || length > kMaxIdLength) {
    return BadSetting(type, "length", fmt::format("must be 2..{}", kMaxIdLength));
  }
  if (sequence_limit < 0 || sequence_limit == 1 || sequence_limit > 10) {
    return BadSetting(type, "sequence_limit", "must be 0 (off) or 2..10");
  }
  if (repeating_limit < 0 || repeating_limit >= length) {
    return BadSetting(type, "repeating_limit", "must be 0 (off) or less than the length");
  }
  if (block_limit < 0 || block_limit > length / 2) {
    return BadSetting(type, "repeating_block_limit", "must be 0 (off) or at most half the length");
  }
  for (const std::string& r : restricted) {
    if (r.empty() || !AllDigits(r) || r.size() > static_cast<size_t>(length)) {
      return BadSetting(type, "restricted_numbers", "must hold non-empty digit strings");
    }
  }
  if (!AllDigits(not_start_with)) {
    return BadSetting(type, "not_start_with", "must hold digits only");
  }
  std::string first(not_start_with);
  first += kZeroOne;
  std::sort(first.begin(), first.end());
  first.erase(std::unique(first.begin(), first.end()), first.end());
  if (first.size() >= 10) return BadSetting(type, "not_start_with", "leaves no first digit");
  return Status::Ok();
}

}  // namespace

std::string_view IdTypeName(IdType type) {
  switch (type) {
    case IdType::kUin:
      return "uin";
    case IdType::kVid:
      return "vid";
    case IdType::kPrid:
      return "prid";
    case IdType::kRid:
      return "rid";
  }
  return "unknown";
}

std::optional<IdType> ParseIdType(std::string_view name) {
  for (IdType t : {IdType::kUin, IdType::kVid, IdType::kPrid, IdType::kRid}) {
    if (IdTypeName(t) == name) return t;
  }
  return std::nullopt;
}

std::string_view IdRuleName(IdRule rule) {
  switch (rule) {
    case IdRule::kNone:
      return "none";
    case IdRule::kSettings:
      return "settings";
    case IdRule::kEmpty:
      return "empty";
    case IdRule::kLength:
      return "length";
    case IdRule::kNonDigit:
      return "non_digit";
    case IdRule::kFirstDigit:
      return "first_digit";
    case IdRule::kSequence:
      return "sequence";
    case IdRule::kRepeat:
      return "repeat";
    case IdRule::kRepeatedBlock:
      return "repeated_block";
    case IdRule::kEvenRun:
      return "even_run";
    case IdRule::kRestricted:
      return "restricted";
    case IdRule::kCyclic:
      return "cyclic";
    case IdRule::kChecksum:
      return "checksum";
    case IdRule::kMirroredFrame:
      return "mirrored_frame";
    case IdRule::kEqualFrame:
      return "equal_frame";
    case IdRule::kTimestamp:
      return "timestamp";
    case IdRule::kCentreId:
      return "centre_id";
    case IdRule::kMachineId:
      return "machine_id";
  }
  return "unknown";
}

Status UinSettings::Check() const {
  SIJIL_RETURN_IF_ERROR(CheckCommon("uin", length, sequence_limit, repeating_limit,
                                    repeating_block_limit, restricted_numbers, not_start_with));
  if (even_digits_limit < 0 || even_digits_limit > length) {
    return BadSetting("uin", "even_digits_limit", "must be 0 (off) up to the length");
  }
  if (reverse_digits_limit < 0 || reverse_digits_limit > length / 2) {
    return BadSetting("uin", "reverse_digits_limit", "must be 0 (off) up to half the length");
  }
  if (digits_limit < 0 || digits_limit > length / 2) {
    return BadSetting("uin", "digits_limit", "must be 0 (off) up to half the length");
  }
  return Status::Ok();
}

Status VidSettings::Check() const {
  return CheckCommon("vid", length, sequence_limit, repeating_limit, repeating_block_limit,
                     restricted_numbers, not_start_with);
}

Status PridSettings::Check() const {
  if (length <= 0 || sequence_limit <= 0 || repeating_limit <= 0 || repeating_block_limit <= 0) {
    return Status::InvalidArgument("KER-IDV-107", kPridSettings);
  }
  return CheckCommon("prid", length, sequence_limit, repeating_limit, repeating_block_limit,
                     restricted_numbers, not_start_with);
}

Status RidSettings::Check() const {
  auto bad = [](int n) { return n <= 0 || n > 20; };
  if (bad(centre_id_length) || bad(machine_id_length) || bad(sequence_length)) {
    return Status::InvalidArgument("KER-IDV-306", kRidSettings);
  }
  return Status::Ok();
}

Status IdSettings::Check() const {
  SIJIL_RETURN_IF_ERROR(uin.Check());
  SIJIL_RETURN_IF_ERROR(vid.Check());
  SIJIL_RETURN_IF_ERROR(prid.Check());
  return rid.Check();
}

IdRule internal::FirstBrokenUinRule(std::string_view uin, const UinSettings& s, RuleSet rules) {
  const bool issuance = rules == RuleSet::kIssuance;
  if (uin.empty()) return IdRule::kEmpty;
  if (uin.size() != static_cast<size_t>(s.length)) {
    return IdRule::kLength;
  }
  if (!AllDigits(uin)) return IdRule::kNonDigit;
  if (StartsWithAny(uin, kZeroOne) || (issuance && StartsWithAny(uin, s.not_start_with))) {
    return IdRule::kFirstDigit;
  }
  // KER-IDV-202 groups these; the order within the group only decides Verdict.rule.
  if (HasSequence(uin, s.sequence_limit, /*wrap=*/issuance)) {
    return IdRule::kSequence;
  }
  if (HasRepeatRun(uin, s.repeating_limit) || (issuance && HasNearRepeat(uin, s.repeating_limit))) {
    return IdRule::kRepeat;
  }
  if (HasRepeatedBlock(uin, s.repeating_block_limit)) {
    return IdRule::kRepeatedBlock;
  }
  if (HasEvenRun(uin, s.even_digits_limit)) {
    return IdRule::kEvenRun;
  }
  if (ContainsRestricted(uin, s.restricted_numbers)) {
    return IdRule::kRestricted;
  }
  if (issuance && ContainsCyclicNumber(uin)) {
    return IdRule::kCyclic;
  }
  if (!VerhoeffValid(uin)) return IdRule::kChecksum;
  if (HasMirroredFrame(uin, s.reverse_digits_limit)) {
    return IdRule::kMirroredFrame;
  }
  if (HasEqualFrame(uin, s.digits_limit)) {
    return IdRule::kEqualFrame;
  }
  return IdRule::kNone;
}

IdRule internal::FirstBrokenVidRule(std::string_view vid, const VidSettings& s, RuleSet /*rules*/) {
  if (vid.empty()) return IdRule::kEmpty;
  if (vid.size() != static_cast<size_t>(s.length)) {
    return IdRule::kLength;
  }
  if (!AllDigits(vid)) return IdRule::kNonDigit;
  if (HasSequence(vid, s.sequence_limit, /*wrap=*/false)) {
    return IdRule::kSequence;
  }
  if (HasNearRepeat(vid, s.repeating_limit)) {
    return IdRule::kRepeat;
  }
  if (HasRepeatedBlock(vid, s.repeating_block_limit)) {
    return IdRule::kRepeatedBlock;
  }
  if (StartsWithAny(vid, s.not_start_with)) {
    return IdRule::kFirstDigit;
  }
  if (ContainsRestricted(vid, s.restricted_numbers)) {
    return IdRule::kRestricted;
  }
  if (!VerhoeffValid(vid)) return IdRule::kChecksum;
  return IdRule::kNone;
}

IdRule internal::FirstBrokenPridRule(std::string_view prid, const PridSettings& s, RuleSet rules) {
  const bool issuance = rules == RuleSet::kIssuance;
  if (prid.empty()) return IdRule::kEmpty;
  if (prid.size() != static_cast<size_t>(s.length)) {
    return IdRule::kLength;
  }
  if (!AllDigits(prid)) return IdRule::kNonDigit;
  if (StartsWithAny(prid, kZeroOne) || (issuance && StartsWithAny(prid, s.not_start_with))) {
    return IdRule::kFirstDigit;
  }
  if (HasSequence(prid, s.sequence_limit, /*wrap=*/false)) {
    return IdRule::kSequence;
  }
  if (HasNearRepeat(prid, s.repeating_limit)) {
    return IdRule::kRepeat;
  }
  if (HasRepeatedBlock(prid, s.repeating_block_limit)) {
    return IdRule::kRepeatedBlock;
  }
  // MOSIP configures restricted numbers for PRIDs but its validator does not check them.
  if (issuance && ContainsRestricted(prid, s.restricted_numbers)) {
    return IdRule::kRestricted;
  }
  if (!VerhoeffValid(prid)) return IdRule::kChecksum;
  return IdRule::kNone;
}

namespace {

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// yyyyMMddHHmmss naming a real instant of the Gregorian calendar (year 0001 and later).
bool ValidTimestamp(std::string_view ts) {
  if (ts.size() != 14 || !AllDigits(ts)) return false;
  auto num = [ts](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (ts[i] - '0');
    return v;
  };
  const int year = num(0, 4), month = num(4, 2), day = num(6, 2);
  const int hour = num(8, 2), minute = num(10, 2), second = num(12, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int days = kDays[month - 1] + (month == 2 && IsLeap(year) ? 1 : 0);
  return day <= days && hour <= 23 && minute <= 59 && second <= 59;
}

}  // namespace

namespace {

bool InFilterGroup(IdRule rule) {
  switch (rule) {
    case IdRule::kSequence:
    case IdRule::kRepeat:
    case IdRule::kRepeatedBlock:
    case IdRule::kEvenRun:
    case IdRule::kRestricted:
    case IdRule::kCyclic:
      return true;
    default:
      return false;
  }
}

Verdict UinVerdict(IdRule rule) {
  if (InFilterGroup(rule)) return Fail("KER-IDV-202", kUinFilter, rule);
  switch (rule) {
    case IdRule::kNone:
      return Verdict{};
    case IdRule::kEmpty:
      return Fail("KER-IDV-201", kUinEmpty, rule);
    case IdRule::kLength:
      return Fail("KER-IDV-203", kUinLength, rule);
    case IdRule::kNonDigit:
      return Fail("KER-IDV-204", kUinDigits, rule);
    case IdRule::kFirstDigit:
      return Fail("KER-IDV-206", kUinFirstDigit, rule);
    case IdRule::kChecksum:
      return Fail("KER-IDV-205", kUinChecksum, rule);
    case IdRule::kMirroredFrame:
      return Fail("KER-IDV-207", kUinReverse, rule);
    case IdRule::kEqualFrame:
      return Fail("KER-IDV-208", kUinEqual, rule);
    default:
      return Verdict{Status::Internal("SIJ-IDS-000", "unexpected UIN rule"), rule};
  }
}

Verdict VidVerdict(IdRule rule, const VidSettings& s) {
  // MOSIP reports a forbidden first digit through its not-start-with filter (KER-IDV-002).
  if (InFilterGroup(rule) || rule == IdRule::kFirstDigit) {
    return Fail("KER-IDV-002", kVidFilter, rule);
  }
  switch (rule) {
    case IdRule::kNone:
      return Verdict{};
    case IdRule::kEmpty:
      return Fail("KER-IDV-001", kVidEmpty, rule);
    case IdRule::kLength:
      return Fail("KER-IDV-003", fmt::format("VID length should be {} digit.", s.length), rule);
    case IdRule::kNonDigit:
      return Fail("KER-IDV-004", kVidDigits, rule);
    case IdRule::kChecksum:
      return Fail("KER-IDV-005", kVidChecksum, rule);
    default:
      return Verdict{Status::Internal("SIJ-IDS-000", "unexpected VID rule"), rule};
  }
}

Verdict PridVerdict(IdRule rule) {
  if (InFilterGroup(rule)) return Fail("KER-IDV-102", kPridFilter, rule);
  switch (rule) {
    case IdRule::kNone:
      return Verdict{};
    case IdRule::kEmpty:
      return Fail("KER-IDV-101", kPridEmpty, rule);
    case IdRule::kLength:
      return Fail("KER-IDV-103", kPridLength, rule);
    case IdRule::kNonDigit:
      return Fail("KER-IDV-104", kPridDigits, rule);
    case IdRule::kFirstDigit:
      return Fail("KER-IDV-106", kPridFirstDigit, rule);
    case IdRule::kChecksum:
      return Fail("KER-IDV-105", kPridChecksum, rule);
    default:
      return Verdict{Status::Internal("SIJ-IDS-000", "unexpected PRID rule"), rule};
  }
}

}  // namespace

Verdict CheckUin(std::string_view uin, const UinSettings& s, RuleSet rules) {
  if (Status st = s.Check(); !st.ok()) return Verdict{st, IdRule::kSettings};
  return UinVerdict(internal::FirstBrokenUinRule(uin, s, rules));
}

Verdict CheckVid(std::string_view vid, const VidSettings& s, RuleSet rules) {
  if (Status st = s.Check(); !st.ok()) return Verdict{st, IdRule::kSettings};
  return VidVerdict(internal::FirstBrokenVidRule(vid, s, rules), s);
}

Verdict CheckPrid(std::string_view prid, const PridSettings& s, RuleSet rules) {
  if (Status st = s.Check(); !st.ok()) return Verdict{st, IdRule::kSettings};
  return PridVerdict(internal::FirstBrokenPridRule(prid, s, rules));
}

Verdict CheckRid(std::string_view rid, const RidSettings& s) {
  if (Status st = s.Check(); !st.ok()) return Verdict{st, IdRule::kSettings};
  const size_t length = static_cast<size_t>(s.length());
  if (rid.size() != length) {
    return Fail("KER-IDV-304", fmt::format("Rid Length Must Be {}", length), IdRule::kLength);
  }
  if (!AllDigits(rid)) return Fail("KER-IDV-301", kRidNumeric, IdRule::kNonDigit);
  if (!ValidTimestamp(rid.substr(length - RidSettings::kTimestampLength))) {
    return Fail("KER-IDV-305", kRidTimestamp, IdRule::kTimestamp);
  }
  // MOSIP's KER-IDV-307 (sequence of the wrong length) cannot happen here: the RID length is
  // the sum of the part lengths, not a separate setting that could disagree with them.
  return Verdict{};
}

Verdict CheckRid(std::string_view rid, std::string_view centre_id, std::string_view machine_id,
                 const RidSettings& s) {
  Verdict v = CheckRid(rid, s);
  if (!v.ok()) return v;
  const size_t c = static_cast<size_t>(s.centre_id_length);
  const size_t m = static_cast<size_t>(s.machine_id_length);
  if (rid.substr(0, c) != centre_id) return Fail("KER-IDV-302", kRidCentre, IdRule::kCentreId);
  if (rid.substr(c, m) != machine_id) {
    return Fail("KER-IDV-303", kRidMachine, IdRule::kMachineId);
  }
  return v;
}

Verdict CheckId(IdType type, std::string_view value, const IdSettings& settings, RuleSet rules) {
  switch (type) {
    case IdType::kUin:
      return CheckUin(value, settings.uin, rules);
    case IdType::kVid:
      return CheckVid(value, settings.vid, rules);
    case IdType::kPrid:
      return CheckPrid(value, settings.prid, rules);
    case IdType::kRid:
      return CheckRid(value, settings.rid);
  }
  return Verdict{Status::Internal("SIJ-IDS-000", "unknown identifier type"), IdRule::kSettings};
}

Status ValidateUin(std::string_view uin, const UinSettings& settings) {
  return CheckUin(uin, settings).status;
}
Status ValidateVid(std::string_view vid, const VidSettings& settings) {
  return CheckVid(vid, settings).status;
}
Status ValidatePrid(std::string_view prid, const PridSettings& settings) {
  return CheckPrid(prid, settings).status;
}
Status ValidateRid(std::string_view rid, const RidSettings& settings) {
  return CheckRid(rid, settings).status;
}

Result<std::string> FormatRid(std::string_view centre_id, std::string_view machine_id,
                              uint64_t sequence, std::chrono::system_clock::time_point time,
                              const RidSettings& s) {
  SIJIL_RETURN_IF_ERROR(s.Check());
  if (centre_id.size() != static_cast<size_t>(s.centre_id_length) || !AllDigits(centre_id)) {
    return Status::InvalidArgument("SIJ-IDS-003",
                                   fmt::format("centre id must be {} digits", s.centre_id_length));
  }
  if (machine_id.size() != static_cast<size_t>(s.machine_id_length) || !AllDigits(machine_id)) {
    return Status::InvalidArgument(
        "SIJ-IDS-003", fmt::format("machine id must be {} digits", s.machine_id_length));
  }
  std::string seq = std::to_string(sequence);
  if (seq.size() > static_cast<size_t>(s.sequence_length)) {
    return Status::InvalidArgument(
        "SIJ-IDS-003", fmt::format("RID sequence does not fit in {} digits", s.sequence_length));
  }
  seq.insert(0, static_cast<size_t>(s.sequence_length) - seq.size(), '0');

  using namespace std::chrono;
  const auto secs = floor<seconds>(time);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{secs - day};
  const int year = static_cast<int>(ymd.year());
  if (year < 1 || year > 9999) {
    return Status::InvalidArgument("SIJ-IDS-003", "RID time must be in years 0001..9999");
  }
  std::string ts = fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}", year,
                               static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                               hms.hours().count(), hms.minutes().count(), hms.seconds().count());
  return std::string(centre_id) + std::string(machine_id) + seq + ts;
}

}  // namespace sijil::ids
