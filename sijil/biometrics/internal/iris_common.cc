#include "sijil/biometrics/internal/iris_common.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <string>

#include "sijil/biometrics/bio_status.h"

namespace sijil::biometrics::internal {
namespace {

// 1 inside [good_lo, good_hi], falling linearly to 0 at bad_lo and bad_hi.
double Ramp(double v, double bad_lo, double good_lo, double good_hi, double bad_hi) {
  if (v < good_lo) return std::clamp((v - bad_lo) / (good_lo - bad_lo), 0.0, 1.0);
  if (v > good_hi) return std::clamp((bad_hi - v) / (bad_hi - good_hi), 0.0, 1.0);
  return 1.0;
}

std::string Percent(double f) {
  return std::to_string(static_cast<int>(std::lround(100 * f))) + "%";
}

}  // namespace

Status CheckIrisOptions(const IrisPipelineOptions& options) {
  if (options.strip_radial < kIrisRows / 2 || options.strip_radial > 256) {
    return InvalidBioInput("strip_radial must be in [4, 256]");
  }
  if (!(options.log_gabor_wavelength >= 2 && options.log_gabor_wavelength <= 128) ||
      !(options.log_gabor_sigma_ratio > 0.05 && options.log_gabor_sigma_ratio < 1) ||
      !(options.fragile_fraction >= 0 && options.fragile_fraction < 0.9)) {
    return InvalidBioInput("log-Gabor options out of range");
  }
  return Status::Ok();
}

// Iris texture is never flat over 9x9 pixels (the window is larger than a JPEG block, whose
// detail heavy compression can erase), so where such paint reaches inside the limbus it is
// not iris.
cv::Mat FlatRegions(const cv::Mat& gray) {
  cv::Mat lo, hi;
  const cv::Mat k = cv::getStructuringElement(cv::MORPH_RECT, {9, 9});
  cv::erode(gray, lo, k);
  cv::dilate(gray, hi, k);
  cv::Mat centres = hi == lo;  // centres of flat windows
  cv::dilate(centres, centres, k);
  return centres;
}

double FocusScore(const cv::Mat& gray, const cv::Mat& mask) {
  // x^2 / (x^2 + c^2) of the RMS high-pass response, as Daugman's focus score (c chosen so
  // a sharp iris image scores near 1 and a blurred one near 0).
  if (mask.empty() || cv::countNonZero(mask) == 0) return 0;
  cv::Mat f, low;
  gray.convertTo(f, CV_32F);
  cv::GaussianBlur(f, low, {0, 0}, 1.5);
  cv::Mat high = f - low;
  const double x = std::sqrt(cv::mean(high.mul(high), mask)[0]);
  constexpr double kFocusC = 1.5;
  return x * x / (x * x + kFocusC * kFocusC);
}

void ScoreIrisQuality(IrisQuality* q) {
  const double f_area = Ramp(q->usable_area, 0.25, 0.70, 1.0, 1.1);
  const double f_sharp = Ramp(q->sharpness, 0.1, 0.5, 1.0, 1.1);
  const double f_ratio = Ramp(q->pupil_iris_ratio, 0.10, 0.20, 0.65, 0.80);
  const double f_conc = Ramp(q->concentricity, -1, 0, 0.10, 0.35);
  const double f_size = Ramp(q->iris_radius_pixels, 35, 80, 1e9, 2e9);
  q->reasons.clear();
  if (f_area < 1) {
    q->reasons.push_back("usable iris area " + Percent(q->usable_area) +
                         " (eyelids, eyelashes or reflections cover the rest; 70% wanted)");
  }
  if (f_sharp < 1)
    q->reasons.push_back("iris texture is blurred (focus " + Percent(q->sharpness) + ")");
  if (f_ratio < 1) {
    q->reasons.push_back("pupil/iris ratio " + Percent(q->pupil_iris_ratio) +
                         " outside 20-65% (pupil too dilated or constricted)");
  }
  if (f_conc < 1) {
    q->reasons.push_back("pupil off-centre by " + Percent(q->concentricity) +
                         " of the iris radius (gaze away from the camera)");
  }
  if (f_size < 1) {
    q->reasons.push_back("iris radius " + std::to_string(static_cast<int>(q->iris_radius_pixels)) +
                         " px is small (80 px or more wanted)");
  }
  q->score = static_cast<int>(std::lround(100 * f_area * f_sharp * f_ratio * f_conc * f_size));
}

Status CheckMinQuality(const IrisExtraction& x, const IrisPipelineOptions& options) {
  if (x.quality.score >= options.min_quality) return Status::Ok();
  std::string why;
  for (const auto& r : x.quality.reasons) why += (why.empty() ? "" : "; ") + r;
  return BioStatus(BioErrorCode::kPoorDataQuality,
                   "iris quality " + std::to_string(x.quality.score) + " below " +
                       std::to_string(options.min_quality) + ": " + why);
}

}  // namespace sijil::biometrics::internal
