#include "sijil/names/demographic_matcher.h"

#include <gtest/gtest.h>

#include <memory>

namespace sijil::names {
namespace {

PersonRecord Mohamed() {
  PersonRecord r;
  r.id = "A";
  r.given_name_lat = "Mohamed";
  r.given_name_ar = "محمد";
  r.family_name_lat = "Benabdellah";
  r.family_name_ar = "بن عبد الله";
  r.father_name_lat = "Ahmed";
  r.mother_name_lat = "Fatima Zahra Alaoui";
  r.sex = Sex::kMale;
  r.birth_date = {1978, 4, 12};
  r.birth_province = "031";
  r.region = "03";
  r.province = "031";
  r.commune = "03107";
  r.phone = "0661234567";
  r.document_number = "C123456";
  return r;
}

class MatcherTest : public ::testing::Test {
 protected:
  CompiledRecord C(const PersonRecord& r) {
    Result<CompiledRecord> c = matcher_->Compile(r);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *c : CompiledRecord{};
  }
  std::unique_ptr<DemographicMatcher> matcher_ = NewDemographicMatcher();
};

TEST_F(MatcherTest, SamePersonInAnotherRegisterMatches) {
  PersonRecord b = Mohamed();
  b.id = "B";
  b.given_name_lat = "M'hamed";
  b.family_name_lat = "Ben Abdella";
  b.given_name_ar.clear();
  b.document_number.clear();
  b.phone = "+212 6 99 99 99 99";
  b.birth_date = {1978, 12, 4};  // day and month swapped
  RecordScore s = matcher_->Score(C(Mohamed()), C(b));
  EXPECT_EQ(s.decision, MatchDecision::kMatch) << s.weight;
  EXPECT_EQ(s.weight, matcher_->Score(C(b), C(Mohamed())).weight);  // symmetric
}

TEST_F(MatcherTest, ArabicOnlyRecordMatchesLatinOnlyRecord) {
  PersonRecord a = Mohamed();
  a.given_name_ar.clear();
  a.family_name_ar.clear();
  PersonRecord b = Mohamed();
  b.given_name_lat.clear();
  b.family_name_lat.clear();
  b.document_number.clear();
  b.phone.clear();
  EXPECT_EQ(matcher_->Score(C(a), C(b)).decision, MatchDecision::kMatch);
}

TEST_F(MatcherTest, SwappedGivenAndFamilyNamesAreRecognised) {
  PersonRecord b = Mohamed();
  std::swap(b.given_name_lat, b.family_name_lat);
  std::swap(b.given_name_ar, b.family_name_ar);
  RecordScore s = matcher_->Score(C(Mohamed()), C(b));
  EXPECT_TRUE(s.names_swapped);
  EXPECT_EQ(s.decision, MatchDecision::kMatch);
}

TEST_F(MatcherTest, SiblingIsNotAnAutomaticMatch) {
  // Same family name, parents, address; another given name, born a year later.
  PersonRecord b = Mohamed();
  b.given_name_lat = "Youssef";
  b.given_name_ar = "يوسف";
  b.birth_date = {1979, 9, 2};
  b.phone.clear();
  b.document_number = "C765432";
  RecordScore s = matcher_->Score(C(Mohamed()), C(b));
  EXPECT_NE(s.decision, MatchDecision::kMatch) << s.weight;
  // Even with colliding keys (Hassan / Hasnaa), a sister is not the same person.
  PersonRecord c = Mohamed();
  c.given_name_lat = "Hassan";
  c.given_name_ar = "حسن";
  PersonRecord d = c;
  d.given_name_lat = "Hasnaa";
  d.given_name_ar = "حسناء";
  d.sex = Sex::kFemale;
  d.birth_date = {1979, 1, 5};
  EXPECT_NE(matcher_->Score(C(c), C(d)).decision, MatchDecision::kMatch);
}

TEST_F(MatcherTest, UnrelatedPeopleDoNotMatch) {
  PersonRecord b;
  b.given_name_lat = "Khadija";
  b.family_name_lat = "Guessous";
  b.sex = Sex::kFemale;
  b.birth_date = {1990, 1, 1};
  b.commune = "06101";
  RecordScore s = matcher_->Score(C(Mohamed()), C(b));
  EXPECT_EQ(s.decision, MatchDecision::kNonMatch);
  EXPECT_LT(s.weight, 0);
}

TEST_F(MatcherTest, RareSharedFamilyNameWeighsMoreThanCommonGivenName) {
  PersonRecord a, b, c, d;
  a.given_name_lat = b.given_name_lat = "Mohamed";
  a.family_name_lat = "Tazi";
  b.family_name_lat = "Bennani";
  c.given_name_lat = "Ahmed";
  d.given_name_lat = "Hamza";
  c.family_name_lat = d.family_name_lat = "Guessous";
  RecordScore common = matcher_->Score(C(a), C(b));
  RecordScore rare = matcher_->Score(C(c), C(d));
  EXPECT_GT(rare.fields.family, common.fields.given + 3);
}

TEST_F(MatcherTest, BlockingFindsVariantsAndSkipsStrangers) {
  DemographicIndex index(*matcher_);
  index.Add(C(Mohamed()));
  PersonRecord stranger;
  stranger.id = "S";
  stranger.given_name_lat = "Khadija";
  stranger.family_name_lat = "Guessous";
  stranger.birth_date = {1978, 4, 12};
  stranger.sex = Sex::kFemale;
  index.Add(C(stranger));
  PersonRecord query = Mohamed();
  query.id = "Q";
  std::swap(query.given_name_lat, query.family_name_lat);  // swapped names
  query.given_name_ar.clear();
  query.family_name_ar.clear();
  query.birth_date = {1979, 4, 12};  // one year off
  query.document_number.clear();
  query.phone.clear();
  std::vector<DemographicIndex::Candidate> found = index.FindCandidates(C(query));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, "A");
  EXPECT_EQ(index.size(), 2u);
}

TEST_F(MatcherTest, CompileRejectsBadNames) {
  PersonRecord r = Mohamed();
  r.family_name_lat = std::string("Ben\xFF");
  Result<CompiledRecord> c = matcher_->Compile(r);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), "SIJ-NAM-001");
  EXPECT_NE(c.status().message().find("family name"), std::string::npos);
}

