#include "sijil/biometrics/det.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace sijil::biometrics {
namespace {

TEST(DetTest, SeparatedScoresHaveZeroErrors) {
  std::vector<double> g = {10, 11, 12}, im = {1, 2, 3};
  ErrorRates r = ComputeErrorRates(g, im);
  EXPECT_EQ(r.eer, 0.0);
  EXPECT_EQ(r.zero_fmr, 0.0);
  EXPECT_EQ(r.fmr1000, 0.0);
}

TEST(DetTest, KnownOverlap) {
  // Genuine 1..10, impostor 6..15 (integers): at threshold 6 FMR 10/10, FNMR 5/10; at 11
  // FMR 5/10, FNMR 10/10 ... the curves cross at FMR = FNMR = 0.5 between.
  std::vector<double> g, im;
  for (int i = 1; i <= 10; ++i) g.push_back(i + 5);  // 6..15
  for (int i = 1; i <= 10; ++i) im.push_back(i);     // 1..10
  ErrorRates r = ComputeErrorRates(g, im);
  // At threshold 8.5..9: FMR 2/10 (9,10), FNMR 3/10 (6,7,8) -> crossing region near 0.25.
  EXPECT_NEAR(r.eer, 0.25, 0.051);
  EXPECT_NEAR(r.zero_fmr, 0.5, 1e-9);  // threshold 11 rejects 6..10
  EXPECT_FALSE(r.det.empty());
  EXPECT_EQ(r.det.back().fmr, 0.0);
  EXPECT_EQ(r.det.back().fnmr, 1.0);
}

TEST(DetTest, EerOfShiftedGaussiansIsPlausible) {
  std::mt19937 rng(3);
  std::normal_distribution<double> gd(2.0, 1.0), id(0.0, 1.0);
  std::vector<double> g, im;
  for (int i = 0; i < 20000; ++i) {
    g.push_back(gd(rng));
    im.push_back(id(rng));
  }
  // Equal-variance Gaussians 2 sigma apart: EER = Phi(-1) = 0.1587.
  EXPECT_NEAR(ComputeErrorRates(g, im).eer, 0.1587, 0.01);
}

TEST(DetTest, CsvAndPng) {
  std::vector<double> g = {5, 6, 7, 8}, im = {1, 2, 6};
  ErrorRates r = ComputeErrorRates(g, im);
  std::string csv = DetCsv(r);
  EXPECT_EQ(csv.rfind("threshold,fmr,fnmr\n", 0), 0u);
  DetCurve curve{"test", &r};
  std::string png;
  ASSERT_TRUE(RenderDetPng(std::span(&curve, 1), &png).ok());
  ASSERT_GT(png.size(), 8u);
  EXPECT_EQ(png.substr(1, 3), "PNG");
}

}  // namespace
}  // namespace sijil::biometrics
