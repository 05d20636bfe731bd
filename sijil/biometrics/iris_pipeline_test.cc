#include "sijil/biometrics/iris_pipeline.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <string>

#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/internal/synthetic_eye.h"
#include "sijil/biometrics/iris_image_record.h"
#include "tests/integration/testdata.h"

namespace sijil::biometrics {
namespace {

constexpr sijil::testing::Testdata kTestdata("biometrics");

using internal::EyeSpec;
using internal::RenderEye;

cv::Mat LoadSample(const std::string& name) {
  auto img = DecodeImage(kTestdata.Read(name));
  EXPECT_TRUE(img.ok()) << name << ": " << img.status();
  if (!img.ok()) return {};
  cv::Mat m = ToMat(*img);
  if (m.channels() == 3) cv::cvtColor(m, m, cv::COLOR_BGR2GRAY);
  return m;
}

double Hd(const IrisCode& a, const IrisCode& b, int* shift = nullptr) {
  auto r = CompareIris(a, b, 8);
  EXPECT_TRUE(r.ok()) << r.status();
  if (shift != nullptr && r.ok()) *shift = r->best_shift;
  return r.ok() ? r->hamming_distance : 1.0;
}

TEST(IrisPipeline, FindsTheRenderedBoundaries) {
  EyeSpec spec;
  auto seg = SegmentIris(RenderEye(spec));
  ASSERT_TRUE(seg.ok()) << seg.status();
  EXPECT_NEAR(seg->pupil.x, spec.pupil.x, 1.5);
  EXPECT_NEAR(seg->pupil.y, spec.pupil.y, 1.5);
  EXPECT_NEAR(seg->pupil.r, spec.pupil.r, 1.5);
  EXPECT_NEAR(seg->iris.x, spec.iris.x, 2.5);
  EXPECT_NEAR(seg->iris.y, spec.iris.y, 2.5);
  EXPECT_NEAR(seg->iris.r, spec.iris.r, 2.5);
  // The specular spot in the pupil does not pull the pupil boundary, and is not iris.
  EXPECT_EQ(seg->valid.at<uint8_t>(static_cast<int>(spec.pupil.y), static_cast<int>(spec.pupil.x)),
            0);
}

TEST(IrisPipeline, BoundariesHoldAcrossSizesAndOffsets) {
  EyeSpec spec;
  spec.width = 400;
  spec.height = 360;
  spec.pupil = {210, 170, 38};
  spec.iris = {205, 175, 105};
  spec.texture_seed = 3;
  auto seg = SegmentIris(RenderEye(spec));
  ASSERT_TRUE(seg.ok()) << seg.status();
  EXPECT_NEAR(seg->pupil.r, spec.pupil.r, 2);
  EXPECT_NEAR(seg->iris.r, spec.iris.r, 3);
  EXPECT_NEAR(seg->iris.x, spec.iris.x, 3);
}

TEST(IrisPipeline, MasksTheUpperEyelid) {
  EyeSpec spec;
  spec.eyelid_y = spec.iris.y - 0.55 * spec.iris.r;
  auto seg = SegmentIris(RenderEye(spec));
  ASSERT_TRUE(seg.ok()) << seg.status();
  ASSERT_GE(seg->upper_eyelid_y, 0);
  EXPECT_NEAR(seg->upper_eyelid_y, spec.eyelid_y, 4);
  // Above the eyelid nothing is usable; below it, iris texture is.
  EXPECT_EQ(
      seg->valid.at<uint8_t>(static_cast<int>(spec.eyelid_y) - 4, static_cast<int>(spec.iris.x)),
      0);
  EXPECT_EQ(seg->valid.at<uint8_t>(static_cast<int>(spec.iris.y + 0.6 * spec.iris.r),
                                   static_cast<int>(spec.iris.x)),
            255);
  EyeSpec clear;
  auto open = SegmentIris(RenderEye(clear));
  ASSERT_TRUE(open.ok());
  EXPECT_LT(open->upper_eyelid_y, 0);
  auto a = ExtractIris(RenderEye(spec));
  auto b = ExtractIris(RenderEye(clear));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_LT(a->quality.usable_area, b->quality.usable_area - 0.1);
  EXPECT_LT(a->code.ValidBits(), b->code.ValidBits());
}

TEST(IrisPipeline, SameEyeRotatedMatchesDifferentEyeDoesNot) {
  EyeSpec spec;
  auto base = ExtractIris(RenderEye(spec));
  ASSERT_TRUE(base.ok()) << base.status();
  EyeSpec turned = spec;
  turned.rotation_deg = 7;  // ~5 columns
  turned.noise_sd = 3;
  auto rotated = ExtractIris(RenderEye(turned));
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EyeSpec other = spec;
  other.texture_seed = 99;
  auto different = ExtractIris(RenderEye(other));
  ASSERT_TRUE(different.ok());

  int shift = 0;
  const double genuine = Hd(rotated->code, base->code, &shift);
  EXPECT_LT(genuine, 0.2);
  EXPECT_NEAR(-shift, 7.0 / 360 * kIrisColumns, 1.5);  // the probe is rotated back
  const double impostor = Hd(different->code, base->code);
  EXPECT_GT(impostor, 0.40);
  EXPECT_GT(base->code.ValidBits(), 1200);
}

TEST(IrisPipeline, QualityReasonsAndErrors) {
  EyeSpec spec;
  auto good = ExtractIris(RenderEye(spec));
  ASSERT_TRUE(good.ok());
  EXPECT_GE(good->quality.score, 60) << ::testing::PrintToString(good->quality.reasons);
  EXPECT_NEAR(good->quality.pupil_iris_ratio, 24.0 / 70, 0.03);

  // Blurred: the focus factor drops and says so.
  cv::Mat blurred;
  cv::GaussianBlur(RenderEye(spec), blurred, {0, 0}, 3.0);
  auto soft = ExtractIris(blurred);
  ASSERT_TRUE(soft.ok()) << soft.status();
  EXPECT_LT(soft->quality.sharpness, good->quality.sharpness);
  EXPECT_LT(soft->quality.score, good->quality.score);

  // Demanding more quality than the image has: BIO-406 with the reasons.
  IrisPipelineOptions strict;
  strict.min_quality = 101;
  auto refused = ExtractIris(RenderEye(spec), strict);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(BioErrorCodeOf(refused.status()), BioErrorCode::kPoorDataQuality);

  // No eye at all: BIO-404.
  cv::Mat flat(240, 320, CV_8UC1, cv::Scalar(128));
  auto none = ExtractIris(flat);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(BioErrorCodeOf(none.status()), BioErrorCode::kBiometricsNotFound);
  // Noise without an eye: still BIO-404, not a fake code.
  cv::Mat noise(240, 320, CV_8UC1);
  cv::randu(noise, 0, 255);
  auto noisy = ExtractIris(noise);
  if (noisy.ok()) {
    EXPECT_LT(noisy->quality.score, 40);
  } else {
    EXPECT_EQ(BioErrorCodeOf(noisy.status()), BioErrorCode::kBiometricsNotFound);
  }
  // Empty and tiny images: BIO-402 / BIO-401.
  EXPECT_EQ(BioErrorCodeOf(ExtractIris(Image{}).status()), BioErrorCode::kMissingInput);
  EXPECT_EQ(BioErrorCodeOf(ExtractIris(cv::Mat(20, 20, CV_8UC1, cv::Scalar(0))).status()),
            BioErrorCode::kInvalidInput);
}

TEST(IrisPipeline, MosipRegistrationSample) {
  // A near-infrared capture (284x380) with eyelashes, both eyelids and a specular spot in the
  // pupil. Expected geometry measured by eye on the image: pupil centre ~(191, 141), radius
  // ~51; iris radius ~115.
  const cv::Mat eye = LoadSample("info_right_registration.jp2");
  ASSERT_FALSE(eye.empty());
  auto x = ExtractIris(eye);
  ASSERT_TRUE(x.ok()) << x.status();
  const auto& s = x->segmentation;
  EXPECT_NEAR(s.pupil.x, 191, 4);
  EXPECT_NEAR(s.pupil.y, 141, 4);
  EXPECT_NEAR(s.pupil.r, 51, 4);
  EXPECT_NEAR(s.iris.r, 115, 8);
  EXPECT_LT(std::hypot(s.pupil.x - s.iris.x, s.pupil.y - s.iris.y), 0.1 * s.iris.r);
  EXPECT_GT(x->code.ValidBits(), 600);

  // The same image rotated by 5 degrees about the pupil, with sensor noise: a genuine match.
  cv::Mat turned;
  cv::warpAffine(eye, turned, cv::getRotationMatrix2D(cv::Point2f(s.pupil.x, s.pupil.y), 5, 1.0),
                 eye.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::Mat noise(turned.size(), CV_16SC1);
  cv::randn(noise, 0, 3);
  turned.convertTo(turned, CV_16SC1);
  turned += noise;
  turned.convertTo(turned, CV_8UC1);
  auto t = ExtractIris(turned);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_LT(Hd(t->code, x->code), 0.25);

  // A synthetic eye is a different iris: HD near 0.5.
  auto other = ExtractIris(RenderEye(EyeSpec{}));
  ASSERT_TRUE(other.ok());
  const double impostor = Hd(other->code, x->code);
  EXPECT_GT(impostor, 0.38);
  EXPECT_LT(impostor, 0.60);
}

// What an ISO/IEC 19794-6 "cropped and masked" image (type 7) does to an eye: everything
// outside the iris is painted flat, light grey on the sclera between the eyelids and
// mid-grey elsewhere, and the eyelid's paint reaches into the iris above `lid_y`.
cv::Mat PaintMasked(cv::Mat eye, const EyeSpec& e, double lid_y) {
  for (int y = 0; y < eye.rows; ++y) {
    for (int x = 0; x < eye.cols; ++x) {
      const double dx = x - e.iris.x, dy = y - e.iris.y;
      const bool in_iris = std::hypot(dx, dy) <= e.iris.r;
      const bool between_lids = std::fabs(dy) < e.iris.r * (1 - std::pow(dx / (2.5 * e.iris.r), 2));
      if (y < lid_y) {
        eye.at<uint8_t>(y, x) = 128;
      } else if (!in_iris) {
        eye.at<uint8_t>(y, x) = between_lids ? 200 : 128;
      }
    }
  }
  return eye;
}

TEST(IrisPipeline, CroppedAndMaskedEye) {
  EyeSpec spec;
  const double lid_y = spec.iris.y - 0.75 * spec.iris.r;
  const cv::Mat eye = PaintMasked(RenderEye(spec), spec, lid_y);
  auto x = ExtractIris(eye);
  ASSERT_TRUE(x.ok()) << x.status();
  const auto& s = x->segmentation;
  EXPECT_NEAR(s.pupil.x, spec.pupil.x, 1.5);
  EXPECT_NEAR(s.pupil.y, spec.pupil.y, 1.5);
  EXPECT_NEAR(s.pupil.r, spec.pupil.r, 1.5);
  EXPECT_NEAR(s.iris.x, spec.iris.x, 2.5);
  EXPECT_NEAR(s.iris.y, spec.iris.y, 2.5);
  EXPECT_NEAR(s.iris.r, spec.iris.r, 2.5);
  // The paint inside the limbus circle is not iris, though it is no darker than the iris
  // (no eyelid edge to find): flat regions are masked.
  int painted_valid = 0, painted = 0;
  for (int y = 0; y < static_cast<int>(lid_y) - 2; ++y) {
    for (int xx = 0; xx < eye.cols; ++xx) {
      if (std::hypot(xx - spec.iris.x, y - spec.iris.y) > spec.iris.r - 3) continue;
      ++painted;
      painted_valid += s.valid.at<uint8_t>(y, xx) != 0;
    }
  }
  ASSERT_GT(painted, 100);
  EXPECT_EQ(painted_valid, 0);
  // The same eye unpainted matches it.
  auto plain = ExtractIris(RenderEye(spec));
  ASSERT_TRUE(plain.ok());
  EXPECT_LT(Hd(x->code, plain->code), 0.15);
  EXPECT_LT(x->quality.usable_area, plain->quality.usable_area);
}

struct MosipIris {
  IrisImageRecord record;
  cv::Mat eye;
};

MosipIris LoadMosipRecord(const std::string& name) {
  MosipIris m;
  auto rec = ParseIrisImageRecord(kTestdata.Read(name));
  EXPECT_TRUE(rec.ok()) << name << ": " << rec.status();
  if (!rec.ok() || rec->representations.empty()) return m;
  m.record = *rec;
  auto img = DecodeIrisImage(rec->representations.front());
  EXPECT_TRUE(img.ok()) << name << ": " << img.status();
  if (!img.ok()) return m;
  m.eye = ToMat(*img).clone();
  if (m.eye.channels() == 3) cv::cvtColor(m.eye, m.eye, cv::COLOR_BGR2GRAY);
  return m;
}

// Boundaries that any real eye has: pupil inside the iris, a physiological radius ratio, a
// near-concentric pair, and a code with most of its bits usable.
void ExpectPlausible(const IrisExtraction& x) {
  const auto& s = x.segmentation;
  EXPECT_LT(std::hypot(s.pupil.x - s.iris.x, s.pupil.y - s.iris.y) + s.pupil.r, s.iris.r);
  EXPECT_GT(s.pupil.r / s.iris.r, 0.2);
  EXPECT_LT(s.pupil.r / s.iris.r, 0.7);
  EXPECT_LT(x.quality.concentricity, 0.1);
  EXPECT_GT(x.quality.score, 0);
  EXPECT_LE(x.quality.score, 100);
  EXPECT_GT(x.quality.usable_area, 0.5);
  EXPECT_GT(x.code.ValidBits(), 1000);
}

TEST(IrisPipeline, MosipRecordsOfBothImageKinds) {
  // The registration record holds a "cropped" image (ISO/IEC 19794-6 image type 3), the
  // authentication record a "cropped and masked" one (type 7): sclera and eyelids painted
  // flat grey, a dark iris, and a pupil full of unsaturated illuminator halos.
  const MosipIris right = LoadMosipRecord("info_right_registration.iso");
  const MosipIris left = LoadMosipRecord("info_left_auth.iso");
  ASSERT_FALSE(right.eye.empty());
  ASSERT_FALSE(left.eye.empty());
  EXPECT_EQ(right.record.representations.front().image_type, 3);
  EXPECT_EQ(right.record.representations.front().eye, EyeLabel::kRight);
  EXPECT_EQ(left.record.representations.front().image_type, 7);
  EXPECT_EQ(left.record.representations.front().eye, EyeLabel::kLeft);

  auto r = ExtractIris(right.eye);
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectPlausible(*r);
  auto l = ExtractIris(left.eye);
  ASSERT_TRUE(l.ok()) << l.status();
  ExpectPlausible(*l);
  // Measured by eye on the 391x293 image: pupil centre ~(199, 144), radius ~47; iris
  // centre ~(195, 146), radius ~122.
  const auto& s = l->segmentation;
  EXPECT_NEAR(s.pupil.x, 199, 4);
  EXPECT_NEAR(s.pupil.y, 144, 4);
  EXPECT_NEAR(s.pupil.r, 47, 4);
  EXPECT_NEAR(s.iris.x, 195, 6);
  EXPECT_NEAR(s.iris.y, 146, 6);
  EXPECT_NEAR(s.iris.r, 122, 6);
  // The painted grey is never counted as iris.
  int painted_valid = 0;
  for (int y = 0; y < left.eye.rows; ++y) {
    for (int x = 0; x < left.eye.cols; ++x) {
      const uint8_t v = left.eye.at<uint8_t>(y, x);
      painted_valid += (v == 128 || v == 200) && s.valid.at<uint8_t>(y, x) != 0;
    }
  }
  EXPECT_LT(painted_valid, 20);

  // Left and right eyes are different irises.
  const double hd = Hd(l->code, r->code);
  EXPECT_GT(hd, 0.38);
  EXPECT_LT(hd, 0.60);
}

}  // namespace
}  // namespace sijil::biometrics
