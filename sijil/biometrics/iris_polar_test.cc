#include "sijil/biometrics/iris_polar.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/internal/synthetic_eye.h"
#include "sijil/biometrics/iris_image_record.h"
#include "tests/integration/testdata.h"

namespace sijil::biometrics {
namespace {

using internal::EyeSpec;
using internal::RenderEye;
using internal::UnwrapPolar;

constexpr double kPi = std::numbers::pi;
// Polar images of the synthetic eye: 100 radii of one pixel from the pupil centre.
constexpr int kRadii = 100;

// `offset`: the polar centre's displacement from the pupil centre (an "unsegmented" image is
// unwrapped around an estimate of it).
cv::Mat PolarOf(const EyeSpec& e, int angles = 512, cv::Point2d offset = {0, 0}) {
  return UnwrapPolar(RenderEye(e), e.pupil.x + offset.x, e.pupil.y + offset.y, kRadii, angles,
                     kRadii);
}

double Hd(const IrisCode& a, const IrisCode& b, int* shift = nullptr) {
  auto r = CompareIris(a, b, 8);
  EXPECT_TRUE(r.ok()) << r.status();
  if (shift != nullptr && r.ok()) *shift = r->best_shift;
  return r.ok() ? r->hamming_distance : 1.0;
}

// Distance from `from` to the circle `c` along strip column c (counter-clockwise from the
// right, y up).
double RadiusAlong(const Circle& circle, cv::Point2d from, int c) {
  const double t = 2 * kPi * c / kIrisColumns;
  const double ux = std::cos(t), uy = -std::sin(t);
  const double dx = from.x - circle.x, dy = from.y - circle.y;
  const double b = dx * ux + dy * uy;
  return -b + std::sqrt(b * b - (dx * dx + dy * dy) + circle.r * circle.r);
}

TEST(IrisPolar, FindsTheRenderedBoundaries) {
  EyeSpec spec;
  spec.pupil = {158, 143, 26};  // 2 px left of and 3 px below the limbus centre
  // Unwrapped around the pupil centre, then around points 4.5 and 11 px off it.
  for (const cv::Point2d offset : {cv::Point2d(0, 0), cv::Point2d(4, -2), cv::Point2d(10, -5)}) {
    SCOPED_TRACE(::testing::PrintToString(offset));
    PolarBoundaries b;
    auto x = ExtractIrisFromPolar(PolarOf(spec, 512, offset), {}, {}, &b);
    ASSERT_TRUE(x.ok()) << x.status();
    ASSERT_EQ(b.pupil.size(), static_cast<size_t>(kIrisColumns));
    const cv::Point2d centre(spec.pupil.x + offset.x, spec.pupil.y + offset.y);
    double worst_pupil = 0, worst_limbus = 0;
    for (int c = 0; c < kIrisColumns; ++c) {
      worst_pupil =
          std::max(worst_pupil, std::fabs(b.pupil[c] - RadiusAlong(spec.pupil, centre, c)));
      worst_limbus =
          std::max(worst_limbus, std::fabs(b.limbus[c] - RadiusAlong(spec.iris, centre, c)));
    }
    EXPECT_LT(worst_pupil, 1.0);
    EXPECT_LT(worst_limbus, 1.5);
    // Circles in the reconstructed frame (polar centre at (rows, rows)).
    const IrisSegmentation& s = x->segmentation;
    EXPECT_NEAR(s.pupil.x, kRadii - offset.x, 1);
    EXPECT_NEAR(s.pupil.y, kRadii - offset.y, 1);
    EXPECT_NEAR(s.pupil.r, spec.pupil.r, 1);
    EXPECT_NEAR(s.iris.r, spec.iris.r, 1.5);
    EXPECT_NEAR(s.iris.x - s.pupil.x, spec.iris.x - spec.pupil.x, 1);
    EXPECT_NEAR(s.iris.y - s.pupil.y, spec.iris.y - spec.pupil.y, 1);
    EXPECT_EQ(s.valid.rows, kRadii);
    EXPECT_EQ(s.valid.cols, kIrisColumns);
    EXPECT_NEAR(x->quality.pupil_iris_ratio, 26.0 / 70, 0.03);
    EXPECT_GT(x->quality.usable_area, 0.9);
  }
}

TEST(IrisPolar, SameCodeAsTheEyeImage) {
  // The polar path and the eye path encode the same eye to nearly the same code; a
  // different eye stays near 0.5 from both.
  EyeSpec spec;
  auto rect = ExtractIris(RenderEye(spec));
  ASSERT_TRUE(rect.ok()) << rect.status();
  auto polar = ExtractIrisFromPolar(PolarOf(spec));
  ASSERT_TRUE(polar.ok()) << polar.status();
  EyeSpec other = spec;
  other.texture_seed = 99;
  auto other_rect = ExtractIris(RenderEye(other));
  auto other_polar = ExtractIrisFromPolar(PolarOf(other));
  ASSERT_TRUE(other_rect.ok() && other_polar.ok());

  // Measured: 0.007 around the pupil centre, at most 0.013 around points up to 15.7 px (65%
  // of the pupil radius) off it, while the impostor pairings below measure 0.42-0.48; the
  // bounds leave room for numeric drift only.
  int shift = 99;
  EXPECT_LT(Hd(polar->code, rect->code, &shift), 0.05);
  EXPECT_EQ(shift, 0);
  for (const cv::Point2d offset : {cv::Point2d(6, -3), cv::Point2d(14, -7)}) {
    auto off_centre = ExtractIrisFromPolar(PolarOf(spec, 512, offset));
    ASSERT_TRUE(off_centre.ok()) << off_centre.status();
    EXPECT_LT(Hd(off_centre->code, rect->code, &shift), 0.05);
    EXPECT_EQ(shift, 0);
    EXPECT_NEAR(off_centre->segmentation.pupil.r, spec.pupil.r, 1);
    EXPECT_NEAR(off_centre->segmentation.iris.r, spec.iris.r, 1.5);
  }
  EXPECT_GT(polar->code.ValidBits(), 1200);
  for (double impostor : {Hd(other_polar->code, rect->code), Hd(polar->code, other_rect->code),
                          Hd(other_polar->code, polar->code)}) {
    EXPECT_GT(impostor, 0.40);
    EXPECT_LT(impostor, 0.60);
  }
  EXPECT_GE(polar->quality.score, 60) << ::testing::PrintToString(polar->quality.reasons);
}

TEST(IrisPolar, RotationIsAColumnShift) {
  // A head tilt of 7 degrees (~5 columns), with sensor noise, seen by the polar path: the
  // matcher rotates the probe back by that many columns, against a polar or an eye-image
  // gallery code alike.
  EyeSpec turned;
  turned.rotation_deg = 7;
  turned.noise_sd = 3;
  auto probe = ExtractIrisFromPolar(PolarOf(turned));
  ASSERT_TRUE(probe.ok()) << probe.status();
  auto polar_gallery = ExtractIrisFromPolar(PolarOf(EyeSpec{}));
  auto eye_gallery = ExtractIris(RenderEye(EyeSpec{}));
  ASSERT_TRUE(polar_gallery.ok() && eye_gallery.ok());
  for (const IrisExtraction* gallery : {&*polar_gallery, &*eye_gallery}) {
    int shift = 0;
    EXPECT_LT(Hd(probe->code, gallery->code, &shift), 0.15);
    EXPECT_NEAR(-shift, 7.0 / 360 * kIrisColumns, 1.5);
  }
}

TEST(IrisPolar, AngleSamplingAndLayout) {
  EyeSpec spec;
  auto at512 = ExtractIrisFromPolar(PolarOf(spec, 512));
  auto at256 = ExtractIrisFromPolar(PolarOf(spec, 256));
  auto at1000 = ExtractIrisFromPolar(PolarOf(spec, 1000));
  ASSERT_TRUE(at512.ok() && at256.ok() && at1000.ok());
  int shift = 99;
  EXPECT_LT(Hd(at256->code, at512->code, &shift), 0.1);
  EXPECT_EQ(shift, 0);
  EXPECT_LT(Hd(at1000->code, at512->code, &shift), 0.1);
  EXPECT_EQ(shift, 0);

  // The same image stored clockwise from the right, described by its layout.
  const cv::Mat polar = PolarOf(spec, 512);
  cv::Mat clockwise(polar.size(), polar.type());
  for (int j = 0; j < polar.cols; ++j) {
    // Clockwise column j from the right = counter-clockwise angle -j, i.e. IREX column
    // (-j - 270 deg) mod 360 deg = (90 deg - j) in IREX columns.
    const int src = ((polar.cols / 4 - j) % polar.cols + polar.cols) % polar.cols;
    polar.col(src).copyTo(clockwise.col(j));
  }
  auto cw = ExtractIrisFromPolar(clockwise, {}, PolarLayout{0, false});
  ASSERT_TRUE(cw.ok()) << cw.status();
  EXPECT_LT(Hd(cw->code, at512->code, &shift), 0.02);
  EXPECT_EQ(shift, 0);
  // Read with the wrong layout, it is another iris.
  auto wrong = ExtractIrisFromPolar(clockwise);
  ASSERT_TRUE(wrong.ok());
  EXPECT_GT(Hd(wrong->code, at512->code), 0.35);
}

TEST(IrisPolar, MasksTheUpperEyelid) {
  EyeSpec spec;
  spec.eyelid_y = spec.iris.y - 0.55 * spec.iris.r;
  auto lid = ExtractIrisFromPolar(PolarOf(spec));
  ASSERT_TRUE(lid.ok()) << lid.status();
  // In the reconstructed frame the pupil centre sits at (rows, rows).
  const double expected = kRadii - (spec.pupil.y - spec.eyelid_y);
  EXPECT_NEAR(lid->segmentation.upper_eyelid_y, expected, 4);
  EXPECT_LT(lid->segmentation.lower_eyelid_y, 0);
  auto open = ExtractIrisFromPolar(PolarOf(EyeSpec{}));
  ASSERT_TRUE(open.ok());
  EXPECT_LT(open->segmentation.upper_eyelid_y, 0);
  EXPECT_LT(lid->quality.usable_area, open->quality.usable_area - 0.1);
  EXPECT_LT(lid->code.ValidBits(), open->code.ValidBits());
  // Straight above the pupil (column 64), the outer half of the strip is eyelid.
  EXPECT_EQ(lid->strip_mask.at<uint8_t>(lid->strip_mask.rows - 2, 64), 0);
  EXPECT_NE(lid->strip_mask.at<uint8_t>(2, 192), 0);
  // The unoccluded bits still match the clear eye.
  EXPECT_LT(Hd(lid->code, open->code), 0.15);
}

TEST(IrisPolar, MalformedInput) {
  EXPECT_EQ(BioErrorCodeOf(ExtractIrisFromPolar(Image{}).status()), BioErrorCode::kMissingInput);
  const cv::Mat small = PolarOf(EyeSpec{}, 512)(cv::Rect(0, 0, 512, 20)).clone();
  EXPECT_EQ(BioErrorCodeOf(ExtractIrisFromPolar(small).status()), BioErrorCode::kInvalidInput);
  EXPECT_EQ(BioErrorCodeOf(ExtractIrisFromPolar(cv::Mat(100, 40, CV_8UC1, cv::Scalar(9))).status()),
            BioErrorCode::kInvalidInput);
  EXPECT_EQ(BioErrorCodeOf(ExtractIrisFromPolar(cv::Mat(100, 256, CV_16UC1)).status()),
            BioErrorCode::kInvalidInput);
  // Flat: no boundary anywhere.
  EXPECT_EQ(
      BioErrorCodeOf(ExtractIrisFromPolar(cv::Mat(100, 256, CV_8UC1, cv::Scalar(120))).status()),
      BioErrorCode::kBiometricsNotFound);
  // A pupil but nothing around it: no limbus.
  cv::Mat pupil_only(100, 256, CV_8UC1, cv::Scalar(110));
  pupil_only.rowRange(0, 25).setTo(30);
  EXPECT_EQ(BioErrorCodeOf(ExtractIrisFromPolar(pupil_only).status()),
            BioErrorCode::kBiometricsNotFound);
  // Noise: no fake iris.
  cv::Mat noise(100, 256, CV_8UC1);
  cv::randu(noise, 0, 255);
  auto noisy = ExtractIrisFromPolar(noise);
  if (noisy.ok()) {
    EXPECT_LT(noisy->quality.score, 40);
  } else {
    EXPECT_EQ(BioErrorCodeOf(noisy.status()), BioErrorCode::kBiometricsNotFound);
  }
  IrisPipelineOptions strict;
  strict.min_quality = 101;
  EXPECT_EQ(BioErrorCodeOf(ExtractIrisFromPolar(PolarOf(EyeSpec{}), strict).status()),
            BioErrorCode::kPoorDataQuality);
}

TEST(IrisPolar, RecordsDispatchOnTheirKind) {
  EyeSpec spec;
  const cv::Mat eye = RenderEye(spec);
  const cv::Mat polar = PolarOf(spec);
  IrisImageRecord rec;
  for (const cv::Mat* m : {&eye, &polar}) {
    IrisImageRepresentation rep;
    rep.eye = EyeLabel::kRight;
    rep.image_type = m == &polar ? kIrisImageUnsegmentedPolar : 3;
    rep.image_format = 2;  // mono raw
    rep.width = static_cast<uint16_t>(m->cols);
    rep.height = static_cast<uint16_t>(m->rows);
    rep.image_data.assign(m->datastart, m->dataend);
    rec.representations.push_back(rep);
  }
  auto bytes = WriteIrisImageRecord(rec);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto back = ParseIrisImageRecord(*bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  auto from_eye = ExtractIrisFromRecord(back->representations[0]);
  auto from_polar = ExtractIrisFromRecord(back->representations[1]);
  ASSERT_TRUE(from_eye.ok()) << from_eye.status();
  ASSERT_TRUE(from_polar.ok()) << from_polar.status();
  EXPECT_EQ(from_polar->segmentation.valid.cols, kIrisColumns);  // took the polar path
  EXPECT_LT(Hd(from_polar->code, from_eye->code), 0.05);
  auto direct = ExtractIrisFromPolar(polar);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(Hd(from_polar->code, direct->code), 0.0);
  // A polar image too small to hold an iris: BIO-401 through the record too.
  IrisImageRepresentation tiny = back->representations[1];
  tiny.height = 10;
  tiny.image_data.resize(static_cast<size_t>(tiny.width) * tiny.height);
  EXPECT_EQ(BioErrorCodeOf(ExtractIrisFromRecord(tiny).status()), BioErrorCode::kInvalidInput);
  EXPECT_EQ(IrisImageKindName(kIrisImageUnsegmentedPolar), "unsegmented polar");
}

TEST(IrisPolar, MosipSamplesUnwrapped) {
  // The two MOSIP near-infrared samples (eyelashes, eyelids, reflections; the authentication
  // one "cropped and masked", with unsaturated illuminator halos in its pupil), unwrapped
  // around the pupil centre the eye path finds and around a point 16.8 px off it, encode
  // close to the eye path's own code (measured HD 0.010-0.022) and far from each other.
  constexpr sijil::testing::Testdata kTestdata("biometrics");
  std::vector<IrisCode> polar_codes;
  for (const char* name : {"info_right_registration.jp2", "info_left_auth.jp2"}) {
    SCOPED_TRACE(name);
    auto img = DecodeImage(kTestdata.Read(name));
    ASSERT_TRUE(img.ok()) << img.status();
    cv::Mat eye = ToMat(*img);
    if (eye.channels() == 3) cv::cvtColor(eye, eye, cv::COLOR_BGR2GRAY);
    auto rect = ExtractIris(eye);
    ASSERT_TRUE(rect.ok()) << rect.status();
    const Circle& pupil = rect->segmentation.pupil;
    const int radii = static_cast<int>(rect->segmentation.iris.r * 1.3);
    for (const cv::Point2d offset : {cv::Point2d(0, 0), cv::Point2d(15, -7.5)}) {
      auto polar = ExtractIrisFromPolar(
          UnwrapPolar(eye, pupil.x + offset.x, pupil.y + offset.y, radii, 512, radii));
      ASSERT_TRUE(polar.ok()) << polar.status();
      EXPECT_NEAR(polar->segmentation.pupil.r, pupil.r, 2);
      EXPECT_NEAR(polar->segmentation.iris.r, rect->segmentation.iris.r, 3);
      EXPECT_GE(polar->quality.score, 80);
      EXPECT_LT(Hd(polar->code, rect->code), 0.06);
      polar_codes.push_back(polar->code);
    }
  }
  ASSERT_EQ(polar_codes.size(), 4u);
  const double impostor = Hd(polar_codes[0], polar_codes[2]);
  EXPECT_GT(impostor, 0.38);
  EXPECT_LT(impostor, 0.60);
}

}  // namespace
}  // namespace sijil::biometrics
