#include "sijil/biometrics/iris_polar.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/internal/iris_common.h"

namespace sijil::biometrics {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr int kCols = kIrisColumns;
// Columns added on each side so filters wrap around the angle.
constexpr int kPad = 16;
// Harmonics of the boundary fits beyond the constant.
constexpr int kHarmonics = 2;

double ColumnAngle(int c) { return 2 * kPi * c / kCols; }

// Step 1: the angle axis resampled to kCols columns in the strip's convention. Column c of
// the result looks in direction 2*pi*c/kCols (counter-clockwise from the right); each takes
// the mean of `taps` linear samples across its span of source columns.
cv::Mat ResampleAngles(const cv::Mat& polar, const PolarLayout& layout) {
  const int n = polar.cols;
  const int taps = std::max(1, static_cast<int>(std::ceil(static_cast<double>(n) / kCols)));
  cv::Mat out(polar.rows, kCols, CV_32F);
  std::vector<int> j0(kCols * taps);
  std::vector<float> frac(kCols * taps);
  const double dir = layout.counter_clockwise ? 1.0 : -1.0;
  for (int c = 0; c < kCols; ++c) {
    for (int t = 0; t < taps; ++t) {
      const double deg = 360.0 * (c + (t + 0.5) / taps - 0.5) / kCols;
      double j = dir * (deg - layout.zero_angle_deg) / 360.0 * n;
      j -= std::floor(j / n) * n;
      const int lo = std::min(n - 1, static_cast<int>(j));
      j0[c * taps + t] = lo;
      frac[c * taps + t] = static_cast<float>(j - lo);
    }
  }
  for (int r = 0; r < polar.rows; ++r) {
    const uint8_t* src = polar.ptr<uint8_t>(r);
    float* dst = out.ptr<float>(r);
    for (int c = 0; c < kCols; ++c) {
      float sum = 0;
      for (int t = 0; t < taps; ++t) {
        const int lo = j0[c * taps + t];
        const float f = frac[c * taps + t];
        sum += (1 - f) * src[lo] + f * src[(lo + 1) % n];
      }
      dst[c] = sum / taps;
    }
  }
  return out;
}

// Wrap-pads the angle axis by kPad columns each side (and replicates the radius ends), so
// smoothing and morphology see the circle as closed; Crop undoes it.
cv::Mat WrapPad(const cv::Mat& m) {
  cv::Mat wide, out;
  cv::copyMakeBorder(m, wide, 0, 0, kPad, kPad, cv::BORDER_WRAP);
  cv::copyMakeBorder(wide, out, kPad, kPad, 0, 0, cv::BORDER_REPLICATE);
  return out;
}
cv::Mat Crop(const cv::Mat& padded) {
  return padded(cv::Rect(kPad, kPad, padded.cols - 2 * kPad, padded.rows - 2 * kPad)).clone();
}

// Specular reflections in a wrap-padded polar image: saturated pixels, and the broad,
// unsaturated illuminator halos some cameras leave inside the pupil. Those are bright pixels
// enclosed by the darkest ones: not reachable from the outermost row without crossing the
// pupil's darkness (the polar form of the eye path's "holes of the dark mask").
cv::Mat Reflections(const cv::Mat& padded8) {
  cv::Mat out = padded8 >= 225;
  double lowest = 0;
  cv::minMaxLoc(padded8, &lowest);
  const double dark = lowest + 20;
  // A frame of blocked pixels but for the outer side, so the flood enters only from there
  // (not around the centre side, which lies inside the pupil).
  cv::Mat open_area(padded8.rows + 2, padded8.cols + 2, CV_8UC1, cv::Scalar(0));
  open_area.row(open_area.rows - 1).setTo(255);
  cv::Mat inner = open_area(cv::Rect(1, 1, padded8.cols, padded8.rows));
  inner.setTo(255);
  inner.setTo(0, padded8 <= dark);
  cv::floodFill(open_area, cv::Point(0, open_area.rows - 1), 0);
  out |= inner & (padded8 > dark + 40);
  return out;
}

// Bilinear value of `m` (CV_32F, rows = radius) at fractional row r of column c.
double At(const cv::Mat& m, double r, int c) {
  r = std::isfinite(r) ? std::clamp(r, 0.0, m.rows - 1.001) : 0.0;
  const int r0 = static_cast<int>(r);
  const double f = r - r0;
  return (1 - f) * m.at<float>(r0, c) + f * m.at<float>(r0 + 1, c);
}

// Radial step at every pixel: mean of `band` rows outside minus `band` rows inside.
cv::Mat RadialStep(const cv::Mat& s, int band) {
  cv::Mat d(s.size(), CV_32F, cv::Scalar(0));
  for (int r = band; r + band < s.rows; ++r) {
    float* out = d.ptr<float>(r);
    for (int c = 0; c < s.cols; ++c) {
      float in = 0, ex = 0;
      for (int b = 1; b <= band; ++b) {
        in += s.at<float>(r - b, c);
        ex += s.at<float>(r + b, c);
      }
      out[c] = (ex - in) / band;
    }
  }
  return d;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  const size_t k = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

// A boundary curve r(theta) = a0 + sum_k (a_k cos k.theta + b_k sin k.theta).
struct Curve {
  double coef[1 + 2 * kHarmonics] = {};
  int harmonics = kHarmonics;
  double At(double t) const {
    double r = coef[0];
    for (int k = 1; k <= harmonics; ++k) {
      r += coef[2 * k - 1] * std::cos(k * t) + coef[2 * k] * std::sin(k * t);
    }
    return r;
  }
  // Offset of the best-fitting circle's centre from the polar centre, image axes (y down):
  // r(t) ~ a0 + a1 cos t + b1 sin t is a circle centred at (a1, -b1).
  double dx() const { return coef[1]; }
  double dy() const { return -coef[2]; }
};

// Weighted least squares fit of `harmonics` harmonics to (column, radius, weight) samples,
// reweighted three times to drop columns far from the fit (eyelids, eyelashes, reflections
// pulling single columns). Returns false when too few columns carry weight.
bool FitCurve(const std::vector<double>& r, std::vector<double> w, int harmonics, Curve* out) {
  const int p = 1 + 2 * harmonics;
  for (int iter = 0; iter < 4; ++iter) {
    cv::Mat a(p, p, CV_64F, cv::Scalar(0)), b(p, 1, CV_64F, cv::Scalar(0));
    int used = 0;
    for (int c = 0; c < kCols; ++c) {
      if (!(w[c] > 0)) continue;
      ++used;
      double basis[1 + 2 * kHarmonics];
      basis[0] = 1;
      const double t = ColumnAngle(c);
      for (int k = 1; k <= harmonics; ++k) {
        basis[2 * k - 1] = std::cos(k * t);
        basis[2 * k] = std::sin(k * t);
      }
      for (int i = 0; i < p; ++i) {
        b.at<double>(i) += w[c] * basis[i] * r[c];
        for (int j = 0; j < p; ++j) a.at<double>(i, j) += w[c] * basis[i] * basis[j];
      }
    }
    if (used < std::max(3 * p, kCols / 8)) return false;
    cv::Mat x;
    if (!cv::solve(a, b, x, cv::DECOMP_CHOLESKY) && !cv::solve(a, b, x, cv::DECOMP_SVD)) {
      return false;
    }
    Curve fit;
    fit.harmonics = harmonics;
    for (int i = 0; i < p; ++i) {
      fit.coef[i] = x.at<double>(i);
      if (!std::isfinite(fit.coef[i])) return false;
    }
    *out = fit;
    if (iter == 3) break;
    std::vector<double> residuals;
    for (int c = 0; c < kCols; ++c) {
      if (w[c] > 0) residuals.push_back(std::fabs(r[c] - fit.At(ColumnAngle(c))));
    }
    const double limit = std::max(1.5, 3 * 1.4826 * Median(residuals));
    for (int c = 0; c < kCols; ++c) {
      if (w[c] > 0 && std::fabs(r[c] - fit.At(ColumnAngle(c))) > limit) w[c] = 0;
    }
  }
  return true;
}

// Per column: the radius of the strongest step of `step` within [lo(c), hi(c)], refined to
// a fraction of a row by a parabola through the peak; `strength` receives the step.
void ColumnEdges(const cv::Mat& step, const std::vector<double>& lo, const std::vector<double>& hi,
                 std::vector<double>* radius, std::vector<double>* strength) {
  radius->assign(kCols, 0);
  strength->assign(kCols, 0);
  for (int c = 0; c < kCols; ++c) {
    // Bounds are clamped as doubles: a wild fit must not overflow the conversion.
    if (!std::isfinite(lo[c]) || !std::isfinite(hi[c])) continue;
    const int a = static_cast<int>(std::ceil(std::clamp(lo[c], 1.0, step.rows - 2.0)));
    const int b = static_cast<int>(std::floor(std::clamp(hi[c], 1.0, step.rows - 2.0)));
    int best = -1;
    float best_v = 0;
    for (int r = a; r <= b; ++r) {
      const float v = step.at<float>(r, c);
      if (best < 0 || v > best_v) {
        best = r;
        best_v = v;
      }
    }
    if (best < 0) continue;
    double sub = best;
    const double ym = step.at<float>(best - 1, c), yp = step.at<float>(best + 1, c);
    const double den = ym - 2.0 * best_v + yp;
    if (den < 0) sub += std::clamp(0.5 * (ym - yp) / den, -0.5, 0.5);
    (*radius)[c] = sub;
    (*strength)[c] = best_v;
  }
}

// The point of `curve` (about the polar centre; image axes, y down) that lies in direction
// t (counter-clockwise from the right) from the centre of the curve's best-fitting circle:
// a fixed-point iteration on the polar angle, which converges fast while that centre is
// well inside the curve.
cv::Point2d BoundaryPointSeenFrom(const Curve& curve, double t) {
  const cv::Point2d centre(curve.dx(), curve.dy());
  double phi = t;
  cv::Point2d p;
  for (int iter = 0; iter < 6; ++iter) {
    const double r = curve.At(phi);
    p = {r * std::cos(phi), -r * std::sin(phi)};
    const double seen = std::atan2(-(p.y - centre.y), p.x - centre.x);
    phi += std::remainder(t - seen, 2 * kPi);
  }
  const double r = curve.At(phi);
  return {r * std::cos(phi), -r * std::sin(phi)};
}

// The circle of a fitted curve in the reconstructed frame (polar centre at (centre,
// centre)): centred on the curve's first harmonic, with the mean distance of the curve from
// there as radius (the constant term alone understates it when the centres differ).
Circle CircleOf(const Curve& curve, double centre) {
  double sum = 0;
  for (int c = 0; c < kCols; ++c) {
    const double t = ColumnAngle(c), r = curve.At(t);
    sum += std::hypot(r * std::cos(t) - curve.dx(), -r * std::sin(t) - curve.dy());
  }
  return {centre + curve.dx(), centre + curve.dy(), sum / kCols};
}

// Median step of `step` along a fitted curve, over the columns in `use` (all when empty).
double CurveStep(const cv::Mat& step, const Curve& curve, const std::vector<bool>& use = {}) {
  std::vector<double> v;
  for (int c = 0; c < kCols; ++c) {
    if (!use.empty() && !use[c]) continue;
    v.push_back(At(step, curve.At(ColumnAngle(c)), c));
  }
  return Median(std::move(v));
}

// Whether column c looks sideways (angles -40..25 and 155..220 degrees, as the eye path's
// limbus search): eyelids cover the top and bottom of the iris.
bool Lateral(int c) {
  const double deg = 360.0 * c / kCols;
  return deg <= 25 || deg >= 320 || (deg >= 155 && deg <= 220);
}

// Step 4, eyelids: the eye path's parabola y = y0 + sign * a * x^2 about the polar centre
// (x across, y down), written as a height h = |y0 - centre| above (sign +1) or below (-1)
// the centre. Along the ray of angle t it sits at the radius r with
// a cos^2 t r^2 + |sin t| r - h = 0. Pixels beyond it (further from the centre) are
// eyelid. Returns h, or -1 when no eyelid edge crosses the iris.
double FitPolarEyelid(const cv::Mat& s, const std::vector<double>& rp,
                      const std::vector<double>& rl, double pupil_r, double ri, int sign,
                      double min_step, cv::Mat* valid) {
  std::vector<double> cs(kCols), sn(kCols);
  for (int c = 0; c < kCols; ++c) {
    cs[c] = std::cos(ColumnAngle(c));
    sn[c] = std::sin(ColumnAngle(c));
  }
  const int band = std::max(2, static_cast<int>(ri / 40));
  const double curvatures[] = {0.0, 0.25 / ri, 0.5 / ri, 0.8 / ri};
  auto radius_on = [&](double a, double h, int c) {
    const double up = std::fabs(sn[c]), c2 = cs[c] * cs[c];
    if (a * c2 < 1e-9) return h / up;
    return (-up + std::sqrt(up * up + 4 * a * c2 * h)) / (2 * a * c2);
  };
  double best_step = 0, best_h = -1, best_a = 0;
  for (double a : curvatures) {
    for (double h = pupil_r + 2; h <= 0.95 * ri; h += 1) {
      double diff = 0;
      int n = 0;
      for (int c = 0; c < kCols; ++c) {
        if (sign * sn[c] < 0.15) continue;
        const double r = radius_on(a, h, c);
        if (std::fabs(r * cs[c]) > 0.9 * ri) continue;
        // Both sides of the step over iris texture, so the limbus itself is no eyelid.
        if (r - band < rp[c] + 2 || r + band > rl[c] - 1) continue;
        diff += At(s, r + band, c) - At(s, r - band, c);
        ++n;
      }
      if (n < 8) continue;
      const double step = std::fabs(diff / n);
      if (step > best_step) {
        best_step = step;
        best_h = h;
        best_a = a;
      }
    }
  }
  if (best_step < min_step || best_h < 0) return -1;
  for (int c = 0; c < kCols; ++c) {
    if (sign * sn[c] <= 0) continue;
    const double r = std::min(radius_on(best_a, best_h, c), static_cast<double>(valid->rows));
    for (int row = std::max(0, static_cast<int>(std::floor(r))); row < valid->rows; ++row) {
      valid->at<uint8_t>(row, c) = 0;
    }
  }
  return best_h;
}

}  // namespace

Result<IrisExtraction> ExtractIrisFromPolar(const cv::Mat& polar_in,
                                            const IrisPipelineOptions& options,
                                            const PolarLayout& layout,
                                            PolarBoundaries* boundaries) {
  SIJIL_RETURN_IF_ERROR(internal::CheckIrisOptions(options));
  if (polar_in.empty()) return MissingBioInput("empty polar iris image");
  if (!std::isfinite(layout.zero_angle_deg)) return InvalidBioInput("polar zero angle not finite");
  cv::Mat polar;
  if (polar_in.channels() == 3) {
    cv::cvtColor(polar_in, polar, cv::COLOR_BGR2GRAY);
  } else if (polar_in.type() == CV_8UC1) {
    polar = polar_in;
  } else {
    return InvalidBioInput("polar iris image must be 8-bit grey or RGB");
  }
  if (polar.rows < kMinPolarRows || polar.cols < kMinPolarColumns) {
    return InvalidBioInput("polar iris image is too small (" + std::to_string(polar.cols) +
                           " angles x " + std::to_string(polar.rows) + " radii; at least " +
                           std::to_string(kMinPolarColumns) + " x " +
                           std::to_string(kMinPolarRows) + ")");
  }
  const int rows = polar.rows;

  // Steps 1-2: angles resampled; saturated reflections masked and filled from the pixels
  // around them (a normalised Gaussian average), so their rims do not pass for boundaries.
  const cv::Mat q = ResampleAngles(polar, layout);
  cv::Mat q8;
  q.convertTo(q8, CV_8U);
  cv::Mat reflections = Reflections(WrapPad(q8));
  cv::dilate(reflections, reflections, cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5}));
  cv::Mat padded = WrapPad(q);
  {
    cv::Mat keep;
    reflections.convertTo(keep, CV_32F, -1.0 / 255, 1.0);
    cv::Mat num = padded.mul(keep), den;
    cv::GaussianBlur(num, num, {0, 0}, 4);
    cv::GaussianBlur(keep, den, {0, 0}, 4);
    cv::Mat filled = num / cv::max(den, 1e-3);
    filled.copyTo(padded, reflections);
  }
  cv::Mat smooth_padded;
  cv::GaussianBlur(padded, smooth_padded, {0, 0}, 1.0);
  const cv::Mat smooth = Crop(smooth_padded);
  reflections = Crop(reflections);

  // Step 3, pupil: the radius r whose step (each column's strongest within r +- r/5, since
  // the boundary swings across angles when the polar centre is off the pupil's; median over
  // all columns) minus a quarter of the intensity just inside, is largest; then each column's
  // strongest step near it. The limbus is often the larger step (a light sclera, or the
  // paint of a cropped-and-masked image, against a dark iris), so only radii whose interior
  // is about as dark as the darkest ring of the image, the pupil's, qualify.
  constexpr int kBand = 2;
  const cv::Mat step = RadialStep(smooth, kBand);
  cv::Mat step_wide = RadialStep(smooth, std::max(3, rows / 40));
  std::vector<double> ring_level(rows);
  std::vector<double> steps(kCols), inner(kCols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < kCols; ++c) steps[c] = smooth.at<float>(r, c);
    ring_level[r] = Median(steps);
  }
  const int search_to = static_cast<int>(0.7 * rows);
  const double darkest = *std::min_element(ring_level.begin(), ring_level.begin() + search_to);
  const double dark_enough = darkest + std::max(12.0, 0.25 * (Median(ring_level) - darkest));
  double best_score = -1e9, r_pupil = -1;
  // A pupil smaller than a sixteenth of the rows is implausible (the polar image reaches
  // past the limbus, and the pupil is at least a tenth of the iris), and the rim of a
  // reflection at the centre must not pass for one.
  for (int r = std::max(3, rows / 16); r < search_to; ++r) {
    const int swing = std::max(2, r / 5);
    if (ring_level[std::max(0, r - swing - kBand)] > dark_enough) continue;
    const int from = std::max(kBand, r - swing), to = std::min(rows - kBand - 1, r + swing);
    for (int c = 0; c < kCols; ++c) {
      float best = -1e9f;
      for (int rr = from; rr <= to; ++rr) best = std::max(best, step.at<float>(rr, c));
      steps[c] = best;
      inner[c] = smooth.at<float>(std::max(0, r - swing - kBand), c);
    }
    const double score = Median(steps) - 0.25 * Median(inner);
    if (score > best_score) {
      best_score = score;
      r_pupil = r;
    }
  }
  std::vector<double> lo(kCols), hi(kCols), radius, strength;
  const double reach = std::max(4.0, 0.5 * r_pupil);
  std::fill(lo.begin(), lo.end(), std::max(2.0, r_pupil - reach));
  std::fill(hi.begin(), hi.end(), r_pupil + reach);
  ColumnEdges(step, lo, hi, &radius, &strength);
  std::vector<double> weight(kCols);
  for (int c = 0; c < kCols; ++c) weight[c] = std::max(0.0, strength[c]);
  Curve pupil;
  if (r_pupil < 0 || !FitCurve(radius, weight, kHarmonics, &pupil)) {
    return BioStatus(BioErrorCode::kBiometricsNotFound, "no pupil found in the polar image");
  }
  // When the polar centre is off the pupil's, the boundary swings across the window; search
  // again close to the first fit.
  for (int c = 0; c < kCols; ++c) {
    lo[c] = std::max(2.0, pupil.At(ColumnAngle(c)) - 3);
    hi[c] = pupil.At(ColumnAngle(c)) + 3;
  }
  ColumnEdges(step, lo, hi, &radius, &strength);
  for (int c = 0; c < kCols; ++c) weight[c] = std::max(0.0, strength[c]);
  bool plausible = FitCurve(radius, weight, kHarmonics, &pupil);
  for (int c = 0; c < kCols && plausible; ++c) {
    const double r = pupil.At(ColumnAngle(c));
    plausible = r >= 1 && r < rows - 1;
  }
  if (!plausible) {
    return BioStatus(BioErrorCode::kBiometricsNotFound, "no pupil found in the polar image");
  }
  const double pupil_step = CurveStep(step_wide, pupil);
  if (!(pupil_step >= 8)) {
    return BioStatus(BioErrorCode::kBiometricsNotFound,
                     "no pupil found in the polar image (no dark-to-bright step across angles)");
  }

  // Step 3, limbus: located on the lateral angles beyond the pupil, as a curve that swings
  // with the pupil's (both move together when the polar centre is off the pupil centre),
  // then refined per column, fitted on the lateral columns, and refined in every column
  // near that fit and fitted again.
  std::vector<double> swing(kCols);
  for (int c = 0; c < kCols; ++c) swing[c] = pupil.At(ColumnAngle(c)) - pupil.coef[0];
  const int limbus_band = 3;
  const double last_row = rows - limbus_band - 1.0;
  const cv::Mat step_limbus = RadialStep(smooth, limbus_band);
  double best_limbus = -1e9, r_limbus = -1;
  int lateral_count = 0;
  for (int c = 0; c < kCols; ++c) lateral_count += Lateral(c);
  for (int r = static_cast<int>(std::ceil(1.25 * pupil.coef[0])); r < last_row; ++r) {
    steps.clear();
    for (int c = 0; c < kCols; ++c) {
      const double at = r + swing[c];
      if (Lateral(c) && at > pupil.At(ColumnAngle(c)) + 3 && at < last_row) {
        steps.push_back(At(step_limbus, at, c));
      }
    }
    if (2 * static_cast<int>(steps.size()) < lateral_count) continue;
    const double m = Median(steps);
    if (m > best_limbus) {
      best_limbus = m;
      r_limbus = r;
    }
  }
  if (r_limbus < 0) {
    return BioStatus(BioErrorCode::kBiometricsNotFound,
                     "no iris found in the polar image (too few rows beyond the pupil)");
  }
  const double l_reach = std::max(4.0, 0.15 * r_limbus);
  for (int c = 0; c < kCols; ++c) {
    lo[c] = std::max(r_limbus + swing[c] - l_reach, pupil.At(ColumnAngle(c)) + 3);
    hi[c] = std::min(r_limbus + swing[c] + l_reach, last_row);
  }
  ColumnEdges(step_limbus, lo, hi, &radius, &strength);
  for (int c = 0; c < kCols; ++c) weight[c] = Lateral(c) ? std::max(0.0, strength[c]) : 0;
  Curve limbus;
  if (!FitCurve(radius, weight, 1, &limbus)) {
    return BioStatus(BioErrorCode::kBiometricsNotFound, "no iris found in the polar image");
  }
  // Every column with a clear edge near the lateral fit joins the final fit.
  const double tolerance = std::max(3.0, 0.05 * limbus.coef[0]);
  for (int c = 0; c < kCols; ++c) {
    const double fit = limbus.At(ColumnAngle(c));
    lo[c] = std::max(fit - tolerance, pupil.At(ColumnAngle(c)) + 3);
    hi[c] = std::min(fit + tolerance, last_row);
  }
  ColumnEdges(step_limbus, lo, hi, &radius, &strength);
  std::vector<double> lateral_strength;
  for (int c = 0; c < kCols; ++c) {
    if (Lateral(c)) lateral_strength.push_back(strength[c]);
  }
  const double clear = 0.5 * Median(std::move(lateral_strength));
  int agreeing = 0;
  for (int c = 0; c < kCols; ++c) {
    const bool ok = strength[c] > 0 && strength[c] >= clear;
    weight[c] = ok ? strength[c] : 0;
    agreeing += ok;
  }
  Curve refined;
  if (FitCurve(radius, weight, agreeing > kCols * 6 / 10 ? kHarmonics : 1, &refined)) {
    limbus = refined;
  }
  std::vector<bool> lateral(kCols);
  for (int c = 0; c < kCols; ++c) lateral[c] = Lateral(c);
  const double limbus_step = CurveStep(step_limbus, limbus, lateral);
  bool nested = true;
  for (int c = 0; c < kCols; ++c) {
    const double t = ColumnAngle(c);
    nested = nested && limbus.At(t) > pupil.At(t) + 3 && limbus.At(t) < rows;
  }
  if (!(limbus_step >= 3) || !nested || limbus.coef[0] < 1.25 * pupil.coef[0]) {
    return BioStatus(BioErrorCode::kBiometricsNotFound,
                     "no iris found in the polar image (no limbus step around the pupil)");
  }

  // Step 4: usable pixels of the polar frame.
  IrisSegmentation seg;
  seg.pupil_contrast = pupil_step;
  seg.iris_contrast = limbus_step;
  seg.valid = cv::Mat::zeros(rows, kCols, CV_8UC1);
  std::vector<double> rp(kCols), rl(kCols);
  for (int c = 0; c < kCols; ++c) {
    rp[c] = pupil.At(ColumnAngle(c));
    rl[c] = limbus.At(ColumnAngle(c));
    for (int r = static_cast<int>(std::ceil(rp[c])); r < rows && r <= rl[c]; ++r) {
      seg.valid.at<uint8_t>(r, c) = 255;
    }
  }
  seg.valid.setTo(0, reflections);
  seg.valid.setTo(0, Crop(internal::FlatRegions(WrapPad(q8))));
  const double lid_step = std::max(6.0, 0.5 * seg.iris_contrast);
  const double centre = rows;  // the polar centre in the reconstructed frame
  const double upper =
      FitPolarEyelid(smooth, rp, rl, pupil.coef[0], limbus.coef[0], +1, lid_step, &seg.valid);
  const double lower =
      FitPolarEyelid(smooth, rp, rl, pupil.coef[0], limbus.coef[0], -1, lid_step, &seg.valid);
  seg.upper_eyelid_y = upper < 0 ? -1 : centre - upper;
  seg.lower_eyelid_y = lower < 0 ? -1 : centre + lower;
  // Eyelashes: as dark as the pupil, well below the iris's own intensities.
  std::vector<double> inside, iris_values;
  for (int c = 0; c < kCols; ++c) {
    for (int r = 0; r < rows; ++r) {
      if (r + 1 < rp[c] - kBand && !reflections.at<uint8_t>(r, c)) {
        inside.push_back(smooth.at<float>(r, c));
      }
      if (seg.valid.at<uint8_t>(r, c)) iris_values.push_back(q.at<float>(r, c));
    }
  }
  const double pupil_level = Median(std::move(inside));
  const double lash = pupil_level + 0.4 * (Median(std::move(iris_values)) - pupil_level);
  seg.valid.setTo(0, smooth < lash);

  seg.pupil = CircleOf(pupil, centre);
  seg.iris = CircleOf(limbus, centre);

  // Step 5: the rubber sheet of the eye path. Strip column t joins the pupil boundary point
  // seen from the pupil centre at angle t to the limbus point seen from the limbus centre
  // at t (both on the fitted curves), so that the same eye unwrapped around a slightly
  // different centre, or photographed, gives the same strip. Sample positions are mapped
  // back to (radius, angle) about the polar centre.
  IrisExtraction out;
  const int radial = options.strip_radial;
  const cv::Mat q8_padded = WrapPad(q8), valid_padded = WrapPad(seg.valid);
  cv::Mat map_x(radial, kCols, CV_32F), map_y(radial, kCols, CV_32F);
  for (int c = 0; c < kCols; ++c) {
    const double t = ColumnAngle(c);
    const cv::Point2d p = BoundaryPointSeenFrom(pupil, t);
    const cv::Point2d l = BoundaryPointSeenFrom(limbus, t);
    for (int i = 0; i < radial; ++i) {
      const double rho = internal::kStripInner +
                         (internal::kStripOuter - internal::kStripInner) * (i + 0.5) / radial;
      const cv::Point2d x = (1 - rho) * p + rho * l;
      double phi = std::atan2(-x.y, x.x);
      if (phi < 0) phi += 2 * kPi;
      map_x.at<float>(i, c) = static_cast<float>(kPad + phi / (2 * kPi) * kCols);
      map_y.at<float>(i, c) = static_cast<float>(kPad + std::hypot(x.x, x.y));
    }
  }
  cv::remap(q8_padded, out.strip, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::remap(valid_padded, out.strip_mask, map_x, map_y, cv::INTER_NEAREST, cv::BORDER_CONSTANT, 0);
  out.code = EncodeIris(out.strip, out.strip_mask, options);

  // Quality, by the eye path's rules. A polar pixel at radius r covers r (radians x rows)
  // of the eye, so areas are weighted by radius.
  IrisQuality& quality = out.quality;
  double area = 0, usable = 0;
  for (int c = 0; c < kCols; ++c) {
    for (int r = 0; r < rows; ++r) {
      if (r < rp[c] || r > rl[c]) continue;
      area += r;
      usable += seg.valid.at<uint8_t>(r, c) ? r : 0;
    }
  }
  quality.usable_area = area > 0 ? usable / area : 0;
  quality.sharpness = internal::FocusScore(q8, seg.valid);
  quality.pupil_iris_ratio = seg.pupil.r / seg.iris.r;
  quality.concentricity =
      std::hypot(seg.pupil.x - seg.iris.x, seg.pupil.y - seg.iris.y) / seg.iris.r;
  quality.iris_radius_pixels = seg.iris.r;
  internal::ScoreIrisQuality(&quality);
  out.segmentation = std::move(seg);
  if (boundaries != nullptr) {
    boundaries->pupil = std::move(rp);
    boundaries->limbus = std::move(rl);
  }
  SIJIL_RETURN_IF_ERROR(internal::CheckMinQuality(out, options));
  return out;
}

