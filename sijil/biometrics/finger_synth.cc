#include "sijil/biometrics/finger_synth.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "sijil/base/env.h"
#include "sijil/biometrics/internal/ridge_analysis.h"

namespace sijil::biometrics {
namespace {

constexpr float kPi = std::numbers::pi_v<float>;

// Mixes the seed with the finger and impression numbers (SplitMix64 finaliser), so each
// finger and impression has its own independent stream.
uint64_t Mix(uint64_t seed, uint64_t a, uint64_t b) {
  uint64_t z =
      seed ^ (a * 0x9E3779B97F4A7C15ull) ^ (b * 0xC2B2AE3D27D4EB4Full) ^ 0x5851F42D4C957F2Dull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Draws from a seeded SimulatedEnv stream.
class Draw {
 public:
  explicit Draw(uint64_t seed) : env_(seed) {}
  float Uniform(float lo, float hi) {
    double u = static_cast<double>(env_.RandomUint64() >> 11) * 0x1.0p-53;
    return static_cast<float>(lo + (hi - lo) * u);
  }
  float Normal(float sigma) {
    float u1 = std::max(Uniform(0, 1), 1e-7f), u2 = Uniform(0, 1);
    return sigma * std::sqrt(-2 * std::log(u1)) * std::cos(2 * kPi * u2);
  }
  uint64_t Bits() { return env_.RandomUint64(); }

 private:
  SimulatedEnv env_;
};

float SmoothStep(float t) {
  t = std::clamp(t, 0.0f, 1.0f);
  return t * t * (3 - 2 * t);
}

// Ridges grow on a grid this many times coarser than the image.
constexpr int kGrowScale = 2;
// Orientation bins of the growth filter (directions between bins are interpolated).
constexpr int kOrientations = 12;

// Growth passes: at most this many, and at least kMinPasses; growth stops earlier once a
// pass changes the field by less than kSettled per cell on average.
constexpr int kMaxPasses = 10;
constexpr int kMinPasses = 4;
constexpr double kSettled = 0.045;

// Grows a ridge field (CV_32F in [-1, 1], ridges positive) over `mask` of the growth grid by
// iterated Gabor filtering, clipping to [-1, 1] after each pass. The field starts as white
// noise: the filter amplifies the part of it that runs along the orientation field at the
// ridge period (threefold per pass) and suppresses the rest, so ridges form everywhere at
// once; minutiae stay where neighbouring ridge trains meet out of phase. Every cell starts
// growing in the first pass, so the field is settled in 6-10 passes, where growth from a few
// seeds needs 20-40 for its fronts to cross the print; and since the noise is new for every
// finger, so are the minutiae, with no trace of a seed grid.
cv::Mat GrowRidges(const cv::Mat& cos2, const cv::Mat& sin2, const cv::Mat& mask, float period,
                   Draw& rnd, int* passes) {
  const cv::Rect roi = cv::boundingRect(mask);
  const cv::Mat mask_roi = mask(roi);
  const float sigma = 0.45f * period;
  internal::OrientedGaborBank bank(cos2(roi), sin2(roi), period, sigma, kOrientations);
  // The filter's gain on a sinusoid of the tuned period and direction is pi sigma^2.
  const float gain = 3.0f / (kPi * sigma * sigma);
  cv::Mat field(roi.size(), CV_32F);
  cv::RNG cvrng(rnd.Bits());
  cvrng.fill(field, cv::RNG::UNIFORM, -1.0f, 1.0f);
  const cv::Mat outside = ~mask_roi;
  field.setTo(0, outside);
  const int total = std::max(1, cv::countNonZero(mask_roi));
  cv::Mat r, diff;
  *passes = 0;
  for (int it = 0; it < kMaxPasses; ++it) {
    bank.Apply(field, r, cv::BORDER_CONSTANT);
    r *= gain;
    cv::min(r, 1.0f, r);
    cv::max(r, -1.0f, r);
    r.setTo(0, outside);
    cv::absdiff(r, field, diff);
    const double change = cv::sum(diff)[0] / total;
    cv::swap(field, r);
    *passes = it + 1;
    if (*passes >= kMinPasses && change < kSettled) break;
  }
  cv::Mat out = cv::Mat::zeros(mask.size(), CV_32F);
  field.copyTo(out(roi));
  return out;
}

// Vizcaya-Gerhardt correction of one singularity's contribution to the zero-pole model:
// arg(z - s) is replaced by a piecewise-linear g(a) through the 9 points a_i = -pi + i pi/4
// with g(a_i) = a_i + e_i. e_0 = e_8 keeps g(a + 2 pi) = g(a) + 2 pi (the Poincare index
// stays), and |e_i| < pi / 8 keeps g increasing.
struct Bend {
  float e[9] = {};
};

Bend DrawBend(Draw& rnd) {
  Bend b;
  for (int i = 0; i < 8; ++i) b.e[i] = rnd.Uniform(-0.3f, 0.3f);
  b.e[8] = b.e[0];
  return b;
}

float Bent(const Bend& b, float a) {
  const float pos = (a + kPi) / (kPi / 4);
  const int i = std::clamp(static_cast<int>(pos), 0, 7);
  const float f = pos - static_cast<float>(i);
  return a + b.e[i] + (b.e[i + 1] - b.e[i]) * f;
}

// A slow random drift of the ridge direction over the print: three plane waves with
// wavelengths of 120-320 px and amplitudes of about 0.2 rad each.
struct Drift {
  float kx[3], ky[3], phase[3], amp[3];
  float At(float x, float y) const {
    float d = 0;
    for (int i = 0; i < 3; ++i) d += amp[i] * std::cos(kx[i] * x + ky[i] * y + phase[i]);
    return d;
  }
};

Drift DrawDrift(Draw& rnd) {
  Drift d;
  for (int i = 0; i < 3; ++i) {
    const float k = 2 * kPi / rnd.Uniform(120, 320), dir = rnd.Uniform(0, 2 * kPi);
    d.kx[i] = k * std::cos(dir);
    d.ky[i] = k * std::sin(dir);
    d.phase[i] = rnd.Uniform(0, 2 * kPi);
    d.amp[i] = rnd.Normal(0.2f);
  }
  return d;
}

cv::Mat Silhouette(int w, int h, Draw& rnd) {
  cv::Mat s = cv::Mat::zeros(h, w, CV_8U);
  float hw = w * rnd.Uniform(0.36f, 0.44f);
  float top = h * rnd.Uniform(0.28f, 0.36f);     // height of the upper half-ellipse
  float bottom = h * rnd.Uniform(0.12f, 0.20f);  // depth of the lower half-ellipse
  float cx = w / 2.0f, y_top = h * 0.04f + top, y_bottom = h * 0.96f - bottom;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      float dx = (x - cx) / hw;
      bool in;
      if (y < y_top) {
        float dy = (y - y_top) / top;
        in = dx * dx + dy * dy <= 1;
      } else if (y > y_bottom) {
        float dy = (y - y_bottom) / bottom;
        in = dx * dx + dy * dy <= 1;
      } else {
        in = std::fabs(dx) <= 1;
      }
      if (in) s.at<uint8_t>(y, x) = 255;
    }
  }
  return s;
}

PatternClass DrawClass(Draw& rnd) {
  float u = rnd.Uniform(0, 100);
  if (u < 3.7f) return PatternClass::kArch;
  if (u < 6.6f) return PatternClass::kTentedArch;
  if (u < 40.4f) return PatternClass::kLeftLoop;
  if (u < 72.1f) return PatternClass::kRightLoop;
  return PatternClass::kWhorl;
}

// Impression geometry: contact ellipse, plastic distortion, global motion, skin condition.
struct Geometry {
  cv::Point2f contact;  // contact centre (master coordinates)
  float contact_a = 100, contact_b = 140;
  float d_rot = 0, d_tx = 0, d_ty = 0;  // rigid motion of the outer skin
  float brake_r0 = 0.35f, brake_r1 = 1.0f;
  float rot = 0, tx = 0, ty = 0;  // global
  cv::Point2f centre;             // image centre
  float level = 0;                // ridge threshold (thickness)
};

Geometry DrawGeometry(const SynthSettings& s, const MasterPrint& m, Draw& rnd) {
  Geometry g;
  cv::Moments mo = cv::moments(m.silhouette, true);
  cv::Point2f c(static_cast<float>(mo.m10 / std::max(mo.m00, 1.0)),
                static_cast<float>(mo.m01 / std::max(mo.m00, 1.0)));
  // The contact region moves by about 25-35 px between impressions and covers 52-84 % of the
  // image's width and height; with the plastic distortion below, genuine pairs then score as
  // on FVC2004 DB3/DB4 (EER about 2 %, genuine p05 about 40). Smaller shifts made every
  // genuine pair score 100.
  g.contact = c + cv::Point2f(rnd.Normal(24), rnd.Normal(36));
  g.contact_a = s.width * rnd.Uniform(0.26f, 0.42f);
  g.contact_b = s.height * rnd.Uniform(0.26f, 0.42f);
  g.d_rot = rnd.Normal(0.08f) * s.distortion;
  g.d_tx = rnd.Normal(8.0f) * s.distortion;
  g.d_ty = rnd.Normal(8.0f) * s.distortion;
  g.brake_r0 = rnd.Uniform(0.25f, 0.45f);
  g.brake_r1 = g.brake_r0 + rnd.Uniform(0.5f, 0.8f);
  g.rot = rnd.Uniform(-1, 1) * s.max_rotation_deg * kPi / 180;
  g.tx = rnd.Uniform(-1, 1) * s.max_translation_px;
  g.ty = rnd.Uniform(-1, 1) * s.max_translation_px;
  g.centre = cv::Point2f(s.width / 2.0f, s.height / 2.0f);
  g.level = rnd.Uniform(-0.3f, 0.3f);
  return g;
}

// Distortion weight of a master point: 0 in the close-contact core, 1 far out.
float Brake(const Geometry& g, cv::Point2f v) {
  float ex = (v.x - g.contact.x) / g.contact_a, ey = (v.y - g.contact.y) / g.contact_b;
  float r = std::sqrt(ex * ex + ey * ey);
  return SmoothStep((r - g.brake_r0) / (g.brake_r1 - g.brake_r0));
}

cv::Point2f Rotate(cv::Point2f v, cv::Point2f about, float a) {
  float c = std::cos(a), s = std::sin(a);
  cv::Point2f d = v - about;
  return about + cv::Point2f(c * d.x - s * d.y, s * d.x + c * d.y);
}

cv::Point2f Distort(const Geometry& g, cv::Point2f v) {
  cv::Point2f t = Rotate(v, g.contact, g.d_rot) + cv::Point2f(g.d_tx, g.d_ty);
  return v + (t - v) * Brake(g, v);
}

// Master -> impression.
cv::Point2f Forward(const Geometry& g, cv::Point2f v) {
  return Rotate(Distort(g, v), g.centre, g.rot) + cv::Point2f(g.tx, g.ty);
}

// Impression -> master (the distortion inverted by fixed-point iteration).
cv::Point2f Backward(const Geometry& g, cv::Point2f p) {
  cv::Point2f v1 = Rotate(p - cv::Point2f(g.tx, g.ty), g.centre, -g.rot);
  cv::Point2f v = v1;
  for (int i = 0; i < 4; ++i) {
    cv::Point2f t = Rotate(v, g.contact, g.d_rot) + cv::Point2f(g.d_tx, g.d_ty);
    v = v1 - (t - v) * Brake(g, v);
  }
  return v;
}

// Pixel direction (y down) -> ISO angle in [0, 2 pi), counter-clockwise as viewed.
float IsoAngle(float pixel_dir) {
  float a = std::fmod(-pixel_dir, 2 * kPi);
  if (a < 0) a += 2 * kPi;
  return a >= 2 * kPi ? 0.0f : a;
}

bool InContact(const Geometry& g, cv::Point2f v) {
  float ex = (v.x - g.contact.x) / g.contact_a, ey = (v.y - g.contact.y) / g.contact_b;
  return ex * ex + ey * ey <= 1.0f;
}

// Realism of the skin and of each impression. Without these, minutia directions on the clean
// synthetic ridges follow the smooth model flow far more exactly than on real prints, and
// unrelated fingers agree by chance more often than real ones (impostor median 7.2 against
// 2.7-6.7 on FVC2004 with our extraction).
//  - Skin warp (per master): a divergence-free displacement of 8 px RMS with a correlation
//    length of about 60 px (6 ridges), applied to the grown ridges, so each finger's ridges
//    wander from the model flow its own way, as real ridges do, without new minutiae.
constexpr float kSkinWarpPx = 8.0f;
constexpr float kSkinWarpCell = 60.0f;
//  - Creases (per master, so every impression shows them): 0-2 thin white lines, mostly
//    across the finger.
constexpr float kMaxCreases = 2.0f;
//  - Impression warp (per impression): skin stretched differently at each press, 1 px RMS
//    over about 24 px; template-only mode moves the master minutiae through the same field.
constexpr float kPressWarpPx = 1.0f;
constexpr float kPressWarpCell = 24.0f;
//  - Uneven pressure: the ridge threshold varies by +-0.12 (RMS) over about 60 px, so ridges
//    are thicker where the finger pressed harder.
constexpr float kPressureLevel = 0.12f;
//  - Focus that varies across the print: up to 0.8 px more blur in smooth patches.
constexpr float kExtraBlur = 0.8f;
//  - Scratches on the sensor or the skin: 0-1 bright lines per impression.
constexpr float kMaxScratches = 1.0f;

// Template-only jitter: what extraction from a rendered impression does to a minutia that
// the geometry alone does not predict (measured against image mode, see docs/benchmarks.md):
// position sigma 1.5 px, direction sigma 5 deg, 15 % dropped, and 0-6 spurious minutiae that lie
// on the ridges (their direction follows the master's local ridge flow, either sense).
constexpr float kJitterPx = 1.5f;
constexpr float kJitterDeg = 5.0f;
constexpr float kDropRate = 0.15f;
constexpr uint64_t kMaxSpurious = 6;

// A smooth random field over `size`: white noise on a grid of about `cell` px, brought to
// full size by cubic interpolation (correlation length about one cell), unit RMS.
cv::Mat SmoothNoise(cv::Size size, float cell, cv::RNG& rng) {
  const int gw = std::max(2, static_cast<int>(std::lround(size.width / cell)) + 1);
  const int gh = std::max(2, static_cast<int>(std::lround(size.height / cell)) + 1);
  cv::Mat grid(gh, gw, CV_32F);
  rng.fill(grid, cv::RNG::NORMAL, 0, 1);
  cv::Mat out;
  cv::resize(grid, out, size, 0, 0, cv::INTER_CUBIC);
  cv::Scalar mean, sd;
  cv::meanStdDev(out, mean, sd);
  out = (out - mean[0]) * (1.0 / std::max(sd[0], 1e-6));
  return out;
}

// A smooth, divergence-free displacement field (dx, dy) = (d psi/dy, -d psi/dx) of a random
// stream function psi with correlation length `cell`, scaled to an RMS displacement of
// `amplitude` px. Being divergence-free, it turns and shears ridges locally without
// compressing them, and as long as its gradient stays well below 1 it folds nothing, so it
// bends ridges without making or removing minutiae.
struct Warp {
  // Sampled every few pixels (the field is smooth over 24+ px); At() interpolates linearly
  // with the pixel-centre convention of cv::resize, so a point sample and the full-resolution
  // map (FullResolution) agree.
  cv::Mat dx, dy;  // CV_32F on the coarse grid, empty when the amplitude is 0
  cv::Size size;   // full-resolution size

