#include "sijil/biometrics/iris_code.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

namespace sijil::biometrics {
namespace {

struct Stats {
  double mean = 0;
  double stddev = 0;
};

Stats Summarise(const std::vector<double>& xs) {
  Stats s;
  for (double x : xs) s.mean += x;
  s.mean /= xs.size();
  for (double x : xs) s.stddev += (x - s.mean) * (x - s.mean);
  s.stddev = std::sqrt(s.stddev / (xs.size() - 1));
  return s;
}

TEST(IrisCodeTest, IdenticalCodesHaveZeroDistance) {
  SimulatedEnv env(1);
  IrisSynth synth(env);
  const IrisCode a = synth.NewIdentity();
  auto r = CompareIris(a, a, 8);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->hamming_distance, 0.0);
  EXPECT_EQ(r->best_shift, 0);
  EXPECT_EQ(r->bits_compared, a.ValidBits());
  // HD 0 with more bits than Daugman's reference is normalised below 0.
  EXPECT_NEAR(r->normalized_hd, 0.5 - 0.5 * std::sqrt(a.ValidBits() / 911.0), 1e-12);
}

TEST(IrisCodeTest, RotationBitLayout) {
  IrisCode a;
  a.SetBit(3, 255, true);
  a.SetValid(3, 255, true);
  const IrisCode b = a.Rotated(2);
  EXPECT_TRUE(b.Bit(3, 1));
  EXPECT_TRUE(b.Valid(3, 1));
  EXPECT_FALSE(b.Bit(3, 255));
  EXPECT_EQ(b.ValidBits(), 1);
  const IrisCode c = b.Rotated(-2);
  EXPECT_EQ(c.code, a.code);
  EXPECT_EQ(c.mask, a.mask);
}

TEST(IrisCodeTest, FindsRotatedCopyAtTheRightShift) {
  SimulatedEnv env(2);
  IrisSynth synth(env);
  const IrisCode gallery = synth.NewIdentity();
  for (int s : {-8, -5, -1, 1, 3, 7, 8}) {
    const IrisCode probe = gallery.Rotated(s);
    auto r = CompareIris(probe, gallery, 8);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->hamming_distance, 0.0) << s;
    EXPECT_EQ(r->best_shift, -s);
  }
  // Outside the search window the copy is not found.
  auto far = CompareIris(gallery.Rotated(12), gallery, 8);
  ASSERT_TRUE(far.ok());
  EXPECT_GT(far->hamming_distance, 0.3);
}

TEST(IrisCodeTest, HammingDistanceCountsOnlyCommonlyValidBits) {
  IrisCode a;
  IrisCode b;
  for (int c = 0; c < 200; ++c) {
    a.SetValid(0, c, true);
    b.SetValid(0, c, true);
    b.SetBit(0, c, c < 50);  // 50 of 200 disagree
  }
  b.SetValid(0, 199, false);  // a disagreeing bit outside b's mask would not count anyway
  a.SetBit(0, 250, true);     // valid in neither mask: ignored
  auto r = CompareIris(a, b, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->bits_compared, 199);
  EXPECT_DOUBLE_EQ(r->hamming_distance, 50.0 / 199.0);
}

TEST(IrisCodeTest, EmptyOverlapIsAnError) {
  SimulatedEnv env(3);
  IrisSynth synth(env);
  IrisCode a = synth.NewIdentity();
  IrisCode b = synth.NewIdentity();
  b.mask.fill(0);
  auto r = CompareIris(a, b, 8);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "SIJ-BIO-041");
  // Disjoint masks: a valid only in row 0, b only in row 1.
  a.mask.fill(0);
  b.mask.fill(0);
  a.mask[0] = ~uint64_t{0};
  b.mask[kIrisWordsPerRow] = ~uint64_t{0};
  EXPECT_FALSE(CompareIris(a, b, 8).ok());
}

