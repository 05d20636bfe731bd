#include "sijil/biometrics/iris_pipeline.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/internal/iris_common.h"

namespace sijil::biometrics {
namespace {

constexpr double kPi = std::numbers::pi;
// Coarse pupil candidates refined at full resolution.
constexpr size_t kPupilCandidates = 6;
// Brightness (grey levels) above the local background of an unsaturated reflection.
constexpr double kHaloStep = 40;

// Angles (radians, counter-clockwise, 0 = right) sampled on a circle, with precomputed
// cosines and sines, split into sectors: a boundary must show its step in every sector, so
// a dark blob at the image edge or a circle cutting across the iris does not pass for one.
constexpr int kMaxSectors = 4;
struct Arc {
  std::vector<double> c, s;
  std::vector<int> sector;
  int sectors = 0;
};

// `sectors_per_range` sectors in each angle range (degrees).
Arc MakeArc(int samples, const std::vector<std::pair<double, double>>& ranges_deg,
            int sectors_per_range) {
  Arc arc;
  double total = 0;
  for (auto [a, b] : ranges_deg) total += b - a;
  for (auto [a, b] : ranges_deg) {
    const int n =
        std::max(2 * sectors_per_range, static_cast<int>(std::lround(samples * (b - a) / total)));
    for (int i = 0; i < n; ++i) {
      const double t = (a + (b - a) * (i + 0.5) / n) * kPi / 180;
      arc.c.push_back(std::cos(t));
      arc.s.push_back(std::sin(t));
      arc.sector.push_back(arc.sectors + i * sectors_per_range / n);
    }
    arc.sectors += sectors_per_range;
  }
  return arc;
}

// Mean of `img` (CV_32F) on the circle per sector, bilinear; points outside the image are
// skipped. A sector with fewer than 80% of its points inside gets NaN.
void CircleMeans(const cv::Mat& img, double cx, double cy, double r, const Arc& arc,
                 double* means) {
  double sum[kMaxSectors] = {};
  int n[kMaxSectors] = {}, want[kMaxSectors] = {};
  const int w = img.cols, h = img.rows;
  for (size_t i = 0; i < arc.c.size(); ++i) {
    const int k = arc.sector[i];
    ++want[k];
    const double x = cx + r * arc.c[i];
    const double y = cy - r * arc.s[i];
    if (x < 0 || y < 0 || x > w - 1.001 || y > h - 1.001) continue;
    const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
    const double fx = x - x0, fy = y - y0;
    const float* r0 = img.ptr<float>(y0);
    const float* r1 = img.ptr<float>(y0 + 1);
    sum[k] += (1 - fy) * ((1 - fx) * r0[x0] + fx * r0[x0 + 1]) +
              fy * ((1 - fx) * r1[x0] + fx * r1[x0 + 1]);
    ++n[k];
  }
  for (int k = 0; k < arc.sectors; ++k) {
    means[k] = 5 * n[k] >= 4 * want[k] && n[k] > 0 ? sum[k] / n[k] : std::nan("");
  }
}

struct BoundaryFit {
  Circle circle;
  double jump = -1e9;     // smoothed radial intensity step (outer minus inner), weakest sector
  double inner_mean = 0;  // mean intensity just inside
};

// Daugman's operator at one centre: circle means for r in [r_min - band, r_max + band] step
// `dr`, then the step between the `band` rings outside and inside each radius, taken in the
// sector where it is weakest. `dark_weight` subtracts that multiple of the inner mean (the
// pupil is the darkest disc, not just any edge).
void ScanRadii(const cv::Mat& img, double cx, double cy, double r_min, double r_max, double dr,
               int band, const Arc& arc, double dark_weight, BoundaryFit* best) {
  const int n = static_cast<int>(std::floor((r_max - r_min) / dr)) + 1;
  if (n <= 0) return;
  const int k_count = arc.sectors;
  std::vector<double> means((n + 2 * band) * k_count);
  for (int i = 0; i < n + 2 * band; ++i) {
    const double r = r_min + (i - band) * dr;
    if (r > 0.5) {
      CircleMeans(img, cx, cy, r, arc, &means[i * k_count]);
    } else {
      for (int k = 0; k < k_count; ++k) means[i * k_count + k] = std::nan("");
    }
  }
  for (int i = 0; i < n; ++i) {
    double steps[kMaxSectors];
    double inner = 0;
    bool ok = true;
    for (int k = 0; k < k_count && ok; ++k) {
      double in = 0, out = 0;
      for (int b = 1; b <= band && ok; ++b) {
        const double a = means[(i + band - b) * k_count + k];
        const double c = means[(i + band + b) * k_count + k];
        if (std::isnan(a) || std::isnan(c)) ok = false;
        in += a;
        out += c;
      }
      steps[k] = (out - in) / band;
      inner += in / band / k_count;
    }
    if (!ok) continue;
    const double weakest = *std::min_element(steps, steps + k_count);
    const double jump = weakest - dark_weight * inner;
    if (jump > best->jump) {
      best->jump = jump;
      best->inner_mean = inner;
      best->circle = {cx, cy, r_min + i * dr};
    }
  }
}

cv::Mat FillMasked(const cv::Mat& gray, const cv::Mat& mask) {
  cv::Mat f, keep;
  gray.convertTo(f, CV_32F);
  cv::Mat m;
  mask.convertTo(m, CV_32F, 1.0 / 255);
  keep = 1.0 - m;
  cv::Mat num, den;
  cv::multiply(f, keep, num);
  const cv::Size k(0, 0);
  cv::GaussianBlur(num, num, k, 6);
  cv::GaussianBlur(keep, den, k, 6);
  cv::Mat filled = num / cv::max(den, 1e-3);
  filled.copyTo(f, mask);
  return f;
}

double Percentile(const cv::Mat& img8, double p, const cv::Mat& mask = cv::Mat()) {
  int hist[256] = {};
  int total = 0;
  for (int y = 0; y < img8.rows; ++y) {
    const uint8_t* row = img8.ptr<uint8_t>(y);
    const uint8_t* mrow = mask.empty() ? nullptr : mask.ptr<uint8_t>(y);
    for (int x = 0; x < img8.cols; ++x) {
      if (mrow != nullptr && mrow[x] == 0) continue;
      ++hist[row[x]];
      ++total;
    }
  }
  if (total == 0) return 0;
  const double want = p * total;
  int acc = 0;
  for (int v = 0; v < 256; ++v) {
    acc += hist[v];
    if (acc >= want) return v;
  }
  return 255;
}

// The intensity step across `c` between rings up to a tenth of its radius (at least 3 px)
// outside and inside, in the sector of `arc` where it is weakest.
double BoundaryStep(const cv::Mat& img, const Circle& c, const Arc& arc) {
  BoundaryFit fit;
  ScanRadii(img, c.x, c.y, c.r, c.r, 1.0, std::max(3, static_cast<int>(c.r / 10)), arc, 0.0, &fit);
  return fit.circle.r > 0 ? fit.jump : 0;
}

// Masks specular reflections; FillMasked then fills them from their surroundings, so their
// rims do not look like boundaries. A reflection is either saturated, or a bright structure
// enclosed by the darkest pixels of the image (a hole in the dark mask) that stands well
// above its neighbourhood (white top-hat: the image minus its morphological opening). The
// second kind catches the broad, unsaturated halos some cameras leave around their
// illuminators' spots inside the pupil, which would otherwise break the pupil's dark disc
// into rings that look like small pupils; being enclosed keeps bright skin between
// eyelashes out.
cv::Mat FindReflections(const cv::Mat& gray) {
  cv::Mat bright;
  cv::threshold(gray, bright, 225, 255, cv::THRESH_BINARY);
  const int side = std::min(gray.cols, gray.rows);
  const int k = (side / 10) | 1;
  cv::Mat opened, tophat;
  // A square element: separable, so the opening costs a few passes whatever its size.
  cv::morphologyEx(gray, opened, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {k, k}));
  cv::subtract(gray, opened, tophat);
  // Holes of the dark mask: not dark, and not reachable from the border without crossing it.
  const double dark = Percentile(gray, 0.01) + kHaloStep / 2;
  cv::Mat open_area(gray.rows + 2, gray.cols + 2, CV_8UC1, cv::Scalar(255));
  cv::Mat inner = open_area(cv::Rect(1, 1, gray.cols, gray.rows));
  inner.setTo(0, gray <= dark);
  cv::floodFill(open_area, cv::Point(0, 0), 0);
  bright |= inner & (tophat > kHaloStep);
  cv::dilate(bright, bright, cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5}));
  return bright;
}