  cv::Point2f At(cv::Point2f p) const {
    if (dx.empty()) return {0, 0};
    const float sx = std::clamp((p.x + 0.5f) * static_cast<float>(dx.cols) / size.width - 0.5f,
                                0.0f, static_cast<float>(dx.cols - 1));
    const float sy = std::clamp((p.y + 0.5f) * static_cast<float>(dx.rows) / size.height - 0.5f,
                                0.0f, static_cast<float>(dx.rows - 1));
    const int x0 = std::min(static_cast<int>(sx), dx.cols - 2);
    const int y0 = std::min(static_cast<int>(sy), dx.rows - 2);
    const float fx = sx - static_cast<float>(x0), fy = sy - static_cast<float>(y0);
    auto lerp = [&](const cv::Mat& m) {
      const float top = m.at<float>(y0, x0) * (1 - fx) + m.at<float>(y0, x0 + 1) * fx;
      const float bottom = m.at<float>(y0 + 1, x0) * (1 - fx) + m.at<float>(y0 + 1, x0 + 1) * fx;
      return top * (1 - fy) + bottom * fy;
    };
    return {lerp(dx), lerp(dy)};
  }
  // Full-resolution maps p -> p + d(p) (for cv::remap).
  void Maps(cv::Mat& map_x, cv::Mat& map_y) const {
    if (dx.empty()) {
      map_x = cv::Mat::zeros(size, CV_32F);
      map_y = cv::Mat::zeros(size, CV_32F);
    } else {
      cv::resize(dx, map_x, size, 0, 0, cv::INTER_LINEAR);
      cv::resize(dy, map_y, size, 0, 0, cv::INTER_LINEAR);
    }
    for (int y = 0; y < size.height; ++y) {
      float* px = map_x.ptr<float>(y);
      float* py = map_y.ptr<float>(y);
      for (int x = 0; x < size.width; ++x) {
        px[x] += static_cast<float>(x);
        py[x] += static_cast<float>(y);
      }
    }
  }
};

// Grid spacing of the warps, in pixels.
constexpr int kWarpStep = 4;

// Ridge direction (pixel angle, y down, modulo pi) of `ridges` around `c`, from the structure
// tensor of its gradient over a window of about one and a half ridge periods.
float RidgeDirection(const cv::Mat& ridges, cv::Point c) {
  constexpr int kR = 7;
  double gxx = 0, gyy = 0, gxy = 0;
  for (int y = std::max(1, c.y - kR); y <= std::min(ridges.rows - 2, c.y + kR); ++y) {
    for (int x = std::max(1, c.x - kR); x <= std::min(ridges.cols - 2, c.x + kR); ++x) {
      const double gx = ridges.at<float>(y, x + 1) - ridges.at<float>(y, x - 1);
      const double gy = ridges.at<float>(y + 1, x) - ridges.at<float>(y - 1, x);
      gxx += gx * gx;
      gyy += gy * gy;
      gxy += gx * gy;
    }
  }
  // The gradient runs across the ridges; the ridges run at right angles to it.
  return static_cast<float>(0.5 * std::atan2(2 * gxy, gxx - gyy)) + kPi / 2;
}

Warp DrawWarp(cv::Size size, float cell, float amplitude, cv::RNG& rng) {
  Warp w;
  w.size = size;
  if (amplitude <= 0) return w;
  const cv::Size coarse((size.width + kWarpStep - 1) / kWarpStep,
                        (size.height + kWarpStep - 1) / kWarpStep);
  const cv::Mat psi = SmoothNoise(coarse, cell / kWarpStep, rng);
  cv::Sobel(psi, w.dx, CV_32F, 0, 1, 3);
  cv::Sobel(psi, w.dy, CV_32F, 1, 0, 3, -1.0);
  cv::Scalar mx, sx, my, sy;
  cv::meanStdDev(w.dx, mx, sx);
  cv::meanStdDev(w.dy, my, sy);
  const double rms = std::sqrt((sx[0] * sx[0] + sy[0] * sy[0]) / 2 + 1e-12);
  w.dx *= amplitude / rms;
  w.dy *= amplitude / rms;
  return w;
}

}  // namespace