TEST(IrisCodeTest, RejectsBadShiftRange) {
  IrisCode a;
  EXPECT_EQ(PreparedIrisProbe::Create(a, -1).status().code(), "SIJ-BIO-040");
  EXPECT_EQ(PreparedIrisProbe::Create(a, kIrisMaxShift + 1).status().code(), "SIJ-BIO-040");
}

TEST(IrisCodeTest, SyntheticImpostorsLookLikeDaugmans) {
  SimulatedEnv env(4);
  IrisSynth synth(env);
  std::vector<IrisCode> ids;
  for (int i = 0; i < 300; ++i) ids.push_back(synth.NewIdentity());
  std::vector<double> hd;
  double masked = 0;
  for (int i = 0; i + 1 < static_cast<int>(ids.size()); i += 1) {
    // No rotation search: the raw impostor distribution (Daugman's N(0.499, 0.034)).
    auto r = CompareIris(ids[i], ids[i + 1], 0);
    ASSERT_TRUE(r.ok());
    hd.push_back(r->hamming_distance);
    masked += 1.0 - ids[i].ValidBits() / 2048.0;
  }
  const Stats s = Summarise(hd);
  std::printf("impostor HD mean %.4f std %.4f\n", s.mean, s.stddev);
  EXPECT_GT(s.mean, 0.47);
  EXPECT_LT(s.mean, 0.53);
  // Correlated bits: far wider than the ~0.012 binomial spread of independent bits.
  EXPECT_GT(s.stddev, 0.02);
  EXPECT_LT(s.stddev, 0.045);
  masked /= hd.size();
  EXPECT_GT(masked, 0.15);
  EXPECT_LT(masked, 0.35);
  // With a rotation search the best impostor HD drops, but stays far from genuine scores.
  auto r = CompareIris(ids[0], ids[1], 8);
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->hamming_distance, 0.35);
}

TEST(IrisCodeTest, GenuineSamplesMatchNearTheFlipRate) {
  SimulatedEnv env(5);
  IrisSynthOptions options;
  options.flip_rate = 0.2;
  IrisSynth synth(env, options);
  std::vector<double> hd;
  for (int i = 0; i < 100; ++i) {
    const IrisCode id = synth.NewIdentity();
    int rotation = 0;
    const IrisCode probe = synth.GenuineSample(id, &rotation);
    auto r = CompareIris(probe, id, 8);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->best_shift, -rotation);
    hd.push_back(r->hamming_distance);
  }
  const Stats s = Summarise(hd);
  std::printf("genuine HD mean %.4f std %.4f\n", s.mean, s.stddev);
  EXPECT_NEAR(s.mean, 0.2, 0.02);
  EXPECT_LT(s.stddev, 0.03);
}

TEST(IrisCodeTest, DispatchedKernelAgreesWithPortableKernel) {
  SimulatedEnv env(6);
  IrisSynth synth(env);
  const IrisCode id = synth.NewIdentity();
  auto probe = PreparedIrisProbe::Create(synth.GenuineSample(id), 8);
  ASSERT_TRUE(probe.ok());
  for (int i = 0; i < 50; ++i) {
    const IrisCode gallery = i % 2 == 0 ? synth.NewIdentity() : synth.GenuineSample(id);
    auto fast = CompareIris(*probe, gallery);
    auto slow = internal::CompareIrisPortable(*probe, gallery);
    ASSERT_TRUE(fast.ok());
    ASSERT_TRUE(slow.ok());
    EXPECT_EQ(fast->hamming_distance, slow->hamming_distance);
    EXPECT_EQ(fast->best_shift, slow->best_shift);
    EXPECT_EQ(fast->bits_compared, slow->bits_compared);
  }
}

TEST(IrisCodeTest, SynthIsDeterministicPerSeed) {
  SimulatedEnv e1(9);
  SimulatedEnv e2(9);
  IrisSynth s1(e1);
  IrisSynth s2(e2);
  const IrisCode a = s1.NewIdentity();
  const IrisCode b = s2.NewIdentity();
  EXPECT_EQ(a.code, b.code);
  EXPECT_EQ(a.mask, b.mask);
}

}  // namespace
}  // namespace sijil::biometrics