// Upper (sign = +1) or lower (sign = -1) eyelid as y = y0 + sign * a * (x - xc)^2. Returns the
// row where the eyelid crosses the iris's vertical axis, or -1 when no eyelid edge is found
// inside the iris. `img` is the smoothed image (CV_32F).
double FitEyelid(const cv::Mat& img, const Circle& pupil, const Circle& iris, int sign,
                 double min_step, cv::Mat* valid) {
  const double ri = iris.r;
  // The eyelid vertex lies between the iris edge and the pupil edge on that side.
  const double y_from = sign > 0 ? iris.y - ri + 0.05 * ri : pupil.y + pupil.r + 2;
  const double y_to = sign > 0 ? pupil.y - pupil.r - 2 : iris.y + ri - 0.05 * ri;
  if (y_to <= y_from) return -1;
  const double curvatures[] = {0.0, 0.25 / ri, 0.5 / ri, 0.8 / ri};
  const int band = std::max(2, static_cast<int>(ri / 40));
  double best_step = 0, best_y0 = -1, best_a = 0;
  const double step_x = std::max(1.0, ri / 60);
  for (double a : curvatures) {
    for (double y0 = y_from; y0 <= y_to; y0 += 1) {
      double diff = 0;
      int n = 0;
      for (double x = iris.x - 0.9 * ri; x <= iris.x + 0.9 * ri; x += step_x) {
        const double y = y0 + sign * a * (x - iris.x) * (x - iris.x);
        // Only the part of the curve over iris texture (inside the limbus, outside the pupil).
        const double di = std::hypot(x - iris.x, y - iris.y);
        const double dp = std::hypot(x - pupil.x, y - pupil.y);
        if (di > ri - 1 || dp < pupil.r + 2) continue;
        const int xi = static_cast<int>(x);
        const int ya = static_cast<int>(y) - sign * band;  // eyelid side
        const int yb = static_cast<int>(y) + sign * band;  // iris side
        if (xi < 0 || xi >= img.cols || std::min(ya, yb) < 0 || std::max(ya, yb) >= img.rows) {
          continue;
        }
        diff += img.at<float>(ya, xi) - img.at<float>(yb, xi);
        ++n;
      }
      if (n < 8) continue;
      const double step = std::fabs(diff / n);
      if (step > best_step) {
        best_step = step;
        best_y0 = y0;
        best_a = a;
      }
    }
  }
  if (best_step < min_step || best_y0 < 0) return -1;
  // Mask everything beyond the curve.
  for (int y = 0; y < valid->rows; ++y) {
    uint8_t* row = valid->ptr<uint8_t>(y);
    for (int x = 0; x < valid->cols; ++x) {
      const double yc = best_y0 + sign * best_a * (x - iris.x) * (x - iris.x);
      if ((sign > 0 && y < yc) || (sign < 0 && y > yc)) row[x] = 0;
    }
  }
  return best_y0;
}

}  // namespace

