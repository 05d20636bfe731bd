#include "sijil/biometrics/iris_matcher.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sijil/biometrics/bio_status.h"

namespace sijil::biometrics {
namespace {

TEST(IrisCodeStorage, RoundTripsAndRejectsBadBytes) {
  SimulatedEnv env(11);
  IrisSynth synth(env);
  const IrisCode code = synth.NewIdentity();
  const Bytes stored = SerializeIrisCode(code);
  ASSERT_EQ(stored.size(), kIrisCodeStoredBytes);
  EXPECT_TRUE(LooksLikeIrisCode(stored));
  auto back = ParseIrisCode(stored);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->code, code.code);
  EXPECT_EQ(back->mask, code.mask);

  Bytes truncated(stored.begin(), stored.end() - 1);
  EXPECT_EQ(BioErrorCodeOf(ParseIrisCode(truncated).status()), BioErrorCode::kInvalidInput);
  Bytes bad_magic = stored;
  bad_magic[0] = 'X';
  EXPECT_FALSE(ParseIrisCode(bad_magic).ok());
  Bytes bad_geometry = stored;
  bad_geometry[5] = 4;
  EXPECT_FALSE(ParseIrisCode(bad_geometry).ok());
  Bytes bad_version = stored;
  bad_version[4] = 9;
  EXPECT_EQ(ParseIrisCode(bad_version).status().kind(), StatusKind::kUnimplemented);
  EXPECT_FALSE(ParseIrisCode({}).ok());
}

TEST(IrisCalibration, FollowsTheBinomialImpostorModel) {
  IrisMatcherOptions one;
  one.max_shift = 0;
  // At the impostor mean half the draws fall below: FMR ~ 0.5 for a single rotation.
  EXPECT_NEAR(IrisFmrForDistance(0.5, one), 0.5, 0.03);
  // One standard deviation (sqrt(0.25 / 249) = 0.0317) below the mean: ~16 %.
  EXPECT_NEAR(IrisFmrForDistance(0.5 - 0.0317, one), 0.16, 0.03);
  // Daugman's operating point: HD 0.32 is ~1 in 10^6..10^7 with 7 rotations.
  IrisMatcherOptions seven;
  seven.max_shift = 3;
  const double fmr = IrisFmrForDistance(0.32, seven);
  EXPECT_LT(fmr, 1e-5);
  EXPECT_GT(fmr, 1e-9);
  // Monotone, saturating, never NaN.
  double last = -1;
  for (double hd = 0.6; hd >= 0.0; hd -= 0.01) {
    const double s = IrisScoreForDistance(hd);
    EXPECT_FALSE(std::isnan(s));
    EXPECT_GE(s, last);
    last = s;
  }
  EXPECT_DOUBLE_EQ(IrisScoreForDistance(0.05), kMaxScore);
  EXPECT_DOUBLE_EQ(IrisScoreForDistance(1.0), 0.0);
  // More rotations searched means a higher chance that an impostor finds a good one.
  EXPECT_GT(IrisFmrForDistance(0.4), IrisFmrForDistance(0.4, one));
}

TEST(IrisMatcher, SeparatesSyntheticGenuineFromImpostor) {
  auto matcher = NewIrisMatcher();
  ASSERT_TRUE(matcher.ok());
  EXPECT_EQ((*matcher)->name(), "iris");
  SimulatedEnv env(5);
  IrisSynth synth(env);
  const IrisCode a = synth.NewIdentity();
  const IrisCode b = synth.NewIdentity();
  const IrisCode a2 = synth.GenuineSample(a);
  auto probe = (*matcher)->PrepareProbe(SerializeIrisCode(a2));
  ASSERT_TRUE(probe.ok()) << probe.status();
  auto ga = (*matcher)->PrepareGallery(SerializeIrisCode(a));
  auto gb = (*matcher)->PrepareGallery(SerializeIrisCode(b));
  ASSERT_TRUE(ga.ok() && gb.ok());
  auto genuine = (*probe)->Compare(**ga);
  auto impostor = (*probe)->Compare(**gb);
  ASSERT_TRUE(genuine.ok() && impostor.ok());
  EXPECT_LT(genuine->raw_score, 0.3);
  EXPECT_GT(impostor->raw_score, 0.4);
  EXPECT_GT(genuine->score, ScoreForFmr(1e-6));
  EXPECT_LT(impostor->score, ScoreForFmr(1e-2));
  EXPECT_DOUBLE_EQ((*matcher)->Calibrate(genuine->raw_score), genuine->score);
}

TEST(IrisMatcher, EmptyOverlapIsMatchingFailedNotAScore) {
  auto matcher = NewIrisMatcher();
  ASSERT_TRUE(matcher.ok());
  IrisCode blind;  // mask all zero
  auto probe = (*matcher)->PrepareProbe(SerializeIrisCode(blind));
  auto gallery = (*matcher)->PrepareGallery(SerializeIrisCode(blind));
  ASSERT_TRUE(probe.ok() && gallery.ok());
  auto r = (*probe)->Compare(**gallery);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(BioErrorCodeOf(r.status()), BioErrorCode::kMatchingFailed);
}

TEST(IrisMatcher, RejectsBadOptions) {
  IrisMatcherOptions o;
  o.max_shift = kIrisMaxShift + 1;
  EXPECT_FALSE(NewIrisMatcher(o).ok());
  o.max_shift = 4;
  o.degrees_of_freedom = 0;
  EXPECT_FALSE(NewIrisMatcher(o).ok());
}

}  // namespace
}  // namespace sijil::biometrics