Result<IrisExtraction> ExtractIrisFromPolar(const Image& polar, const IrisPipelineOptions& options,
                                            const PolarLayout& layout,
                                            PolarBoundaries* boundaries) {
  if (polar.width == 0 || polar.height == 0 || polar.pixels.empty()) {
    return MissingBioInput("empty polar iris image");
  }
  return ExtractIrisFromPolar(ToMat(polar), options, layout, boundaries);
}

Result<IrisExtraction> ExtractIrisFromRecord(const IrisImageRepresentation& rep,
                                             const IrisPipelineOptions& options) {
  if (rep.image_type == kIrisImageUnsegmentedPolar) {
    SIJIL_ASSIGN_OR_RETURN(Image polar, DecodeIrisImage(rep));
    return ExtractIrisFromPolar(polar, options);
  }
  SIJIL_ASSIGN_OR_RETURN(Image eye, DecodeIrisEyeImage(rep));
  return ExtractIris(eye, options);
}

std::string IrisImageKindName(uint8_t image_type) {
  switch (image_type) {
    case 0:
      return "rectilinear";
    case 1:
      return "rectilinear (uncropped)";
    case 2:
      return "rectilinear (VGA)";
    case 3:
      return "rectilinear (cropped)";
    case 7:
      return "rectilinear (cropped and masked)";
    case kIrisImageUnsegmentedPolar:
      return "unsegmented polar";
    default:
      return "unknown (" + std::to_string(image_type) + ")";
  }
}

}  // namespace sijil::biometrics