Result<IrisSegmentation> SegmentIris(const cv::Mat& gray, const IrisPipelineOptions& options) {
  if (gray.empty() || gray.type() != CV_8UC1) return InvalidBioInput("iris image must be grey");
  const int side = std::min(gray.cols, gray.rows);
  if (side < 64)
    return InvalidBioInput("iris image is too small (" + std::to_string(side) + " px)");

  const cv::Mat reflections = FindReflections(gray);
  const cv::Mat filled = FillMasked(gray, reflections);
  cv::Mat smooth;
  cv::GaussianBlur(filled, smooth, {0, 0}, std::max(1.0, side / 300.0));

  // --- Coarse search on a downscaled copy (smaller side ~ 100 px) ---
  const double s = std::min(1.0, 100.0 / side);
  cv::Mat small;
  cv::resize(smooth, small, {}, s, s, cv::INTER_AREA);
  cv::Mat small8;
  small.convertTo(small8, CV_8U);
  const double p_min = options.min_pupil_fraction * side, p_max = options.max_pupil_fraction * side;
  const double i_min = options.min_iris_fraction * side, i_max = options.max_iris_fraction * side;

  // Pupil: centres on dark pixels; the boundary is the strongest dark-to-bright step. The
  // coarse grid is about 3 px apart at full resolution, so when the pupil's edge is faint
  // (a dark iris) a grid point near its true centre can score below a spurious small disc;
  // the best few distinct candidates are therefore all refined, and the refined scores
  // decide.
  const Arc pupil_arc = MakeArc(32, {{0, 360}}, 4);
  const double dark = Percentile(small8, 0.12);
  std::vector<BoundaryFit> candidates;
  const int margin = std::max(1, static_cast<int>(p_min * s));
  for (int y = margin; y < small.rows - margin; y += 1) {
    for (int x = margin; x < small.cols - margin; x += 1) {
      if (small8.at<uint8_t>(y, x) > dark) continue;
      BoundaryFit at;
      ScanRadii(small, x, y, std::max(2.0, p_min * s), p_max * s, 1.0, 2, pupil_arc, 0.25, &at);
      if (at.circle.r > 0) candidates.push_back(at);
    }
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const BoundaryFit& a, const BoundaryFit& b) { return a.jump > b.jump; });
  std::vector<Circle> seeds;
  for (const BoundaryFit& c : candidates) {
    if (seeds.size() == kPupilCandidates) break;
    bool distinct = true;
    for (const Circle& seed : seeds) {
      if (std::hypot(seed.x - c.circle.x, seed.y - c.circle.y) < 2.5 &&
          std::fabs(seed.r - c.circle.r) < 2.5) {
        distinct = false;
      }
    }
    if (distinct) seeds.push_back(c.circle);
  }
  if (seeds.empty()) return BioStatus(BioErrorCode::kBiometricsNotFound, "no pupil found");

  // Rank the seeds at full resolution on a sparser grid (every other pixel, 1 px radius
  // steps), as the coarse search does (step minus a share of the inner intensity), then
  // refine the winner densely.
  const Arc pupil_fine = MakeArc(96, {{0, 360}}, 4);
  const Arc pupil_mid = MakeArc(48, {{0, 360}}, 4);
  const double reach = 1.5 / s + 1;
  Circle chosen;
  double chosen_rank = -1e9;
  for (const Circle& seed : seeds) {
    const Circle c{seed.x / s, seed.y / s, seed.r / s};
    BoundaryFit best;
    for (double dy = -reach; dy <= reach; dy += 2) {
      for (double dx = -reach; dx <= reach; dx += 2) {
        ScanRadii(smooth, c.x + dx, c.y + dy, std::max(2.0, c.r - reach), c.r + reach, 1.0, 2,
                  pupil_mid, 0.0, &best);
      }
    }
    if (best.circle.r <= 0) continue;
    const double rank = best.jump - 0.25 * best.inner_mean;
    if (rank > chosen_rank) {
      chosen_rank = rank;
      chosen = best.circle;
    }
  }
  if (chosen.r <= 0) return BioStatus(BioErrorCode::kBiometricsNotFound, "no pupil found");
  BoundaryFit pupil;
  for (double dy = -2; dy <= 2; dy += 1) {
    for (double dx = -2; dx <= 2; dx += 1) {
      ScanRadii(smooth, chosen.x + dx, chosen.y + dy, std::max(2.0, chosen.r - 2), chosen.r + 2,
                0.5, 3, pupil_fine, 0.0, &pupil);
    }
  }
  if (pupil.circle.r <= 0) return BioStatus(BioErrorCode::kBiometricsNotFound, "no pupil found");
  // The refinement's narrow rings place the boundary precisely but understate the step of
  // a soft (defocused or dark-iris) pupil edge; judge it on wider rings.
  pupil.jump = BoundaryStep(smooth, pupil.circle, pupil_fine);
  if (pupil.jump < 8) {
    return BioStatus(BioErrorCode::kBiometricsNotFound,
                     "no pupil found (no dark disc with a clear boundary)");
  }

  // Limbus: lateral arcs only (eyelids cover the top and bottom), centre near the pupil's.
  const Arc iris_arc = MakeArc(48, {{-40, 25}, {155, 220}}, 1);
  BoundaryFit iris;
  {
    const double r_lo = std::max(i_min, pupil.circle.r / 0.75) * s;
    const double r_hi = std::min(i_max, pupil.circle.r / 0.12) * s;
    const double reach = std::max(2.0, 0.15 * pupil.circle.r * s);
    const double px = pupil.circle.x * s, py = pupil.circle.y * s;
    for (double dy = -reach; dy <= reach; dy += 1) {
      for (double dx = -reach * 2; dx <= reach * 2; dx += 1) {
        ScanRadii(small, px + dx, py + dy, r_lo, r_hi, 1.0, 2, iris_arc, 0.0, &iris);
      }
    }
    if (iris.circle.r <= 0) return BioStatus(BioErrorCode::kBiometricsNotFound, "no iris found");
    const Circle c{iris.circle.x / s, iris.circle.y / s, iris.circle.r / s};
    const Arc iris_fine = MakeArc(128, {{-40, 25}, {155, 220}}, 1);
    const double fine = 1.5 / s + 1;
    BoundaryFit best;
    for (double dy = -fine; dy <= fine; dy += 1) {
      for (double dx = -fine; dx <= fine; dx += 1) {
        ScanRadii(smooth, c.x + dx, c.y + dy, c.r - fine, c.r + fine, 0.5,
                  std::max(3, static_cast<int>(c.r / 30)), iris_fine, 0.0, &best);
      }
    }
    if (best.circle.r > 0) iris = best;
  }
  if (iris.jump < 3 || iris.circle.r < pupil.circle.r * 1.25) {
    return BioStatus(BioErrorCode::kBiometricsNotFound,
                     "no iris found (no limbus boundary around the pupil)");
  }

  IrisSegmentation seg;
  seg.pupil = pupil.circle;
  seg.iris = iris.circle;
  seg.pupil_contrast = pupil.jump;
  seg.iris_contrast = iris.jump;

  // Usable pixels: the annulus minus reflections, eyelids, eyelashes.
  seg.valid = cv::Mat::zeros(gray.size(), CV_8UC1);
  cv::circle(seg.valid, cv::Point2d(seg.iris.x, seg.iris.y) * 16.0,
             static_cast<int>(std::lround(seg.iris.r * 16)), 255, cv::FILLED, cv::LINE_8, 4);
  cv::circle(seg.valid, cv::Point2d(seg.pupil.x, seg.pupil.y) * 16.0,
             static_cast<int>(std::lround(seg.pupil.r * 16)), 0, cv::FILLED, cv::LINE_8, 4);
  seg.valid.setTo(0, reflections);
  seg.valid.setTo(0, internal::FlatRegions(gray));
  const double lid_step = std::max(6.0, 0.5 * seg.iris_contrast);
  seg.upper_eyelid_y = FitEyelid(smooth, seg.pupil, seg.iris, +1, lid_step, &seg.valid);
  seg.lower_eyelid_y = FitEyelid(smooth, seg.pupil, seg.iris, -1, lid_step, &seg.valid);
  // Eyelashes: as dark as the pupil, well below the iris's own intensities.
  const double iris_median = Percentile(gray, 0.5, seg.valid);
  const double pupil_level = pupil.inner_mean;
  const double lash = pupil_level + 0.4 * (iris_median - pupil_level);
  cv::Mat lashes;
  cv::Mat smooth8;
  smooth.convertTo(smooth8, CV_8U);
  cv::threshold(smooth8, lashes, lash, 255, cv::THRESH_BINARY_INV);
  seg.valid.setTo(0, lashes);
  return seg;
}

