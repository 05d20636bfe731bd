#include "sijil/biometrics/face_synth.h"

#include <gtest/gtest.h>

#include <cmath>

namespace sijil::biometrics {
namespace {

double Norm(const std::vector<float>& v) {
  double n = 0;
  for (float x : v) n += double{x} * x;
  return std::sqrt(n);
}

TEST(FaceSynthTest, VectorsAreUnitAndSeeded) {
  FaceSynthParams p;
  p.seed = 7;
  FaceSynth a(p), b(p);
  EXPECT_EQ(a.Sample(3, 1), b.Sample(3, 1));
  EXPECT_NE(a.Sample(3, 1), a.Sample(3, 2));
  EXPECT_NE(a.Centre(3), a.Centre(4));
  EXPECT_EQ(a.Sample(3, 1).size(), 512u);
  EXPECT_NEAR(Norm(a.Sample(3, 1)), 1.0, 1e-5);
  EXPECT_NEAR(Norm(a.Centre(9)), 1.0, 1e-5);
  p.seed = 8;
  EXPECT_NE(FaceSynth(p).Sample(3, 1), a.Sample(3, 1));
}

TEST(FaceSynthTest, PlainModelHasUniformSphereImpostors) {
  // Centres uniform on S^511: genuine mean 1 / (1 + sigma^2); impostor cosines centred on 0
  // with sd (1 + 2 sigma^2 + sigma^4)^(1/2) / (sqrt(512) (1 + sigma^2)) = 1 / sqrt(512).
  FaceSynthParams p;
  p.noise = 0.5;
  FaceSynth synth(p);
  FaceScoreTargets m = MeasureFaceSynth(synth, 60, 4);
  EXPECT_NEAR(m.genuine_mean, 1 / 1.25, 0.01);
  EXPECT_NEAR(m.impostor_mean, 0.0, 0.005);
  EXPECT_NEAR(m.impostor_sd, 1 / std::sqrt(512.0), 0.004);
}

TEST(FaceSynthTest, FitMatchesTargetDistributions) {
  // Shapes like a real model's: impostors centred above 0 and wider than 1/sqrt(512),
  // genuine pairs spread out.
  for (const FaceScoreTargets& target :
       {FaceScoreTargets{0.70, 0.10, 0.10, 0.08}, FaceScoreTargets{0.55, 0.15, 0.25, 0.12},
        FaceScoreTargets{0.85, 0.05, 0.0, 0.05}, FaceScoreTargets{0.78, 0.19, 0.064, 0.108}}) {
    FaceSynthParams p = FitFaceSynth(target, 11);
    FaceScoreTargets got = MeasureFaceSynth(FaceSynth(p), 80, 5);
    EXPECT_NEAR(got.genuine_mean, target.genuine_mean, 0.03) << target.genuine_mean;
    EXPECT_NEAR(got.genuine_sd, target.genuine_sd, 0.03) << target.genuine_sd;
    EXPECT_NEAR(got.impostor_mean, target.impostor_mean, 0.03) << target.impostor_mean;
    EXPECT_NEAR(got.impostor_sd, target.impostor_sd, 0.02) << target.impostor_sd;
  }
}

}  // namespace
}  // namespace sijil::biometrics
