#include "sijil/names/population.h"

#include <gtest/gtest.h>

#include <set>

#include "sijil/names/evaluation.h"

namespace sijil::names {
namespace {

TEST(PopulationTest, SameSeedSamePopulation) {
  PopulationOptions o;
  o.count = 300;
  o.seed = 11;
  Result<Population> a = GeneratePopulation(o);
  Result<Population> b = GeneratePopulation(o);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->records.size(), 300u);
  for (size_t i = 0; i < a->records.size(); ++i) {
    EXPECT_EQ(RecordToJson(a->records[i]), RecordToJson(b->records[i]));
  }
  o.seed = 12;
  Result<Population> c = GeneratePopulation(o);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(RecordToJson(a->records[0]), RecordToJson(c->records[0]));
}

TEST(PopulationTest, PlantsDuplicatesWithGroundTruth) {
  PopulationOptions o;
  o.count = 2000;
  o.duplicate_rate = 0.05;
  Result<Population> p = GeneratePopulation(o);
  ASSERT_TRUE(p.ok());
  size_t duplicates = 0;
  std::set<std::string> ids;
  for (size_t i = 0; i < p->records.size(); ++i) {
    const PersonRecord& r = p->records[i];
    ids.insert(r.id);
    EXPECT_TRUE(!r.given_name_lat.empty() || !r.given_name_ar.empty());
    if (p->duplicate_of[i].empty()) {
      // Originals carry both scripts, a known sex and a place.
      EXPECT_FALSE(r.given_name_ar.empty());
      EXPECT_FALSE(r.family_name_lat.empty());
      EXPECT_NE(r.sex, Sex::kUnknown);
      EXPECT_FALSE(r.commune.empty());
      continue;
    }
    ++duplicates;
    EXPECT_FALSE(p->variations[i].empty());
  }
  EXPECT_EQ(duplicates, 100u);
  EXPECT_EQ(ids.size(), p->records.size());
  EXPECT_EQ(p->TruePairs(), 100u);
}

TEST(PopulationTest, RejectsBadOptions) {
  PopulationOptions o;
  o.count = 0;
  EXPECT_EQ(GeneratePopulation(o).status().code(), "SIJ-NAM-040");
  o.count = 10;
  o.duplicate_rate = 0.9;
  EXPECT_FALSE(GeneratePopulation(o).ok());
}

// A small end-to-end run: blocking keeps the true pairs and the automatic band is accurate.
// (The 100,000-record figures are in docs/benchmarks.md; this only guards against regressions.)
TEST(EvaluationTest, SmallPopulationEndToEnd) {
  PopulationOptions o;
  o.count = 3000;
  o.seed = 3;
  Result<EvaluationReport> r = EvaluateMatcher(o, MatcherSettings{});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->true_pairs, 150u);
  EXPECT_GE(r->pairs_completeness, 0.98);
  EXPECT_GE(r->precision, 0.97);
  EXPECT_GE(r->recall, 0.93);
  EXPECT_GT(r->reduction_ratio, 0.99);
}

}  // namespace
}  // namespace sijil::names