void NormalizeIris(const cv::Mat& gray, const IrisSegmentation& seg, int radial, cv::Mat* strip,
                   cv::Mat* strip_mask) {
  cv::Mat map_x(radial, kIrisColumns, CV_32F), map_y(radial, kIrisColumns, CV_32F);
  // Radii from just outside the pupil to just inside the limbus: both boundaries blur.
  constexpr double kInner = internal::kStripInner, kOuter = internal::kStripOuter;
  for (int c = 0; c < kIrisColumns; ++c) {
    const double t = 2 * kPi * c / kIrisColumns;
    const double ct = std::cos(t), st = std::sin(t);
    const double px = seg.pupil.x + seg.pupil.r * ct, py = seg.pupil.y - seg.pupil.r * st;
    const double lx = seg.iris.x + seg.iris.r * ct, ly = seg.iris.y - seg.iris.r * st;
    for (int i = 0; i < radial; ++i) {
      const double rho = kInner + (kOuter - kInner) * (i + 0.5) / radial;
      map_x.at<float>(i, c) = static_cast<float>((1 - rho) * px + rho * lx);
      map_y.at<float>(i, c) = static_cast<float>((1 - rho) * py + rho * ly);
    }
  }
  cv::remap(gray, *strip, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
  cv::remap(seg.valid, *strip_mask, map_x, map_y, cv::INTER_NEAREST, cv::BORDER_CONSTANT, 0);
}

IrisCode EncodeIris(const cv::Mat& strip, const cv::Mat& strip_mask,
                    const IrisPipelineOptions& options) {
  const int radial = strip.rows;
  constexpr int kBands = kIrisRows / 2;
  // Log-Gabor transfer function on the positive frequencies (an analytic filter: its output
  // is complex, its phase the local phase of the texture at that scale).
  std::vector<double> gain(kIrisColumns, 0.0);
  const double f0 = 1.0 / options.log_gabor_wavelength;
  const double denom = 2 * std::pow(std::log(options.log_gabor_sigma_ratio), 2);
  for (int k = 1; k < kIrisColumns / 2; ++k) {
    const double f = static_cast<double>(k) / kIrisColumns;
    gain[k] = std::exp(-std::pow(std::log(f / f0), 2) / denom);
  }
  std::vector<std::complex<double>> acc(kBands * kIrisColumns);
  std::vector<int> valid_count(kBands * kIrisColumns, 0);
  std::vector<int> total_count(kBands * kIrisColumns, 0);
  cv::Mat row(1, kIrisColumns, CV_32F), spectrum;
  for (int i = 0; i < radial; ++i) {
    const int band = std::min(kBands - 1, i * kBands / radial);
    const uint8_t* src = strip.ptr<uint8_t>(i);
    const uint8_t* m = strip_mask.ptr<uint8_t>(i);
    // Occluded samples take the row's mean of usable ones, so eyelid edges do not ring
    // through the filter into neighbouring valid bits.
    double sum = 0;
    int n = 0;
    for (int c = 0; c < kIrisColumns; ++c) {
      if (m[c] != 0) {
        sum += src[c];
        ++n;
      }
    }
    const double mean = n > 0 ? sum / n : 0;
    float* dst = row.ptr<float>(0);
    for (int c = 0; c < kIrisColumns; ++c) dst[c] = static_cast<float>(m[c] != 0 ? src[c] : mean);
    cv::dft(row, spectrum, cv::DFT_COMPLEX_OUTPUT);
    auto* z = spectrum.ptr<cv::Vec2f>(0);
    for (int k = 0; k < kIrisColumns; ++k) z[k] *= static_cast<float>(gain[k]);
    cv::Mat response;
    cv::idft(spectrum, response, cv::DFT_SCALE | cv::DFT_COMPLEX_OUTPUT);
    const auto* r = response.ptr<cv::Vec2f>(0);
    for (int c = 0; c < kIrisColumns; ++c) {
      acc[band * kIrisColumns + c] += std::complex<double>(r[c][0], r[c][1]);
    }
    // Validity: the filter's main lobe spans about half a wavelength each side.
    const int half = std::max(1, static_cast<int>(options.log_gabor_wavelength / 4));
    for (int c = 0; c < kIrisColumns; ++c) {
      int ok = 0;
      for (int d = -half; d <= half; ++d) ok += m[(c + d + kIrisColumns) % kIrisColumns] != 0;
      valid_count[band * kIrisColumns + c] += ok;
      total_count[band * kIrisColumns + c] += 2 * half + 1;
    }
  }

  IrisCode code;
  for (int b = 0; b < kBands; ++b) {
    for (int part = 0; part < 2; ++part) {
      const int row_index = 2 * b + part;
      std::vector<double> magnitudes;
      for (int c = 0; c < kIrisColumns; ++c) {
        const std::complex<double> z = acc[b * kIrisColumns + c];
        const double v = part == 0 ? z.real() : z.imag();
        code.SetBit(row_index, c, v >= 0);
        const bool usable = valid_count[b * kIrisColumns + c] >=
                            0.75 * std::max(1, total_count[b * kIrisColumns + c]);
        code.SetValid(row_index, c, usable);
        if (usable) magnitudes.push_back(std::fabs(v));
      }
      // Fragile bits: values nearest zero flip with the slightest noise.
      if (options.fragile_fraction > 0 && !magnitudes.empty()) {
        const size_t k = static_cast<size_t>(options.fragile_fraction * magnitudes.size());
        std::nth_element(magnitudes.begin(), magnitudes.begin() + k, magnitudes.end());
        const double cut = magnitudes[k];
        for (int c = 0; c < kIrisColumns; ++c) {
          const std::complex<double> z = acc[b * kIrisColumns + c];
          if (std::fabs(part == 0 ? z.real() : z.imag()) < cut) code.SetValid(row_index, c, false);
        }
      }
    }
  }
  return code;
}

namespace {

IrisQuality AssessQuality(const cv::Mat& gray, const IrisSegmentation& seg) {
  IrisQuality q;
  cv::Mat annulus = cv::Mat::zeros(gray.size(), CV_8UC1);
  cv::circle(annulus, cv::Point2d(seg.iris.x, seg.iris.y) * 16.0,
             static_cast<int>(std::lround(seg.iris.r * 16)), 255, cv::FILLED, cv::LINE_8, 4);
  cv::circle(annulus, cv::Point2d(seg.pupil.x, seg.pupil.y) * 16.0,
             static_cast<int>(std::lround(seg.pupil.r * 16)), 0, cv::FILLED, cv::LINE_8, 4);
  // The geometric annulus area, including any part outside the image.
  const double area = kPi * (seg.iris.r * seg.iris.r - seg.pupil.r * seg.pupil.r);
  q.usable_area = area > 0 ? std::min(1.0, cv::countNonZero(seg.valid) / area) : 0;
  q.pupil_iris_ratio = seg.pupil.r / seg.iris.r;
  q.concentricity = std::hypot(seg.pupil.x - seg.iris.x, seg.pupil.y - seg.iris.y) / seg.iris.r;
  q.iris_radius_pixels = seg.iris.r;
  q.sharpness = internal::FocusScore(gray, seg.valid);
  internal::ScoreIrisQuality(&q);
  return q;
}

}  // namespace

Result<IrisExtraction> ExtractIris(const cv::Mat& gray, const IrisPipelineOptions& options) {
  SIJIL_RETURN_IF_ERROR(internal::CheckIrisOptions(options));
  SIJIL_ASSIGN_OR_RETURN(IrisSegmentation seg, SegmentIris(gray, options));
  IrisExtraction out;
  out.quality = AssessQuality(gray, seg);
  NormalizeIris(gray, seg, options.strip_radial, &out.strip, &out.strip_mask);
  out.code = EncodeIris(out.strip, out.strip_mask, options);
  out.segmentation = std::move(seg);
  SIJIL_RETURN_IF_ERROR(internal::CheckMinQuality(out, options));
  return out;
}

Result<IrisExtraction> ExtractIris(const Image& image, const IrisPipelineOptions& options) {
  if (image.width == 0 || image.height == 0 || image.pixels.empty()) {
    return MissingBioInput("empty iris image");
  }
  cv::Mat m = ToMat(image);
  cv::Mat gray;
  if (m.channels() == 3) {
    cv::cvtColor(m, gray, cv::COLOR_BGR2GRAY);
  } else {
    gray = m;
  }
  return ExtractIris(gray, options);
}

}  // namespace sijil::biometrics
