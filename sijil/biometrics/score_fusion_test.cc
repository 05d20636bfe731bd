#include "sijil/biometrics/score_fusion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sijil/biometrics/finger_matcher.h"

namespace sijil::biometrics {
namespace {

TEST(ScoreFusionTest, SingleScoreIsUnchanged) {
  std::vector<double> one = {37.5};
  EXPECT_NEAR(FuseFingerScores(one).score, 37.5, 1e-9);
  EXPECT_EQ(FuseFingerScores(one).fingers, 1);
  EXPECT_EQ(FuseFingerScores({}).score, 0.0);
}

TEST(ScoreFusionTest, FisherCombinationOfTwoFingers) {
  // Two fingers at FMR 1e-2 each: x = 2 ln 100, P = e^-x (1 + x).
  std::vector<double> two = {20, 20};
  double x = 2 * std::log(100.0);
  double expected = -10 * std::log10(std::exp(-x) * (1 + x));
  EXPECT_NEAR(FuseFingerScores(two).score, expected, 1e-9);
  // A third finger as strong as the others raises the score; order does not matter.
  std::vector<double> three = {20, 20, 20};
  EXPECT_GT(FuseFingerScores(three).score, FuseFingerScores(two).score);
  std::vector<double> mixed = {20, 35, 5}, shuffled = {5, 20, 35};
  EXPECT_DOUBLE_EQ(FuseFingerScores(mixed).score, FuseFingerScores(shuffled).score);
  std::vector<double> strong = {40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40};
  FusedScore f = FuseFingerScores(strong);
  EXPECT_EQ(f.fingers, 10);
  EXPECT_GT(f.score, 250);
}

TEST(ScoreFusionTest, ImpostorLevelScoresStayBelowThreshold) {
  // Ten fingers each at FMR 0.5 must not add up to a match at FMR 1e-4.
  std::vector<double> weak(10, 3.0);
  EXPECT_LT(FuseFingerScores(weak).score, ThresholdForFmr(1e-4));
}

}  // namespace
}  // namespace sijil::biometrics
