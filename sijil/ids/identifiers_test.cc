#include "sijil/ids/identifiers.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <string>

#include "sijil/base/env.h"
#include "sijil/ids/generator.h"
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

// Every UIN rule that `id` breaks under `s` (issuance rules), independent of the order in
// which the validator checks them. A per-rule test asserts that this set has one element, so
// the value breaks exactly the rule under test.
std::set<IdRule> BrokenUinRules(const std::string& id, const UinSettings& s) {
  std::set<IdRule> out;
  if (StartsWithAny(id, "01") || StartsWithAny(id, s.not_start_with)) {
    out.insert(IdRule::kFirstDigit);
  }
  if (HasSequence(id, s.sequence_limit, true)) out.insert(IdRule::kSequence);
  if (HasNearRepeat(id, s.repeating_limit) || HasRepeatRun(id, s.repeating_limit)) {
    out.insert(IdRule::kRepeat);
  }
  if (HasRepeatedBlock(id, s.repeating_block_limit)) out.insert(IdRule::kRepeatedBlock);
  if (HasEvenRun(id, s.even_digits_limit)) out.insert(IdRule::kEvenRun);
  if (ContainsRestricted(id, s.restricted_numbers)) out.insert(IdRule::kRestricted);
  if (ContainsCyclicNumber(id)) out.insert(IdRule::kCyclic);
  if (!VerhoeffValid(id)) out.insert(IdRule::kChecksum);
  if (HasMirroredFrame(id, s.reverse_digits_limit)) out.insert(IdRule::kMirroredFrame);
  if (HasEqualFrame(id, s.digits_limit)) out.insert(IdRule::kEqualFrame);
  return out;
}

