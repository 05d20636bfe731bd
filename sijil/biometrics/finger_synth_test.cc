#include "sijil/biometrics/finger_synth.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "sijil/biometrics/internal/minutiae_agreement.h"

namespace sijil::biometrics {
namespace {

SynthSettings Small() {
  SynthSettings s;
  s.width = 240;
  s.height = 320;
  return s;
}

TEST(FingerSynthTest, MasterIsDeterministicAndFilled) {
  FingerSynthesizer synth(Small());
  MasterPrint a = synth.GenerateMaster(7, 3);
  MasterPrint b = synth.GenerateMaster(7, 3);
  MasterPrint c = synth.GenerateMaster(8, 3);
  ASSERT_EQ(a.ridges.size(), cv::Size(240, 320));
  EXPECT_EQ(cv::norm(a.ridges, b.ridges, cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(a.ridges, c.ridges, cv::NORM_L1), 1000.0);
  // Ridges fill the silhouette, up to its edge, before the pass limit: all pixels inside but
  // the ridge-valley transitions are clearly ridge or valley.
  cv::Mat strong = (cv::abs(a.ridges) > 0.2f) & a.silhouette;
  EXPECT_GT(cv::countNonZero(strong), 0.9 * cv::countNonZero(a.silhouette));
  cv::Mat edge;
  cv::erode(a.silhouette, edge, cv::Mat::ones(9, 9, CV_8U));
  edge = a.silhouette & ~edge;
  EXPECT_GT(cv::countNonZero((cv::abs(a.ridges) > 0.2f) & edge), 0.8 * cv::countNonZero(edge));
  EXPECT_LT(a.growth_passes, 10);
  // Singularities follow the class.
  switch (a.pattern) {
    case PatternClass::kArch:
      EXPECT_TRUE(a.cores.empty());
      break;
    case PatternClass::kWhorl:
      EXPECT_EQ(a.cores.size(), 2u);
      EXPECT_EQ(a.deltas.size(), 2u);
      break;
    default:
      EXPECT_EQ(a.cores.size(), 1u);
      EXPECT_EQ(a.deltas.size(), 1u);
  }
}

TEST(FingerSynthTest, ClassFrequenciesFollowNature) {
  // Natural frequencies (percent): arch 3.7, tented arch 2.9, left loop 33.8, right loop
  // 31.7, whorl 27.9. With 20,000 draws each count is within 1.2 points of its frequency
  // with overwhelming probability.
  constexpr int kN = 20000;
  int counts[5] = {};
  for (int f = 0; f < kN; ++f) {
    ++counts[static_cast<int>(FingerSynthesizer::PatternOf(11, static_cast<uint64_t>(f)))];
  }
  const double expected[5] = {3.7, 2.9, 33.8, 31.7, 27.9};
  for (int c = 0; c < 5; ++c) {
    EXPECT_NEAR(100.0 * counts[c] / kN, expected[c], 1.2)
        << PatternClassName(static_cast<PatternClass>(c));
  }
  // The master carries the class its finger draws.
  FingerSynthesizer synth(Small());
  EXPECT_EQ(synth.GenerateMaster(11, 4).pattern, FingerSynthesizer::PatternOf(11, 4));
}

TEST(FingerSynthTest, ImpressionsAreExtractableAndAgreeWithGeometry) {
  FingerSynthesizer synth(Small());
  FingerExtractor extractor;
  MasterPrint m = synth.GenerateMaster(5, 0);
  Result<FingerTemplate> master_t = extractor.Extract(synth.RenderMaster(m));
  ASSERT_TRUE(master_t.ok()) << master_t.status().ToString();
  EXPECT_GE(master_t->minutiae.size(), 10u);
  Result<Impression> imp = synth.MakeImpression(m, 5, 0, 1, extractor);
  ASSERT_TRUE(imp.ok()) << imp.status().ToString();
  EXPECT_EQ(imp->image.size(), cv::Size(240, 320));
  EXPECT_GE(imp->finger.minutiae.size(), 5u);
  // The template-only model of the same impression predicts where the rendered image's
  // minutiae are.
  FingerTemplate predicted = synth.ImpressionTemplate(m, *master_t, 5, 0, 1);
  ASSERT_FALSE(predicted.minutiae.empty());
  internal::Agreement a = internal::CompareMinutiae(imp->finger.minutiae, predicted.minutiae, 0, 0,
                                                    12.0f, std::numbers::pi_v<float> / 6);
  EXPECT_GE(static_cast<double>(a.paired) / a.reference, 0.4) << a.paired << " of " << a.reference;
  // Same seeds, same impression.
  Result<Impression> again = synth.MakeImpression(m, 5, 0, 1, extractor);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(cv::norm(imp->image, again->image, cv::NORM_INF), 0.0);
}

}  // namespace
}  // namespace sijil::biometrics
