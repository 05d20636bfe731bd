#include "sijil/biometrics/matcher_eval.h"

#include <gtest/gtest.h>

#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/iris_matcher.h"

namespace sijil::biometrics {
namespace {

std::vector<LabeledTemplate> SyntheticIrisSet(int identities, int samples, uint64_t seed) {
  SimulatedEnv env(seed);
  IrisSynth synth(env);
  std::vector<LabeledTemplate> out;
  for (int i = 0; i < identities; ++i) {
    const IrisCode id = synth.NewIdentity();
    for (int s = 0; s < samples; ++s) {
      out.push_back({std::to_string(i), std::to_string(i) + "_" + std::to_string(s),
                     SerializeIrisCode(synth.GenuineSample(id))});
    }
  }
  return out;
}

TEST(EvaluateMatcher, CountsPairsAndSeparatesSyntheticIrises) {
  auto matcher = NewIrisMatcher();
  ASSERT_TRUE(matcher.ok());
  const auto set = SyntheticIrisSet(20, 3, 9);
  SimulatedEnv env(1);
  auto ev = EvaluateMatcher(env, **matcher, set);
  ASSERT_TRUE(ev.ok()) << ev.status();
  EXPECT_EQ(ev->identities, 20u);
  EXPECT_EQ(ev->samples, 60u);
  EXPECT_EQ(ev->genuine_scores.size(), 60u);                 // 20 x C(3, 2)
  EXPECT_EQ(ev->impostor_scores.size(), 60u * 59 / 2 - 60);  // every other pair
  EXPECT_EQ(ev->failed, 0u);
  EXPECT_EQ(ev->rates.eer, 0.0);
  double mean_impostor_hd = 0;
  for (double hd : ev->impostor_raw) mean_impostor_hd += hd;
  mean_impostor_hd /= static_cast<double>(ev->impostor_raw.size());
  // Best of 17 rotations pulls the impostor mean a little below 0.5.
  EXPECT_GT(mean_impostor_hd, 0.40);
  EXPECT_LT(mean_impostor_hd, 0.50);
  EXPECT_GT(ev->mean_template_bytes, 0);
}

TEST(EvaluateMatcher, CapsImpostorsEvenly) {
  auto matcher = NewIrisMatcher();
  ASSERT_TRUE(matcher.ok());
  const auto set = SyntheticIrisSet(10, 2, 4);
  SimulatedEnv env(1);
  MatcherEvalOptions options;
  options.max_impostors = 37;
  auto ev = EvaluateMatcher(env, **matcher, set, options);
  ASSERT_TRUE(ev.ok()) << ev.status();
  EXPECT_EQ(ev->impostor_scores.size(), 37u);
  EXPECT_EQ(ev->genuine_scores.size(), 10u);
}

TEST(EvaluateMatcher, RejectsSetsWithoutPairsAndBadTemplates) {
  auto matcher = NewIrisMatcher();
  ASSERT_TRUE(matcher.ok());
  SimulatedEnv env(1);
  auto one_each = SyntheticIrisSet(5, 1, 2);
  auto r = EvaluateMatcher(env, **matcher, one_each);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(BioErrorCodeOf(r.status()), BioErrorCode::kMissingInput);

  auto set = SyntheticIrisSet(2, 2, 3);
  set[1].stored.resize(10);
  r = EvaluateMatcher(env, **matcher, set);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(set[1].name), std::string::npos);
}

}  // namespace
}  // namespace sijil::biometrics