// The same for VIDs and PRIDs (no even runs, frames or cyclic numbers; non-wrapping
// sequences).
template <typename Settings>
std::set<IdRule> BrokenShortRules(const std::string& id, const Settings& s, bool zero_one) {
  std::set<IdRule> out;
  if (StartsWithAny(id, s.not_start_with) || (zero_one && StartsWithAny(id, "01"))) {
    out.insert(IdRule::kFirstDigit);
  }
  if (HasSequence(id, s.sequence_limit, false)) out.insert(IdRule::kSequence);
  if (HasNearRepeat(id, s.repeating_limit)) out.insert(IdRule::kRepeat);
  if (HasRepeatedBlock(id, s.repeating_block_limit)) out.insert(IdRule::kRepeatedBlock);
  if (ContainsRestricted(id, s.restricted_numbers)) out.insert(IdRule::kRestricted);
  if (!VerhoeffValid(id)) out.insert(IdRule::kChecksum);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Verhoeff

TEST(Verhoeff, KnownCheckDigits) {
  // The textbook example: 236 gets check digit 3; 12345 gets 1.
  EXPECT_EQ(VerhoeffCheckDigit("236"), '3');
  EXPECT_EQ(VerhoeffCheckDigit("12345"), '1');
  EXPECT_EQ(VerhoeffCheckDigit("142857"), '0');
  EXPECT_TRUE(VerhoeffValid("2363"));
  EXPECT_TRUE(VerhoeffValid("123451"));
  EXPECT_TRUE(VerhoeffValid("1428570"));
  EXPECT_FALSE(VerhoeffValid("2364"));
  EXPECT_FALSE(VerhoeffValid(""));
  EXPECT_FALSE(VerhoeffCheckDigit("").has_value());
  EXPECT_FALSE(VerhoeffCheckDigit("12a").has_value());
  EXPECT_FALSE(VerhoeffValid("236x"));
}

TEST(Verhoeff, DetectsEverySingleDigitErrorAndAdjacentTransposition) {
  const std::string id = "2094215024";
  ASSERT_TRUE(VerhoeffValid(id));
  for (size_t i = 0; i < id.size(); ++i) {
    for (char c = '0'; c <= '9'; ++c) {
      if (c == id[i]) continue;
      std::string bad = id;
      bad[i] = c;
      EXPECT_FALSE(VerhoeffValid(bad)) << bad;
    }
    if (i + 1 < id.size() && id[i] != id[i + 1]) {
      std::string swapped = id;
      std::swap(swapped[i], swapped[i + 1]);
      EXPECT_FALSE(VerhoeffValid(swapped)) << swapped;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The loops in digit_rules.cc must find exactly what MOSIP's regular expressions find.

TEST(DigitRules, AgreeWithMosipRegularExpressions) {
  SimulatedEnv env(7);
  const std::regex near2(R"((\d)\d{0,1}\1)");
  const std::regex near3(R"((\d)\d{0,2}\1)");
  const std::regex run2(R"(([0-9])\1{2})");
  const std::regex block2(R"((\d{2,}).*?\1)");
  const std::regex block3(R"((\d{3,}).*?\1)");
  const std::regex even3("[2468]{3}");
  auto contains_seq = [](const std::string& id, const std::string& asc, const std::string& desc) {
    for (size_t i = 0; i + 3 <= id.size(); ++i) {
      std::string w = id.substr(i, 3);
      if (asc.find(w) != std::string::npos || desc.find(w) != std::string::npos) return true;
    }
    return false;
  };
  int hits[8] = {};
  for (int n = 0; n < 20000; ++n) {
    // Short ids over few distinct digits, so every rule fires often enough to be compared.
    const size_t len = 4 + env.RandomUniform(13);
    const int alphabet = 3 + static_cast<int>(env.RandomUniform(8));
    std::string id;
    for (size_t i = 0; i < len; ++i)
      id.push_back(static_cast<char>('0' + env.RandomUniform(alphabet)));
    const bool expect[8] = {
        std::regex_search(id, near2),
        std::regex_search(id, near3),
        std::regex_search(id, run2),
        std::regex_search(id, block2),
        std::regex_search(id, block3),
        std::regex_search(id, even3),
        contains_seq(id, "0123456789", "9876543210"),
        contains_seq(id, "01234567890123456789", "98765432109876543210"),
    };
    const bool got[8] = {HasNearRepeat(id, 2),      HasNearRepeat(id, 3),    HasRepeatRun(id, 2),
                         HasRepeatedBlock(id, 2),   HasRepeatedBlock(id, 3), HasEvenRun(id, 3),
                         HasSequence(id, 3, false), HasSequence(id, 3, true)};
    for (int r = 0; r < 8; ++r) {
      ASSERT_EQ(got[r], expect[r]) << "rule " << r << " on " << id;
      hits[r] += expect[r];
    }
  }
  for (int r = 0; r < 8; ++r) EXPECT_GT(hits[r], 100) << "rule " << r << " rarely exercised";
}

TEST(DigitRules, CyclicNumbersAreTheRepetendsOfFullReptendPrimes) {
  const auto& cyclic = internal::CyclicNumbers();
  ASSERT_EQ(cyclic.size(), 9u);
  EXPECT_EQ(cyclic[0], "142857");
  EXPECT_EQ(cyclic[1], "0588235294117647");
  EXPECT_EQ(cyclic[2], "052631578947368421");
  EXPECT_EQ(cyclic[3].size(), 22u);
  EXPECT_EQ(cyclic[8].size(), 96u);
  // Only repetends no longer than the id count.
  EXPECT_TRUE(ContainsCyclicNumber("91428570"));
  EXPECT_FALSE(ContainsCyclicNumber("05882352941176"));  // 14 digits: the 16-digit one is cut
  EXPECT_TRUE(ContainsCyclicNumber("90588235294117647"));
}

TEST(DigitRules, WrappingSequences) {
  EXPECT_TRUE(HasSequence("5890", 3, true));
  EXPECT_FALSE(HasSequence("5890", 3, false));
  EXPECT_TRUE(HasSequence("5109", 3, true));
  EXPECT_FALSE(HasSequence("5109", 3, false));
  EXPECT_TRUE(HasSequence("5432", 3, false));
  EXPECT_FALSE(HasSequence("5432", 0, false));
}

// ---------------------------------------------------------------------------------------------
// UIN: one test per rule, each with a value that breaks exactly that rule.

struct RuleCase {
  const char* value;
  IdRule rule;
  const char* code;
};

void ExpectUin(const std::string& id, const UinSettings& s, IdRule rule, const char* code) {
  EXPECT_EQ(BrokenUinRules(id, s), std::set<IdRule>{rule}) << id;
  Verdict v = CheckUin(id, s);
  EXPECT_FALSE(v.ok()) << id;
  EXPECT_EQ(v.rule, rule) << id;
  EXPECT_EQ(v.status.code(), code) << id;
  EXPECT_EQ(v.status.kind(), StatusKind::kInvalidArgument);
}

TEST(Uin, ValidValue) {
  const std::string id = "2094215024";
  EXPECT_TRUE(BrokenUinRules(id, {}).empty());
  EXPECT_TRUE(CheckUin(id).ok());
  EXPECT_TRUE(CheckUin(id, {}, RuleSet::kMosipValidator).ok());
  EXPECT_TRUE(ValidateUin(id).ok());
}

TEST(Uin, Empty) {
  Verdict v = CheckUin("");
  EXPECT_EQ(v.status.code(), "KER-IDV-201");
  EXPECT_EQ(v.status.message(), "UIN should not be Empty or Null.");
  EXPECT_EQ(v.rule, IdRule::kEmpty);
}

TEST(Uin, Length) {
  EXPECT_EQ(CheckUin("209421502").status.code(), "KER-IDV-203");
  EXPECT_EQ(CheckUin("20942150240").status.code(), "KER-IDV-203");
  EXPECT_EQ(CheckUin("20942150240").rule, IdRule::kLength);
}

TEST(Uin, NonDigit) {
  EXPECT_EQ(CheckUin("20942150a4").status.code(), "KER-IDV-204");
  EXPECT_EQ(CheckUin("2094215 24").status.code(), "KER-IDV-204");
  EXPECT_EQ(CheckUin(std::string("20942\0502", 10)).status.code(), "KER-IDV-204");
}

TEST(Uin, FirstDigitZeroOrOne) {
  ExpectUin("1438065189", {}, IdRule::kFirstDigit, "KER-IDV-206");
  // The MOSIP validator hard-codes 0 and 1 regardless of not-start-with.
  UinSettings s;
  s.not_start_with = "";
  EXPECT_EQ(CheckUin("1438065189", s, RuleSet::kMosipValidator).status.code(), "KER-IDV-206");
  // A configured extra digit is refused by the issuance rules only.
  s.not_start_with = "2";
  EXPECT_EQ(CheckUin("2094215024", s).status.code(), "KER-IDV-206");
  EXPECT_TRUE(CheckUin("2094215024", s, RuleSet::kMosipValidator).ok());
}

TEST(Uin, Sequence) {
  ExpectUin("8012952105", {}, IdRule::kSequence, "KER-IDV-202");  // 012
  // 890 wraps: MOSIP's generator refuses it, its validator accepts it.
  ExpectUin("8630983160", {}, IdRule::kSequence, "KER-IDV-202");
  EXPECT_TRUE(CheckUin("8630983160", {}, RuleSet::kMosipValidator).ok());
}

TEST(Uin, Repeat) {
  ExpectUin("9375255397", {}, IdRule::kRepeat, "KER-IDV-202");  // 525 and 55
  // "88" (and "x1x") is refused by MOSIP's generator but not by its validator, which only
  // refuses three in a row.
  ExpectUin("2088151806", {}, IdRule::kRepeat, "KER-IDV-202");
  EXPECT_TRUE(CheckUin("2088151806", {}, RuleSet::kMosipValidator).ok());
}

TEST(Uin, RepeatedBlock) { ExpectUin("9605703403", {}, IdRule::kRepeatedBlock, "KER-IDV-202"); }

TEST(Uin, EvenRun) { ExpectUin("3142657083", {}, IdRule::kEvenRun, "KER-IDV-202"); }

TEST(Uin, RestrictedNumber) {
  ExpectUin("4578650287", {}, IdRule::kRestricted, "KER-IDV-202");  // 786
  UinSettings s;
  s.restricted_numbers = {};
  EXPECT_TRUE(CheckUin("4578650287", s).ok());
}

TEST(Uin, CyclicNumber) {
  // 142857 always holds the even run 428, so that rule is switched off to isolate this one.
  UinSettings s;
  s.even_digits_limit = 0;
  ExpectUin("9142857041", s, IdRule::kCyclic, "KER-IDV-202");
  EXPECT_TRUE(CheckUin("9142857041", s, RuleSet::kMosipValidator).ok());
}

TEST(Uin, Checksum) {
  ExpectUin("3759735294", {}, IdRule::kChecksum, "KER-IDV-205");
  EXPECT_EQ(CheckUin("3759735294").status.message(), "UIN should match checksum.");
}

TEST(Uin, MirroredHalves) {
  // abcde|edcba always holds "ee", so the repeat rule is switched off to isolate this one.
  UinSettings s;
  s.repeating_limit = 0;
  ExpectUin("5167007615", s, IdRule::kMirroredFrame, "KER-IDV-207");
  // MOSIP's validator only refuses three equal digits, so it reaches KER-IDV-207 by default.
  EXPECT_EQ(CheckUin("5167007615", {}, RuleSet::kMosipValidator).status.code(), "KER-IDV-207");
}

TEST(Uin, EqualHalves) {
  // abcde|abcde always repeats a two-digit block, so that rule is switched off.
  UinSettings s;
  s.repeating_block_limit = 0;
  ExpectUin("9570395703", s, IdRule::kEqualFrame, "KER-IDV-208");
}

TEST(Uin, MosipOrderDecidesTheCode) {
  // Non-digits are reported before the first digit, the first digit before the filters, and
  // the filters before the checksum, as in MOSIP's validator.
  EXPECT_EQ(CheckUin("1a00000000").status.code(), "KER-IDV-204");
  EXPECT_EQ(CheckUin("1111111111").status.code(), "KER-IDV-206");
  EXPECT_EQ(CheckUin("2222222222").status.code(), "KER-IDV-202");
}

TEST(Uin, ConfigurableLength) {
  UinSettings s;
  s.length = 12;
  SimulatedEnv env(3);
  Result<std::string> uin = GenerateUin(env, s);
  ASSERT_TRUE(uin.ok()) << uin.status();
  EXPECT_EQ(uin->size(), 12u);
  EXPECT_TRUE(CheckUin(*uin, s).ok());
  EXPECT_EQ(CheckUin(*uin).status.code(), "KER-IDV-203");
}

TEST(Uin, BadSettings) {
  UinSettings s;
  s.sequence_limit = 1;
  Verdict v = CheckUin("2094215024", s);
  EXPECT_EQ(v.rule, IdRule::kSettings);
  EXPECT_EQ(v.status.code(), "SIJ-IDS-001");
  EXPECT_NE(v.status.message().find("sequence_limit"), std::string::npos);
  s = {};
  s.length = 1000;
  EXPECT_EQ(s.Check().code(), "SIJ-IDS-001");
  s = {};
  s.not_start_with = "0123456789";
  EXPECT_EQ(s.Check().code(), "SIJ-IDS-001");
  s = {};
  s.restricted_numbers = {"7a6"};
  EXPECT_EQ(s.Check().code(), "SIJ-IDS-001");
  s = {};
  s.digits_limit = 6;
  EXPECT_EQ(s.Check().code(), "SIJ-IDS-001");
}

// ---------------------------------------------------------------------------------------------
// VID

void ExpectVid(const std::string& id, IdRule rule, const char* code) {
  VidSettings s;
  EXPECT_EQ(BrokenShortRules(id, s, false), std::set<IdRule>{rule}) << id;
  Verdict v = CheckVid(id, s);
  EXPECT_EQ(v.rule, rule) << id;
  EXPECT_EQ(v.status.code(), code) << id;
}

TEST(Vid, Rules) {
  EXPECT_TRUE(CheckVid("8931942608340579").ok());
  EXPECT_TRUE(BrokenShortRules("8931942608340579", VidSettings{}, false).empty());
  EXPECT_EQ(CheckVid("").status.code(), "KER-IDV-001");
  EXPECT_EQ(CheckVid("893194260834057").status.code(), "KER-IDV-003");
  EXPECT_EQ(CheckVid("893194260834057").status.message(), "VID length should be 16 digit.");
  EXPECT_EQ(CheckVid("89319426083405x9").status.code(), "KER-IDV-004");
  // MOSIP reports a 0/1 start through its not-start-with filter, i.e. KER-IDV-002.
  ExpectVid("0963875047395714", IdRule::kFirstDigit, "KER-IDV-002");
  ExpectVid("6492083124023487", IdRule::kSequence, "KER-IDV-002");
  ExpectVid("3478245040008839", IdRule::kRepeat, "KER-IDV-002");
  ExpectVid("2014620168493409", IdRule::kRepeatedBlock, "KER-IDV-002");
  ExpectVid("7864895032496856", IdRule::kRestricted, "KER-IDV-002");
  ExpectVid("2638962841078061", IdRule::kChecksum, "KER-IDV-005");
}

// ---------------------------------------------------------------------------------------------
// PRID

void ExpectPrid(const std::string& id, IdRule rule, const char* code) {
  PridSettings s;
  EXPECT_EQ(BrokenShortRules(id, s, true), std::set<IdRule>{rule}) << id;
  Verdict v = CheckPrid(id, s);
  EXPECT_EQ(v.rule, rule) << id;
  EXPECT_EQ(v.status.code(), code) << id;
}

TEST(Prid, Rules) {
  EXPECT_TRUE(CheckPrid("31245968230759").ok());
  EXPECT_TRUE(BrokenShortRules("31245968230759", PridSettings{}, true).empty());
  EXPECT_EQ(CheckPrid("").status.code(), "KER-IDV-101");
  EXPECT_EQ(CheckPrid("3124596823075").status.code(), "KER-IDV-103");
  EXPECT_EQ(CheckPrid("3124596823075-").status.code(), "KER-IDV-104");
  ExpectPrid("07295849243724", IdRule::kFirstDigit, "KER-IDV-106");
  ExpectPrid("69321765416325", IdRule::kSequence, "KER-IDV-102");
  ExpectPrid("46770968250676", IdRule::kRepeat, "KER-IDV-102");
  ExpectPrid("91843781781467", IdRule::kRepeatedBlock, "KER-IDV-102");
  ExpectPrid("21526749578651", IdRule::kRestricted, "KER-IDV-102");
  ExpectPrid("29463974054620", IdRule::kChecksum, "KER-IDV-105");
  // MOSIP's PRID validator does not look at restricted numbers.
  EXPECT_TRUE(CheckPrid("21526749578651", {}, RuleSet::kMosipValidator).ok());
}

TEST(Prid, SettingsAtOrBelowZeroAreKerIdv107) {
  PridSettings s;
  s.repeating_block_limit = 0;
  Verdict v = CheckPrid("31245968230759", s);
  EXPECT_EQ(v.status.code(), "KER-IDV-107");
  EXPECT_EQ(v.rule, IdRule::kSettings);
}

// ---------------------------------------------------------------------------------------------
// RID

TEST(Rid, Rules) {
  // MOSIP's documented example.
  EXPECT_TRUE(CheckRid("10001100771006920220128223618").ok());
  EXPECT_TRUE(CheckRid("27847657360002520181208183050", "27847", "65736").ok());
  EXPECT_EQ(CheckRid("2784765736000252018120818305").status.code(), "KER-IDV-304");
  EXPECT_EQ(CheckRid("2784765736000252018120818305").status.message(), "Rid Length Must Be 29");
  EXPECT_EQ(CheckRid("").status.code(), "KER-IDV-304");
  EXPECT_EQ(CheckRid("2784765736000252018120818305a").status.code(), "KER-IDV-301");
  // MOSIP's documented invalid example: 70 seconds.
  EXPECT_EQ(CheckRid("27847657360002520181208183070").status.code(), "KER-IDV-305");
  EXPECT_EQ(CheckRid("27847657360002520181208183070").rule, IdRule::kTimestamp);
  EXPECT_EQ(CheckRid("27847657360002520230229120000").status.code(), "KER-IDV-305");  // no 29 Feb
  EXPECT_TRUE(CheckRid("27847657360002520240229120000").ok());                        // leap year
  EXPECT_EQ(CheckRid("27847657360002520240230120000").status.code(), "KER-IDV-305");
  EXPECT_EQ(CheckRid("27847657360002520241301120000").status.code(), "KER-IDV-305");
  EXPECT_EQ(CheckRid("27847657360002520240100120000").status.code(), "KER-IDV-305");
  EXPECT_EQ(CheckRid("27847657360002520240101240000").status.code(), "KER-IDV-305");
  EXPECT_EQ(CheckRid("27847657360002519000229120000").status.code(), "KER-IDV-305");  // 1900
  EXPECT_TRUE(CheckRid("27847657360002520000229120000").ok());                        // 2000
  EXPECT_EQ(CheckRid("27847657360002520181208183050", "27848", "65736").status.code(),
            "KER-IDV-302");
  EXPECT_EQ(CheckRid("27847657360002520181208183050", "27847", "65737").status.code(),
            "KER-IDV-303");
  RidSettings bad;
  bad.sequence_length = 0;
  EXPECT_EQ(CheckRid("27847657360002520181208183050", bad).status.code(), "KER-IDV-306");
}

TEST(Rid, FormatRoundTrips) {
  using namespace std::chrono;
  const sys_seconds t = sys_days{year{2022} / 1 / 28} + hours{22} + minutes{36} + seconds{18};
  Result<std::string> rid = FormatRid("10001", "10077", 10069, t);
  ASSERT_TRUE(rid.ok()) << rid.status();
  EXPECT_EQ(*rid, "10001100771006920220128223618");
  EXPECT_TRUE(CheckRid(*rid, "10001", "10077").ok());
  EXPECT_EQ(*FormatRid("10001", "10077", 7, t), "10001100770000720220128223618");
  EXPECT_EQ(FormatRid("1001", "10077", 7, t).status().code(), "SIJ-IDS-003");
  EXPECT_EQ(FormatRid("10001", "1007x", 7, t).status().code(), "SIJ-IDS-003");
  EXPECT_EQ(FormatRid("10001", "10077", 100000, t).status().code(), "SIJ-IDS-003");
}

TEST(IdType, Names) {
  for (IdType t : {IdType::kUin, IdType::kVid, IdType::kPrid, IdType::kRid}) {
    EXPECT_EQ(ParseIdType(IdTypeName(t)), t);
  }
  EXPECT_FALSE(ParseIdType("UIN").has_value());
  EXPECT_EQ(IdRuleName(IdRule::kRepeatedBlock), "repeated_block");
}

// ---------------------------------------------------------------------------------------------
// Generation

TEST(Generator, TenThousandUinsAllValidate) {
  SimulatedEnv env(2026);
  Result<IdGenerator> gen = IdGenerator::Create(IdType::kUin, {}, env);
  ASSERT_TRUE(gen.ok()) << gen.status();
  std::set<std::string> seen;
  std::map<char, int> first;
  for (int i = 0; i < 10000; ++i) {
    Result<std::string> uin = gen->Next();
    ASSERT_TRUE(uin.ok()) << uin.status();
    ASSERT_TRUE(CheckUin(*uin).ok()) << *uin << " " << CheckUin(*uin).status;
    ASSERT_TRUE(CheckUin(*uin, {}, RuleSet::kMosipValidator).ok()) << *uin;
    ASSERT_TRUE(BrokenUinRules(*uin, {}).empty()) << *uin;
    seen.insert(*uin);
    ++first[uin->front()];
  }
  // Birthday bound: among ~10^8 valid UINs, 10,000 draws almost never repeat.
  EXPECT_GE(seen.size(), 9999u);
  // First digits 2..9 only, and not skewed: each should get about 1/8 of the draws, adjusted
  // by how many valid completions each digit has. A Benford-like skew (MOSIP) would put about
  // 2.5 times as many 2s as 9s.
  EXPECT_EQ(first.count('0') + first.count('1'), 0u);
  for (char d = '2'; d <= '9'; ++d) {
    EXPECT_GT(first[d], 900) << d;
    EXPECT_LT(first[d], 1600) << d;
  }
}

TEST(Generator, VidsAndPridsValidate) {
  SimulatedEnv env(11);
  Result<IdGenerator> vids = IdGenerator::Create(IdType::kVid, {}, env);
  Result<IdGenerator> prids = IdGenerator::Create(IdType::kPrid, {}, env);
  ASSERT_TRUE(vids.ok() && prids.ok());
  Result<std::vector<std::string>> v = vids->Next(1000);
  Result<std::vector<std::string>> p = prids->Next(1000);
  ASSERT_TRUE(v.ok() && p.ok());
  for (const auto& id : *v) {
    ASSERT_EQ(id.size(), 16u);
    ASSERT_TRUE(CheckVid(id).ok()) << id;
  }
  for (const auto& id : *p) {
    ASSERT_EQ(id.size(), 14u);
    ASSERT_TRUE(CheckPrid(id).ok()) << id;
    ASSERT_TRUE(CheckPrid(id, {}, RuleSet::kMosipValidator).ok()) << id;
  }
}

TEST(Generator, SeededEnvIsReproducible) {
  SimulatedEnv a(5), b(5);
  EXPECT_EQ(*GenerateUin(a), *GenerateUin(b));
}

TEST(Generator, ImpossibleSettingsGiveUp) {
  // With every digit restricted no UIN can exist.
  UinSettings s;
  s.length = 4;
  s.reverse_digits_limit = 2;
  s.digits_limit = 2;
  s.restricted_numbers.clear();
  for (int a = 0; a < 10; ++a) s.restricted_numbers.push_back(std::to_string(a));
  SimulatedEnv env(1);
  Result<std::string> uin = GenerateUin(env, s);
  EXPECT_EQ(uin.status().code(), "SIJ-IDS-002");
  EXPECT_EQ(uin.status().kind(), StatusKind::kResourceExhausted);
}

TEST(Generator, RidIsNotDrawn) {
  SimulatedEnv env(1);
  EXPECT_EQ(IdGenerator::Create(IdType::kRid, {}, env).status().code(), "SIJ-IDS-004");
}

TEST(Validator, ArbitraryBytesNeverCrash) {
  SimulatedEnv env(99);
  for (int n = 0; n < 5000; ++n) {
    std::string s(env.RandomUniform(40), '\0');
    for (char& c : s) c = static_cast<char>(env.RandomUniform(256));
    for (IdType t : {IdType::kUin, IdType::kVid, IdType::kPrid, IdType::kRid}) {
      Verdict v = CheckId(t, s);
      if (!v.ok()) {
        EXPECT_FALSE(v.status.code().empty());
      }
    }
  }
}

}  // namespace
}  // namespace sijil::ids
