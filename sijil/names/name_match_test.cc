#include "sijil/names/name_match.h"

#include <gtest/gtest.h>

#include <string>

namespace sijil::names {
namespace {

CompiledName C(std::string_view s) {
  Result<CompiledName> r = CompileName(s);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : CompiledName{};
}

// MOSIP's demo SDK: exact is 100 when the lower-cased words are the same (any order), else 0.
TEST(MosipStrategyTest, ExactOnPlainLatinNames) {
  EXPECT_EQ(ExactScore(C("John Smith"), C("john smith")), 100);
  EXPECT_EQ(ExactScore(C("Smith John"), C("John Smith")), 100);
  EXPECT_EQ(ExactScore(C("John  Smith."), C("John Smith")), 100);  // common normalisation
  EXPECT_EQ(ExactScore(C("Jon Smith"), C("John Smith")), 0);
  EXPECT_EQ(ExactScore(C("John"), C("John Smith")), 0);
  EXPECT_EQ(ExactScore(C("John Paul Smith"), C("John Smith")), 0);
  EXPECT_EQ(ExactScore(C(""), C("John Smith")), 0);
}

// Partial: matched words × 100 / (stored words + unmatched request words), initials relieve
// the denominator, integer division.
TEST(MosipStrategyTest, PartialOnPlainLatinNames) {
  EXPECT_EQ(PartialScore(C("John Smith"), C("John Smith")), 100);
  EXPECT_EQ(PartialScore(C("John"), C("John Smith")), 50);
  EXPECT_EQ(PartialScore(C("John Smith"), C("John")), 50);             // 1 / (1 + 1 unmatched)
  EXPECT_EQ(PartialScore(C("John Paul Smith"), C("John Smith")), 66);  // 2 / (2 + 1)
  EXPECT_EQ(PartialScore(C("J Smith"), C("John Smith")), 50);          // initial: 1 / (2 + 0)
  EXPECT_EQ(PartialScore(C("K Smith"), C("John Smith")), 33);          // not an initial of John
  EXPECT_EQ(PartialScore(C("Smith John"), C("John Smith")), 100);
  EXPECT_EQ(PartialScore(C("Adam Brown"), C("John Smith")), 0);
  EXPECT_EQ(PartialScore(C("John Smith"), C("")), 0);
}

TEST(MosipStrategyTest, PhoneticRangeIsTwentyToHundred) {
  EXPECT_EQ(PhoneticScore(C("Jon Smith"), C("Jon Smyth")), 100);
  EXPECT_EQ(PhoneticScore(C("John Smith"), C("John Brown")), 60);
  EXPECT_EQ(PhoneticScore(C("John Smith"), C("Adam Brown")), 20);
  EXPECT_EQ(PhoneticScore(C(""), C("Adam Brown")), 0);
}

// The example: one person in four registers.
TEST(NameMatchTest, MohamedBenAbdellahInFourRegisters) {
  const char* spellings[] = {"محمد بن عبد الله", "Mohamed Benabdellah", "Mohammed Ben Abdallah",
                             "M'hamed Ben Abdella"};
  for (const char* a : spellings) {
    for (const char* b : spellings) {
      EXPECT_EQ(PhoneticScore(C(a), C(b)), 100) << a << " vs " << b;
      EXPECT_GE(NameSimilarity(C(a), C(b), NameFrequencyTable::Default(), NameRole::kFamily), 0.9)
          << a << " vs " << b;
    }
  }
  // Exact and partial stay literal, as MOSIP's.
  EXPECT_EQ(ExactScore(C("Mohamed Benabdellah"), C("Mohammed Ben Abdallah")), 0);
  EXPECT_EQ(PartialScore(C("Mohamed Ben Abdallah"), C("Mohammed Ben Abdallah")), 50);
  // Diacritics go and an attached عبد is its own word, so these are equal after normalisation.
  EXPECT_EQ(ExactScore(C("محمد بن عبد الله"), C("مُحَمَّد بن عبدالله")), 100);
  EXPECT_EQ(ExactScore(C("محمد بن عبد الله"), C("محمد عبد الله")), 0);
  EXPECT_EQ(ExactScore(C("محمد بن عبد الله"), C("مُحَمَّد بن عبد الله")), 100);
}

TEST(NameMatchTest, SimilarityWeighsRareNamesAboveCommonOnes) {
  const NameFrequencyTable& f = NameFrequencyTable::Default();
  // Sharing only the very common given name says less than sharing only a rare family name.
  double common = NameSimilarity(C("Mohamed Guessous"), C("Mohamed Alaoui"), f, NameRole::kFamily);
  double rare = NameSimilarity(C("Ahmed Guessous"), C("Youssef Guessous"), f, NameRole::kFamily);
  EXPECT_LT(common, rare);
  EXPECT_GT(f.Frequency(NameRole::kGiven, C("Mohamed").units[0].keys[0]),
            20 * f.Frequency(NameRole::kFamily, C("Guessous").units[0].keys[0]));
}

TEST(NameMatchTest, JaroWinklerKnownValues) {
  EXPECT_NEAR(JaroWinkler("martha", "marhta"), 0.961, 0.001);
  EXPECT_NEAR(JaroWinkler("dwayne", "duane"), 0.84, 0.001);
  EXPECT_NEAR(JaroWinkler("dixon", "dicksonx"), 0.813, 0.001);
  EXPECT_EQ(JaroWinkler("abc", "abc"), 1.0);
  EXPECT_EQ(JaroWinkler("abc", "xyz"), 0.0);
}

TEST(FrequencyTest, TsvRoundTripAndErrors) {
  Result<NameFrequencyTable> t = NameFrequencyTable::FromTsv("given\tmhmd\t30\ngiven\tysf\t10\n");
  ASSERT_TRUE(t.ok());
  EXPECT_NEAR(t->Frequency(NameRole::kGiven, C("Mohamed").units[0].keys[0]), 0.75, 1e-9);
  Result<NameFrequencyTable> back = NameFrequencyTable::FromTsv(t->ToTsv());
  ASSERT_TRUE(back.ok());
  EXPECT_NEAR(back->Frequency(NameRole::kGiven, C("Youssef").units[0].keys[0]), 0.25, 1e-9);
  Result<NameFrequencyTable> bad = NameFrequencyTable::FromTsv("given\tMHMD\t3\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), "SIJ-NAM-010");
  EXPECT_FALSE(NameFrequencyTable::FromTsv("parent\tmhmd\t3\n").ok());
  EXPECT_FALSE(NameFrequencyTable::FromTsv("given\tmhmd\t-3\n").ok());
}

}  // namespace
}  // namespace sijil::names