std::string_view PatternClassName(PatternClass c) {
  switch (c) {
    case PatternClass::kArch:
      return "arch";
    case PatternClass::kTentedArch:
      return "tented_arch";
    case PatternClass::kLeftLoop:
      return "left_loop";
    case PatternClass::kRightLoop:
      return "right_loop";
    case PatternClass::kWhorl:
      return "whorl";
  }
  return "unknown";
}

FingerSynthesizer::FingerSynthesizer(SynthSettings settings) : settings_(settings) {
  settings_.width = std::clamp(settings_.width, 128, 1024);
  settings_.height = std::clamp(settings_.height, 128, 1024);
}

PatternClass FingerSynthesizer::PatternOf(uint64_t seed, uint64_t finger) {
  Draw rnd(Mix(seed, finger, 0xFFFF'FFFEull));
  return DrawClass(rnd);
}

MasterPrint FingerSynthesizer::GenerateMaster(uint64_t seed, uint64_t finger) const {
  Draw rnd(Mix(seed, finger, 0xFFFF'FFFFull));
  const int w = settings_.width, h = settings_.height;
  MasterPrint m;
  m.silhouette = Silhouette(w, h, rnd);
  m.pattern = PatternOf(seed, finger);
  m.period = rnd.Uniform(8.5f, 11.0f);
  // Singularities are placed with a wide spread: the core 33-55 % of the way down, a loop's
  // delta 40-110 px to the side of it and 55-140 px below.
  const float cx = w / 2.0f + rnd.Normal(15), cy = h * rnd.Uniform(0.33f, 0.55f);
  switch (m.pattern) {
    case PatternClass::kArch:
      break;
    case PatternClass::kTentedArch:
      m.cores.push_back({cx, cy});
      m.deltas.push_back({cx + rnd.Normal(8), cy + rnd.Uniform(40, 100)});
      break;
    case PatternClass::kLeftLoop:
    case PatternClass::kRightLoop: {
      float side = m.pattern == PatternClass::kLeftLoop ? 1.0f : -1.0f;
      m.cores.push_back({cx - side * rnd.Uniform(0, 25), cy});
      m.deltas.push_back({cx + side * rnd.Uniform(40, 110), cy + rnd.Uniform(55, 140)});
      break;
    }
    case PatternClass::kWhorl: {
      float sep = rnd.Uniform(8, 40), tilt = rnd.Normal(0.5f);
      m.cores.push_back({cx - sep * std::sin(tilt), cy - sep * std::cos(tilt)});
      m.cores.push_back({cx + sep * std::sin(tilt), cy + sep * std::cos(tilt)});
      m.deltas.push_back({cx - rnd.Uniform(55, 115), cy + rnd.Uniform(55, 140)});
      m.deltas.push_back({cx + rnd.Uniform(55, 115), cy + rnd.Uniform(55, 140)});
      break;
    }
  }
  // The ridges are grown on a half-resolution grid: the ridge period there is 4.2..5.5
  // cells, still well above the sampling limit, and each pass costs an eighth of a
  // full-resolution one (a quarter of the cells, half the kernel taps).
  const int gw = (w + kGrowScale - 1) / kGrowScale, gh = (h + kGrowScale - 1) / kGrowScale;
  const float theta0 = rnd.Normal(0.15f);
  const float arch_h = rnd.Uniform(40, 80), arch_s = rnd.Uniform(60, 90);
  // Each finger bends the flow around its singularities its own way and adds a slow drift of
  // its own; without both, all prints of one class share one orientation field, and minutiae
  // of unrelated fingers agree in direction wherever they sit at the same place relative to
  // the core (impostor scores then run far above those of real prints).
  std::vector<Bend> core_bends(m.cores.size()), delta_bends(m.deltas.size());
  for (Bend& b : core_bends) b = DrawBend(rnd);
  for (Bend& b : delta_bends) b = DrawBend(rnd);
  const Drift drift = DrawDrift(rnd);
  // Orientation per growth cell as a doubled-angle unit field (pixel coordinates, y down).
  cv::Mat cos2(gh, gw, CV_32F), sin2(gh, gw, CV_32F);
  for (int gy = 0; gy < gh; ++gy) {
    float* c2 = cos2.ptr<float>(gy);
    float* s2 = sin2.ptr<float>(gy);
    const float y = (gy + 0.5f) * kGrowScale - 0.5f;
    for (int gx = 0; gx < gw; ++gx) {
      const float x = (gx + 0.5f) * kGrowScale - 0.5f;
      float t;
      if (m.pattern == PatternClass::kArch) {
        // Ridges y = y0 - hh exp(-(x - cx)^2 / 2s^2), flatter towards the bottom.
        float hh = arch_h * SmoothStep((h * 0.95f - y) / (h * 0.7f));
        float dx = x - cx;
        float slope = hh * dx / (arch_s * arch_s) * std::exp(-dx * dx / (2 * arch_s * arch_s));
        t = std::atan(slope) + theta0;
      } else {
        // y is flipped so that loops open downwards as on a finger. A core has Poincare
        // index +1/2 (the ridge turns with the path around it), a delta -1/2.
        float sum = 0;
        for (size_t i = 0; i < m.cores.size(); ++i) {
          const cv::Point2f& c = m.cores[i];
          sum += Bent(core_bends[i], std::atan2(-(y - c.y), x - c.x));
        }
        for (size_t i = 0; i < m.deltas.size(); ++i) {
          const cv::Point2f& d = m.deltas[i];
          sum -= Bent(delta_bends[i], std::atan2(-(y - d.y), x - d.x));
        }
        t = -(theta0 + 0.5f * sum);
      }
      t += drift.At(x, y);
      c2[gx] = std::cos(2 * t);
      s2[gx] = std::sin(2 * t);
    }
  }
  cv::Mat sil_small;
  cv::resize(m.silhouette, sil_small, cv::Size(gw, gh), 0, 0, cv::INTER_AREA);
  // Growth runs on the silhouette widened by two periods, so that the ridges at its edge are
  // as strong as inside (a field cut at the edge fades there).
  cv::Mat grow_mask;
  const int widen = static_cast<int>(std::ceil(2 * m.period / kGrowScale));
  cv::dilate(sil_small > 0, grow_mask,
             cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * widen + 1, 2 * widen + 1)));
  const cv::Mat grown =
      GrowRidges(cos2, sin2, grow_mask, m.period / kGrowScale, rnd, &m.growth_passes);
  // Back to full resolution: the cubic interpolation rounds the ridges off, and the gain
  // before clipping squares them again.
  cv::resize(grown, m.ridges, cv::Size(w, h), 0, 0, cv::INTER_CUBIC);
  m.ridges *= 1.5f;
  cv::min(m.ridges, 1.0f, m.ridges);
  cv::max(m.ridges, -1.0f, m.ridges);
  // The skin's own irregularity: a smooth warp of the grown ridges, then creases.
  cv::RNG skin_rng(rnd.Bits());
  const Warp skin = DrawWarp(cv::Size(w, h), kSkinWarpCell, kSkinWarpPx, skin_rng);
  if (!skin.dx.empty()) {
    cv::Mat mx, my, warped;
    skin.Maps(mx, my);
    cv::remap(m.ridges, warped, mx, my, cv::INTER_LINEAR, cv::BORDER_REFLECT);
    m.ridges = warped;
  }
  const int creases = static_cast<int>(kMaxCreases * rnd.Uniform(0, 1) + 0.5f);
  if (creases > 0) {
    cv::Mat cm = cv::Mat::zeros(h, w, CV_8U);
    for (int i = 0; i < creases; ++i) {
      // Mostly across the finger; about a third at any angle.
      const float len = rnd.Uniform(40, 160);
      float a = rnd.Normal(0.35f);
      if (rnd.Uniform(0, 1) < 0.3f) a += kPi / 2 * rnd.Uniform(-1, 1);
      const cv::Point2f c(rnd.Uniform(0.15f, 0.85f) * w, rnd.Uniform(0.3f, 0.95f) * h);
      const cv::Point2f d(0.5f * len * std::cos(a), 0.5f * len * std::sin(a));
      cv::line(cm, c - d, c + d, cv::Scalar(255), static_cast<int>(rnd.Uniform(2, 4.99f)),
               cv::LINE_AA);
    }
    cv::Mat cf;
    cm.convertTo(cf, CV_32F, 1.0 / 255);
    m.ridges = m.ridges.mul(1.0f - cf) - cf;
  }
  m.ridges.setTo(0, ~m.silhouette);
  return m;
}

cv::Mat FingerSynthesizer::RenderMaster(const MasterPrint& master) const {
  cv::Mat img;
  master.ridges.convertTo(img, CV_8U, -110.0, 130.0);
  img.setTo(255, ~master.silhouette);
  cv::GaussianBlur(img, img, cv::Size(0, 0), 0.7);
  return img;
}

Result<Impression> FingerSynthesizer::MakeImpression(const MasterPrint& master, uint64_t seed,
                                                     uint64_t finger, uint64_t impression,
                                                     const FingerExtractor& extractor) const {
  Draw rnd(Mix(seed, finger, impression));
  Geometry g = DrawGeometry(settings_, master, rnd);
  const int w = settings_.width, h = settings_.height;
  // Pores and dry patches live on the skin, so they are drawn in master coordinates.
  cv::Mat skin = master.ridges.clone();
  const float noise = settings_.noise;
  cv::RNG cvrng(rnd.Bits());
  int pores = static_cast<int>(noise * rnd.Uniform(50, 250));
  for (int i = 0; i < pores; ++i) {
    cv::Point p(cvrng.uniform(0, w), cvrng.uniform(0, h));
    if (skin.at<float>(p) > 0.3f) cv::circle(skin, p, 1, cv::Scalar(-1.0), cv::FILLED);
  }
  cv::Mat blotch(h / 16 + 1, w / 16 + 1, CV_32F);
  cvrng.fill(blotch, cv::RNG::NORMAL, 0, 1);
  cv::resize(blotch, blotch, cv::Size(w, h), 0, 0, cv::INTER_CUBIC);
  const float dryness = noise * rnd.Uniform(0.0f, 0.5f);

  // The impression warp has its own stream, shared with ImpressionTemplate.
  cv::RNG warp_rng(Mix(seed ^ 0x5EED5EEDull, finger, impression));
  const Warp warp = DrawWarp(cv::Size(w, h), kPressWarpCell, kPressWarpPx, warp_rng);
  cv::Mat warp_x, warp_y;
  warp.Maps(warp_x, warp_y);
  cv::Mat map_x(h, w, CV_32F), map_y(h, w, CV_32F), contact(h, w, CV_32F);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      cv::Point2f v = Backward(g, cv::Point2f(warp_x.at<float>(y, x), warp_y.at<float>(y, x)));
      map_x.at<float>(y, x) = v.x;
      map_y.at<float>(y, x) = v.y;
      float ex = (v.x - g.contact.x) / g.contact_a, ey = (v.y - g.contact.y) / g.contact_b;
      contact.at<float>(y, x) = 1.0f - SmoothStep((std::sqrt(ex * ex + ey * ey) - 0.9f) / 0.2f);
    }
  }
  cv::Mat ridges, sil, dry;
  cv::remap(skin, ridges, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::Mat sil_f;
  master.silhouette.convertTo(sil_f, CV_32F, 1.0 / 255);
  cv::remap(sil_f, sil, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::remap(blotch, dry, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_REFLECT);

  // Ink: ridge presence above the skin's threshold, faded at the contact edge and in dry
  // patches.
  const float background = rnd.Uniform(195, 240);
  const float contrast = rnd.Uniform(110, 180);
  cv::RNG look_rng(Mix(seed ^ 0x1007ull, finger, impression));
  // Uneven pressure: ridge threshold varying over about 60 px.
  const cv::Mat level = SmoothNoise(cv::Size(w, h), 60, look_rng) * kPressureLevel;
  cv::Mat img(h, w, CV_32F);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      float ink =
          SmoothStep((ridges.at<float>(y, x) - g.level - level.at<float>(y, x) + 0.25f) / 0.5f);
      float c = contact.at<float>(y, x) * sil.at<float>(y, x);
      float d = 1.0f - dryness * SmoothStep(dry.at<float>(y, x));
      img.at<float>(y, x) = background - contrast * ink * c * d;
    }
  }
  // Scratches: bright lines over the ridges.
  const int scratches = static_cast<int>(kMaxScratches * look_rng.uniform(0.0f, 1.0f) + 0.5f);
  for (int i = 0; i < scratches; ++i) {
    const float len = look_rng.uniform(30.0f, 200.0f), a = look_rng.uniform(0.0f, kPi);
    const cv::Point2f c(look_rng.uniform(0.2f, 0.8f) * w, look_rng.uniform(0.2f, 0.8f) * h);
    const cv::Point2f d(0.5f * len * std::cos(a), 0.5f * len * std::sin(a));
    cv::line(img, c - d, c + d, cv::Scalar(background), look_rng.uniform(1, 3), cv::LINE_AA);
  }
  // Focus varies across the print: a sharp and a soft rendering mixed by a smooth map.
  const float blur = rnd.Uniform(0.5f, 1.1f);
  cv::Mat sharp, soft;
  cv::GaussianBlur(img, sharp, cv::Size(0, 0), blur);
  cv::GaussianBlur(img, soft, cv::Size(0, 0), blur + kExtraBlur);
  const cv::Mat mix = SmoothNoise(cv::Size(w, h), 80, look_rng);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const float t = SmoothStep(0.5f + 0.5f * mix.at<float>(y, x));
      img.at<float>(y, x) = sharp.at<float>(y, x) * (1 - t) + soft.at<float>(y, x) * t;
    }
  }
  cv::Mat n(h, w, CV_32F);
  cvrng.fill(n, cv::RNG::NORMAL, 0, noise * rnd.Uniform(3, 12));
  img += n;
  Impression out;
  img.convertTo(out.image, CV_8U);
  SIJIL_ASSIGN_OR_RETURN(out.finger, extractor.Extract(out.image, 500));
  return out;
}

