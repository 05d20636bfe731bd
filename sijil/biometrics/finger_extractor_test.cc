#include "sijil/biometrics/finger_extractor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "sijil/base/encoding.h"
#include "sijil/base/env.h"
#include "sijil/biometrics/finger_minutiae_record.h"
#include "sijil/biometrics/internal/minutiae_agreement.h"
#include "tests/integration/testdata.h"

namespace sijil::biometrics {
namespace {

constexpr sijil::testing::Testdata kTestdata("biometrics");

constexpr float kPi = std::numbers::pi_v<float>;

cv::Mat LoadSample() {
  cv::Mat img = cv::imread(kTestdata.Path("fvc2004_db2_101_1.tif").string(), cv::IMREAD_GRAYSCALE);
  EXPECT_FALSE(img.empty());
  return img;
}

TEST(FingerExtractorTest, ExtractsPlausibleTemplateFromFvcImage) {
  cv::Mat img = LoadSample();
  FingerExtractor extractor;
  Result<ExtractionDetail> d = extractor.ExtractDetailed(img);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  const FingerTemplate& t = d->finger;
  EXPECT_EQ(t.width, img.cols);
  EXPECT_EQ(t.height, img.rows);
  EXPECT_EQ(t.x_resolution_ppcm, 197);
  EXPECT_GE(t.minutiae.size(), 20u);
  EXPECT_LE(t.minutiae.size(), 100u);
  int endings = 0, bifurcations = 0;
  for (const Minutia& m : t.minutiae) {
    EXPECT_LT(m.x, img.cols);
    EXPECT_LT(m.y, img.rows);
    EXPECT_GE(m.angle, 0.0f);
    EXPECT_LT(m.angle, 2 * kPi);
    EXPECT_GE(m.quality, 1);
    EXPECT_LE(m.quality, 100);
    endings += m.type == MinutiaType::kEnding;
    bifurcations += m.type == MinutiaType::kBifurcation;
    EXPECT_TRUE(d->mask.at<uint8_t>(m.y, m.x)) << "minutia outside the foreground";
  }
  EXPECT_GT(endings, 0);
  EXPECT_GT(bifurcations, 0);
  EXPECT_GT(d->quality.score, 50);
  EXPECT_EQ(t.quality, d->quality.score);
  EXPECT_GT(d->quality.features.foreground_mm2, 50.0f);
  EXPECT_NEAR(d->quality.features.ridge_period_px, 9.0f, 3.0f);
}

// A print cut by the sensor window: ridges run into the frame edge, where they seem to end.
// No minutia may come from there (they would line up along the edge in every print).
TEST(FingerExtractorTest, IgnoresRidgesCutByTheFrame) {
  cv::Mat img = LoadSample();
  cv::Mat cut = img(cv::Rect(60, 60, img.cols - 120, img.rows - 120)).clone();
  FingerExtractor extractor;
  Result<ExtractionDetail> d = extractor.ExtractDetailed(cut);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_GE(d->finger.minutiae.size(), 8u);
  const float margin = 2.5f * d->quality.features.ridge_period_px - 1.0f;
  for (const Minutia& m : d->finger.minutiae) {
    const int to_edge =
        std::min(std::min<int>(m.x, cut.cols - 1 - m.x), std::min<int>(m.y, cut.rows - 1 - m.y));
    EXPECT_GE(static_cast<float>(to_edge), margin) << "minutia at " << m.x << "," << m.y;
  }
}

TEST(FingerExtractorTest, AgreesWithReferenceTemplate) {
  cv::Mat img = LoadSample();
  Result<std::string> bytes = Env::Default().ReadFile(kTestdata.Path("fvc2004_db2_101_1.iso"));
  ASSERT_TRUE(bytes.ok());
  Result<FingerTemplate> ref = ParseFingerTemplate(AsBytes(*bytes));
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  Result<FingerTemplate> ours = FingerExtractor().Extract(img);
  ASSERT_TRUE(ours.ok());
  // The reference describes the image resized to the record's 300x400.
  double sx = static_cast<double>(ref->width) / img.cols,
         sy = static_cast<double>(ref->height) / img.rows;
  std::vector<Minutia> mapped = ours->minutiae;
  for (Minutia& m : mapped) {
    m.x = static_cast<uint16_t>(std::lround(m.x * sx));
    m.y = static_cast<uint16_t>(std::lround(m.y * sy));
    double a = std::atan2(sy * std::sin(m.angle), sx * std::cos(m.angle));
    m.angle = static_cast<float>(a < 0 ? a + 2 * std::numbers::pi : a);
  }
  internal::Agreement a = internal::CompareMinutiae(mapped, ref->minutiae, 0, 0, 12.0f, kPi / 6);
  EXPECT_GE(static_cast<double>(a.paired) / a.reference, 0.6)
      << a.paired << " of " << a.reference << " reference minutiae found";
}

// Rotating the image a quarter turn counter-clockwise must move each minutia to the rotated
// position and add 90 degrees to its angle: pins the angle convention of minutiae.h.
TEST(FingerExtractorTest, AnglesFollowImageRotation) {
  cv::Mat img = LoadSample();
  cv::Mat rotated;
  cv::rotate(img, rotated, cv::ROTATE_90_COUNTERCLOCKWISE);
  FingerExtractor extractor;
  Result<FingerTemplate> a = extractor.Extract(img);
  Result<FingerTemplate> b = extractor.Extract(rotated);
  ASSERT_TRUE(a.ok() && b.ok());
  // (x, y) -> (y, W - 1 - x) for a counter-clockwise quarter turn.
  std::vector<Minutia> expected = a->minutiae;
  for (Minutia& m : expected) {
    uint16_t x = m.x;
    m.x = m.y;
    m.y = static_cast<uint16_t>(img.cols - 1 - x);
    m.angle = std::fmod(m.angle + kPi / 2, 2 * kPi);
  }
  internal::Agreement agr = internal::CompareMinutiae(b->minutiae, expected, 0, 0, 6.0f, kPi / 9);
  EXPECT_GE(static_cast<double>(agr.paired) / agr.reference, 0.75);
  // With the opposite rotation of angles almost nothing may pair.
  for (Minutia& m : expected) m.angle = std::fmod(m.angle + kPi, 2 * kPi);
  internal::Agreement wrong = internal::CompareMinutiae(b->minutiae, expected, 0, 0, 6.0f, kPi / 9);
  EXPECT_LT(static_cast<double>(wrong.paired) / wrong.reference, 0.2);
}

TEST(FingerExtractorTest, ResamplesOtherResolutions) {
  cv::Mat img = LoadSample();
  cv::Mat big;
  cv::resize(img, big, cv::Size(), 2.0, 2.0, cv::INTER_CUBIC);
  FingerExtractor extractor;
  Result<FingerTemplate> a = extractor.Extract(img, 500);
  Result<FingerTemplate> b = extractor.Extract(big, 1000);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(b->width, big.cols);
  EXPECT_EQ(b->x_resolution_ppcm, 394);
  std::vector<Minutia> halved = b->minutiae;
  for (Minutia& m : halved) {
    m.x = static_cast<uint16_t>(m.x / 2);
    m.y = static_cast<uint16_t>(m.y / 2);
  }
  internal::Agreement agr = internal::CompareMinutiae(halved, a->minutiae, 0, 0, 6.0f, kPi / 9);
  EXPECT_GE(static_cast<double>(agr.paired) / agr.reference, 0.7);
}

TEST(FingerExtractorTest, RawBufferMatchesMat) {
  cv::Mat img = LoadSample();
  FingerExtractor extractor;
  Result<FingerTemplate> a = extractor.Extract(img);
  std::span<const uint8_t> buf(img.data, img.total());
  Result<FingerTemplate> b = extractor.Extract(buf, img.cols, img.rows, img.cols);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->minutiae.size(), b->minutiae.size());
  for (size_t i = 0; i < a->minutiae.size(); ++i) {
    EXPECT_EQ(a->minutiae[i].x, b->minutiae[i].x);
    EXPECT_EQ(a->minutiae[i].angle, b->minutiae[i].angle);
  }
  EXPECT_FALSE(extractor.Extract(buf.first(100), img.cols, img.rows, img.cols).ok());
  EXPECT_FALSE(extractor.Extract(buf, img.cols, img.rows, img.cols - 1).ok());
}

TEST(FingerExtractorTest, RejectsBadImages) {
  FingerExtractor extractor;
  auto code = [&](const cv::Mat& m, int dpi) {
    Result<FingerTemplate> r = extractor.Extract(m, dpi);
    return r.ok() ? std::string("ok") : r.status().code();
  };
  EXPECT_EQ(code(cv::Mat(), 500), "IDA-BIA-011");
  EXPECT_EQ(code(cv::Mat(100, 100, CV_16U, cv::Scalar(0)), 500), "IDA-BIA-011");
  EXPECT_EQ(code(cv::Mat(30, 300, CV_8U, cv::Scalar(0)), 500), "IDA-BIA-011");
  EXPECT_EQ(code(LoadSample(), 100), "IDA-BIA-011");
  EXPECT_EQ(code(cv::Mat(300, 300, CV_8U, cv::Scalar(255)), 500), "IDA-BIA-011");
  EXPECT_EQ(code(cv::Mat(300, 300, CV_8U, cv::Scalar(0)), 500), "IDA-BIA-011");
  // Noise must not crash; whatever comes back is bounded.
  cv::Mat noise(300, 300, CV_8U);
  cv::RNG rng(7);
  rng.fill(noise, cv::RNG::UNIFORM, 0, 256);
  Result<FingerTemplate> r = extractor.Extract(noise);
  if (r.ok()) {
    EXPECT_LE(r->minutiae.size(), 100u);
    EXPECT_LT(r->quality, 40);
  }
}

TEST(FingerExtractorTest, ColourInputIsConverted) {
  cv::Mat img = LoadSample();
  cv::Mat bgr;
  cv::cvtColor(img, bgr, cv::COLOR_GRAY2BGR);
  Result<FingerTemplate> a = FingerExtractor().Extract(img);
  Result<FingerTemplate> b = FingerExtractor().Extract(bgr);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->minutiae.size(), b->minutiae.size());
}