// Authentication: MOSIP semantics per attribute.
TEST_F(MatcherTest, DemographicAuthentication) {
  PersonRecord req;
  req.given_name_lat = "Mohammed";
  req.family_name_lat = "Ben Abdallah";
  req.birth_date = {1978, 4, 12};
  req.sex = Sex::kMale;
  auto exact = matcher_->MatchDemographics(req, Mohamed(), MatchStrategy::kExact);
  ASSERT_TRUE(exact.ok());
  ASSERT_EQ(exact->size(), 3u);
  EXPECT_EQ((*exact)[0].attribute, "name");
  EXPECT_FALSE((*exact)[0].matched);
  EXPECT_TRUE((*exact)[1].matched);  // dob
  EXPECT_TRUE((*exact)[2].matched);  // gender
  auto phonetic = matcher_->MatchDemographics(req, Mohamed(), MatchStrategy::kPhonetic);
  ASSERT_TRUE(phonetic.ok());
  EXPECT_TRUE((*phonetic)[0].matched);
  // A request in Arabic against a stored identity that has only Latin names.
  PersonRecord ar;
  ar.given_name_ar = "محمد";
  ar.family_name_ar = "بن عبد الله";
  PersonRecord stored = Mohamed();
  stored.given_name_ar.clear();
  stored.family_name_ar.clear();
  auto cross = matcher_->MatchDemographics(ar, stored, MatchStrategy::kPhonetic);
  ASSERT_TRUE(cross.ok());
  EXPECT_EQ((*cross)[0].score, 100);
  EXPECT_EQ(*matcher_->MatchName("John Smith", "smith john", MatchStrategy::kExact), 100);
  EXPECT_FALSE(ParseMatchStrategy("fuzzy").ok());
  EXPECT_EQ(*ParseMatchStrategy("PH"), MatchStrategy::kPhonetic);
}

TEST(RecordTest, ParsesBirthDatesAndSex) {
  EXPECT_EQ(*ParseBirthDate("1978/04/12"), (BirthDate{1978, 4, 12}));
  EXPECT_EQ(*ParseBirthDate("1978-04-12"), (BirthDate{1978, 4, 12}));
  EXPECT_EQ(*ParseBirthDate("1956"), (BirthDate{1956, 0, 0}));
  EXPECT_EQ(ParseBirthDate("1956").value().ToString(), "1956");
  EXPECT_TRUE(ParseBirthDate("2024/02/29").ok());
  for (const char* bad : {"2023/02/29", "1978/13/01", "1978/04/31", "78/04/12", "abcd", "1978//1",
                          "1978/04/12/1", "1700"}) {
    Result<BirthDate> d = ParseBirthDate(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().code(), "SIJ-NAM-020");
  }
  EXPECT_EQ(ParseSex("MLE"), Sex::kMale);
  EXPECT_EQ(ParseSex("f"), Sex::kFemale);
  EXPECT_EQ(ParseSex("x"), Sex::kUnknown);
}

}  // namespace
}  // namespace sijil::names