FingerTemplate FingerSynthesizer::ImpressionTemplate(const MasterPrint& master,
                                                     const FingerTemplate& master_template,
                                                     uint64_t seed, uint64_t finger,
                                                     uint64_t impression) const {
  Draw rnd(Mix(seed, finger, impression));
  // Same draws, in the same order, as MakeImpression's geometry.
  Geometry g = DrawGeometry(settings_, master, rnd);
  cv::RNG warp_rng(Mix(seed ^ 0x5EED5EEDull, finger, impression));
  const Warp warp =
      DrawWarp(cv::Size(settings_.width, settings_.height), kPressWarpCell, kPressWarpPx, warp_rng);
  // The image at p shows the skin at Backward(p + d(p)): a master point lands where
  // p + d(p) = Forward(v), found by two fixed-point steps.
  auto place = [&](cv::Point2f v) {
    const cv::Point2f q = Forward(g, v);
    cv::Point2f p = q - warp.At(q);
    return q - warp.At(p);
  };
  // Pixel direction, after the mapping, of pixel direction `dir` at master point v.
  auto placed_direction = [&](cv::Point2f v, float dir) {
    const cv::Point2f a = place(v), b = place(v + 4.0f * cv::Point2f(std::cos(dir), std::sin(dir)));
    return std::atan2(b.y - a.y, b.x - a.x);
  };
  Draw jitter(Mix(seed ^ 0xA5A5A5A5ull, finger, impression));
  FingerTemplate t = master_template;
  t.minutiae.clear();
  const int w = settings_.width, h = settings_.height;
  for (const Minutia& m : master_template.minutiae) {
    cv::Point2f v(m.x, m.y);
    if (!InContact(g, v) || jitter.Uniform(0, 1) < kDropRate) continue;
    const cv::Point2f p =
        place(v) + cv::Point2f(jitter.Normal(kJitterPx), jitter.Normal(kJitterPx));
    if (p.x < 0 || p.y < 0 || p.x > w - 1 || p.y > h - 1) continue;
    // ISO angle -> pixel direction (y down) -> moved -> ISO angle.
    const float dir = placed_direction(v, -m.angle) + jitter.Normal(kJitterDeg * kPi / 180);
    Minutia o = m;
    o.x = static_cast<uint16_t>(std::lround(p.x));
    o.y = static_cast<uint16_t>(std::lround(p.y));
    o.angle = IsoAngle(dir);
    t.minutiae.push_back(o);
  }
  int spurious = static_cast<int>(jitter.Bits() % (kMaxSpurious + 1));
  for (int i = 0; i < spurious; ++i) {
    cv::Point2f v(g.contact.x + jitter.Normal(g.contact_a / 2),
                  g.contact.y + jitter.Normal(g.contact_b / 2));
    if (!InContact(g, v)) continue;
    cv::Point2f p = place(v);
    if (p.x < 0 || p.y < 0 || p.x > w - 1 || p.y > h - 1) continue;
    Minutia o;
    o.x = static_cast<uint16_t>(std::lround(p.x));
    o.y = static_cast<uint16_t>(std::lround(p.y));
    // Spurious minutiae of a real extraction sit on ridges and point along them.
    const cv::Point c(std::clamp(static_cast<int>(v.x), 0, w - 1),
                      std::clamp(static_cast<int>(v.y), 0, h - 1));
    const float d0 = RidgeDirection(master.ridges, c) + ((jitter.Bits() & 1) ? kPi : 0.0f);
    o.angle = IsoAngle(placed_direction(v, d0) + jitter.Normal(kJitterDeg * kPi / 180));
    o.type = (jitter.Bits() & 1) ? MinutiaType::kEnding : MinutiaType::kBifurcation;
    o.quality = 30;
    t.minutiae.push_back(o);
  }
  return t;
}

}  // namespace sijil::biometrics