TEST(FingerQualityTest, FormulaIsMonotoneAndBounded) {
  QualityFeatures good{200.0f, 0.9f, 0.9f, 0.9f, 0.1f, 9.0f, 40};
  EXPECT_EQ(ScorePrintQuality(good), 100);
  QualityFeatures none{};
  EXPECT_EQ(ScorePrintQuality(none), 0);
  QualityFeatures mid = good;
  mid.ridge_clarity = 0.5f;
  uint8_t s1 = ScorePrintQuality(mid);
  mid.ridge_clarity = 0.4f;
  uint8_t s2 = ScorePrintQuality(mid);
  EXPECT_LT(s1, 100);
  EXPECT_LT(s2, s1);
  mid = good;
  mid.foreground_mm2 = 10.0f;
  EXPECT_EQ(ScorePrintQuality(mid), 0);
}

TEST(FingerQualityTest, BlurredPrintScoresLower) {
  cv::Mat img = LoadSample();
  cv::Mat blurred;
  cv::GaussianBlur(img, blurred, cv::Size(0, 0), 3.0);
  cv::Mat noisy = blurred.clone();
  cv::RNG rng(3);
  cv::Mat n(img.size(), CV_8U);
  rng.fill(n, cv::RNG::NORMAL, 0, 40);
  cv::Mat noisy16;
  blurred.convertTo(noisy16, CV_16S);
  cv::Mat n16;
  n.convertTo(n16, CV_16S);
  cv::add(noisy16, n16, noisy16);
  noisy16.convertTo(noisy, CV_8U);
  Result<PrintQuality> a = AssessFingerQuality(img);
  Result<PrintQuality> b = AssessFingerQuality(noisy);
  ASSERT_TRUE(a.ok());
  if (b.ok()) {
    EXPECT_LT(b->score, a->score);
  }
}

TEST(FingerExtractorTest, TemplateSurvivesIsoRecord) {
  Result<FingerTemplate> t = FingerExtractor().Extract(LoadSample());
  ASSERT_TRUE(t.ok());
  Result<Bytes> rec =
      SerializeFingerMinutiaeRecord(FromFingerTemplate(*t, MinutiaeRecordFormat::kIso2005));
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  Result<FingerTemplate> back = ParseFingerTemplate(*rec);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->minutiae.size(), t->minutiae.size());
  EXPECT_EQ(back->quality, t->quality);
  for (size_t i = 0; i < t->minutiae.size(); ++i) {
    EXPECT_EQ(back->minutiae[i].x, t->minutiae[i].x);
    EXPECT_EQ(back->minutiae[i].type, t->minutiae[i].type);
    float da = std::fabs(back->minutiae[i].angle - t->minutiae[i].angle);
    EXPECT_LT(std::min(da, 2 * kPi - da), 2 * kPi / 256);
  }
}

}  // namespace
}  // namespace sijil::biometrics
