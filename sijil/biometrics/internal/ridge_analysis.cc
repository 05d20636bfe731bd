#include "sijil/biometrics/internal/ridge_analysis.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace sijil::biometrics::internal {
namespace {

constexpr float kPi = std::numbers::pi_v<float>;
// Orientation is estimated on a grid of kFine pixels, then smoothed there.
constexpr int kFine = 4;

float Percentile(std::vector<float> v, float p) {
  if (v.empty()) return 0.0f;
  size_t k = static_cast<size_t>(p * static_cast<float>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

// Keeps the largest 8-connected blob of `m` (CV_8U 0/255) and fills its holes.
void KeepLargestFilled(cv::Mat& m) {
  cv::Mat labels, stats, centroids;
  int n = cv::connectedComponentsWithStats(m, labels, stats, centroids, 8, CV_32S);
  if (n <= 1) return;
  int best = 1;
  for (int i = 2; i < n; ++i) {
    if (stats.at<int>(i, cv::CC_STAT_AREA) > stats.at<int>(best, cv::CC_STAT_AREA)) best = i;
  }
  m = (labels == best);
  // Fill holes: background components not touching the border become foreground.
  cv::Mat inv = ~m;
  n = cv::connectedComponentsWithStats(inv, labels, stats, centroids, 4, CV_32S);
  for (int i = 1; i < n; ++i) {
    int x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
    int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    bool touches = x == 0 || y == 0 || x + w == m.cols || y + h == m.rows;
    if (!touches) m.setTo(255, labels == i);
  }
}

// Ridge period (pixels) of a window centred at (cx, cy) with ridge direction t, from the
// distances between maxima of the profile across the ridges; 0 when not measurable.
float BlockPeriod(const cv::Mat& norm, int cx, int cy, float t) {
  constexpr int kHalf = 16;  // half length across the ridges
  constexpr int kAlong = 7;  // half width along the ridges
  float sig[2 * kHalf + 1] = {};
  int cnt[2 * kHalf + 1] = {};
  const float nx = -std::sin(t), ny = std::cos(t);
  const float tx = std::cos(t), ty = std::sin(t);
  for (int dy = -kHalf; dy <= kHalf; ++dy) {
    int y = cy + dy;
    if (y < 0 || y >= norm.rows) continue;
    const float* row = norm.ptr<float>(y);
    for (int dx = -kHalf; dx <= kHalf; ++dx) {
      int x = cx + dx;
      if (x < 0 || x >= norm.cols) continue;
      float u = static_cast<float>(dx) * tx + static_cast<float>(dy) * ty;
      if (std::fabs(u) > kAlong) continue;
      int s =
          static_cast<int>(std::lround(static_cast<float>(dx) * nx + static_cast<float>(dy) * ny));
      if (s < -kHalf || s > kHalf) continue;
      sig[s + kHalf] += row[x];
      cnt[s + kHalf]++;
    }
  }
  float prof[2 * kHalf + 1];
  for (int i = 0; i <= 2 * kHalf; ++i) prof[i] = cnt[i] ? sig[i] / static_cast<float>(cnt[i]) : 0;
  // Light smoothing, then maxima.
  float sm[2 * kHalf + 1];
  for (int i = 0; i <= 2 * kHalf; ++i) {
    float a = prof[std::max(i - 1, 0)], b = prof[i], c = prof[std::min(i + 1, 2 * kHalf)];
    sm[i] = 0.25f * a + 0.5f * b + 0.25f * c;
  }
  int first = -1, last = -1, peaks = 0;
  float amp = 0;
  for (int i = 1; i < 2 * kHalf; ++i) {
    amp = std::max(amp, std::fabs(sm[i]));
    if (sm[i] > sm[i - 1] && sm[i] >= sm[i + 1] && sm[i] > 0.1f) {
      if (first < 0) first = i;
      last = i;
      ++peaks;
    }
  }
  if (peaks < 2 || amp < 0.3f) return 0.0f;
  float period = static_cast<float>(last - first) / static_cast<float>(peaks - 1);
  if (period < 4.0f || period > 16.0f) return 0.0f;
  return period;
}

}  // namespace

RidgeMaps AnalyseRidges(const cv::Mat& gray) {
  RidgeMaps maps;
  const int w = gray.cols, h = gray.rows;
  cv::Mat img;
  gray.convertTo(img, CV_32F, -1.0, 255.0);  // ridges bright

  // Local normalisation.
  cv::Mat mean, hp, var;
  // Two box passes approximate a Gaussian of sigma ~6 at constant cost per pixel.
  cv::blur(img, mean, cv::Size(15, 15), cv::Point(-1, -1), cv::BORDER_REFLECT);
  cv::blur(mean, mean, cv::Size(15, 15), cv::Point(-1, -1), cv::BORDER_REFLECT);
  hp = img - mean;
  cv::blur(hp.mul(hp), var, cv::Size(15, 15), cv::Point(-1, -1), cv::BORDER_REFLECT);
  cv::blur(var, var, cv::Size(15, 15), cv::Point(-1, -1), cv::BORDER_REFLECT);
  cv::Mat sd;
  cv::sqrt(cv::max(var, 16.0f), sd);  // floor of 4 grey levels keeps flat background quiet
  cv::divide(hp, sd, maps.normalized);

  // Gradient structure tensor on a lightly smoothed image, averaged on the fine grid.
  cv::Mat smooth, gx, gy;
  cv::GaussianBlur(img, smooth, cv::Size(0, 0), 1.0);
  cv::Sobel(smooth, gx, CV_32F, 1, 0, 3);
  cv::Sobel(smooth, gy, CV_32F, 0, 1, 3);
  const int fw = std::max(1, w / kFine), fh = std::max(1, h / kFine);
  cv::Mat gxx, gyy, gxy;
  cv::resize(gx.mul(gx), gxx, cv::Size(fw, fh), 0, 0, cv::INTER_AREA);
  cv::resize(gy.mul(gy), gyy, cv::Size(fw, fh), 0, 0, cv::INTER_AREA);
  cv::resize(gx.mul(gy), gxy, cv::Size(fw, fh), 0, 0, cv::INTER_AREA);
  // Coherence at ~12 px, orientation at ~20 px.
  cv::Mat cxx, cyy, cxy;
  cv::GaussianBlur(gxx, cxx, cv::Size(0, 0), 2.0);
  cv::GaussianBlur(gyy, cyy, cv::Size(0, 0), 2.0);
  cv::GaussianBlur(gxy, cxy, cv::Size(0, 0), 2.0);
  cv::Mat coh_fine(fh, fw, CV_32F);
  for (int y = 0; y < fh; ++y) {
    for (int x = 0; x < fw; ++x) {
      float a = cxx.at<float>(y, x), b = cyy.at<float>(y, x), c = cxy.at<float>(y, x);
      float num = std::sqrt((a - b) * (a - b) + 4 * c * c);
      coh_fine.at<float>(y, x) = (a + b) > 1e-3f ? num / (a + b) : 0.0f;
    }
  }
  // Orientation: the doubled-angle vector field, smoothed more strongly.
  cv::Mat vx = -(gxx - gyy), vy = -2.0f * gxy;
  cv::GaussianBlur(vx, vx, cv::Size(0, 0), 3.5);
  cv::GaussianBlur(vy, vy, cv::Size(0, 0), 3.5);
  cv::Mat mag;
  cv::magnitude(vx, vy, mag);
  mag = cv::max(mag, 1e-6f);
  cv::divide(vx, mag, vx);
  cv::divide(vy, mag, vy);
  cv::resize(vx, maps.cos2, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
  cv::resize(vy, maps.sin2, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
  cv::resize(coh_fine, maps.coherence, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);

  // Block maps.
  const int bw = std::max(1, (w + kBlock / 2) / kBlock),
            bh = std::max(1, (h + kBlock / 2) / kBlock);
  cv::Mat hp2;
  cv::resize(hp.mul(hp), hp2, cv::Size(bw, bh), 0, 0, cv::INTER_AREA);
  cv::sqrt(hp2, maps.block_contrast);
  cv::resize(coh_fine, maps.block_coherence, cv::Size(bw, bh), 0, 0, cv::INTER_AREA);

  // Segmentation: contrast relative to the print's own strong blocks, plus ridge coherence.
  std::vector<float> contrasts(maps.block_contrast.begin<float>(),
                               maps.block_contrast.end<float>());
  float strong = Percentile(contrasts, 0.95f);
  float threshold = std::max(6.0f, 0.3f * strong);
  maps.block_mask = cv::Mat::zeros(bh, bw, CV_8U);
  for (int y = 0; y < bh; ++y) {
    for (int x = 0; x < bw; ++x) {
      float c = maps.block_contrast.at<float>(y, x);
      float k = maps.block_coherence.at<float>(y, x);
      bool fg = c > threshold && (k > 0.15f || c > 2 * threshold);
      maps.block_mask.at<uint8_t>(y, x) = fg ? 255 : 0;
    }
  }
  cv::Mat k3 = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(3, 3));
  cv::morphologyEx(maps.block_mask, maps.block_mask, cv::MORPH_CLOSE, k3);
  cv::morphologyEx(maps.block_mask, maps.block_mask, cv::MORPH_OPEN, k3);
  KeepLargestFilled(maps.block_mask);
  cv::Mat up;
  cv::resize(maps.block_mask, up, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
  maps.mask = up > 127;

  // Ridge period: per foreground block, then the median.
  std::vector<float> periods;
  int fg_blocks = 0;
  for (int by = 0; by < bh; ++by) {
    for (int bx = 0; bx < bw; ++bx) {
      if (!maps.block_mask.at<uint8_t>(by, bx)) continue;
      ++fg_blocks;
      int cx = std::min(w - 1, bx * kBlock + kBlock / 2),
          cy = std::min(h - 1, by * kBlock + kBlock / 2);
      if (maps.block_coherence.at<float>(by, bx) < 0.3f) continue;
      float t = RidgeDirection(maps, cx, cy);
      float p = BlockPeriod(maps.normalized, cx, cy, t);
      if (p > 0) periods.push_back(p);
    }
  }
  if (!periods.empty()) {
    float med = Percentile(periods, 0.5f);
    float q1 = Percentile(periods, 0.25f), q3 = Percentile(periods, 0.75f);
    maps.period = std::clamp(med, 6.0f, 13.0f);
    maps.period_spread = (q3 - q1) / med;
  }
  maps.period_valid_fraction =
      fg_blocks ? static_cast<float>(periods.size()) / static_cast<float>(fg_blocks) : 0.0f;
  return maps;
}

void RefineMaskByClarity(RidgeMaps& maps, const cv::Mat& enhanced, float min_clarity) {
  cv::Size bs = maps.block_mask.size();
  cv::Mat ne, nn, ee;
  // Block averages over the same grid as the other block maps (the image may not be a
  // multiple of the block size; INTER_AREA handles the fractional blocks).
  cv::resize(maps.normalized.mul(enhanced), ne, bs, 0, 0, cv::INTER_AREA);
  cv::resize(maps.normalized.mul(maps.normalized), nn, bs, 0, 0, cv::INTER_AREA);
  cv::resize(enhanced.mul(enhanced), ee, bs, 0, 0, cv::INTER_AREA);
  maps.block_clarity = cv::Mat::zeros(bs, CV_32F);
  for (int y = 0; y < bs.height; ++y) {
    for (int x = 0; x < bs.width; ++x) {
      float d = std::sqrt(nn.at<float>(y, x) * ee.at<float>(y, x));
      float c = d > 1e-9f ? ne.at<float>(y, x) / d : 0.0f;
      maps.block_clarity.at<float>(y, x) = c;
      if (c < min_clarity) maps.block_mask.at<uint8_t>(y, x) = 0;
    }
  }
  cv::Mat k3 = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(3, 3));
  cv::morphologyEx(maps.block_mask, maps.block_mask, cv::MORPH_OPEN, k3);
  KeepLargestFilled(maps.block_mask);
  cv::Mat up;
  cv::resize(maps.block_mask, up, maps.mask.size(), 0, 0, cv::INTER_LINEAR);
  maps.mask = up > 127;
}

float RidgeDirection(const RidgeMaps& maps, int x, int y) {
  float a = std::atan2(maps.sin2.at<float>(y, x), maps.cos2.at<float>(y, x)) * 0.5f;
  if (a < 0) a += kPi;
  return a;
}

OrientedGaborBank::OrientedGaborBank(const cv::Mat& cos2, const cv::Mat& sin2, float period,
                                     float sigma, int orientations)
    : orientations_(orientations) {
  const float step = kPi / static_cast<float>(orientations);
  // Per-pixel orientation bin and interpolation weight.
  bin_.create(cos2.size(), CV_8U);
  frac_.create(cos2.size(), CV_32F);
  for (int y = 0; y < cos2.rows; ++y) {
    const float* c2 = cos2.ptr<float>(y);
    const float* s2 = sin2.ptr<float>(y);
    uint8_t* b = bin_.ptr<uint8_t>(y);
    float* f = frac_.ptr<float>(y);
    for (int x = 0; x < cos2.cols; ++x) {
      float t = std::atan2(s2[x], c2[x]) * 0.5f;
      if (t < 0) t += kPi;
      float pos = t / step;
      int k0 = static_cast<int>(pos);
      f[x] = pos - static_cast<float>(k0);
      b[x] = static_cast<uint8_t>(k0 % orientations);
    }
  }
  const int radius = static_cast<int>(std::ceil(2.5f * sigma));
  const int taps = 2 * radius + 1;
  const float omega = 2.0f * kPi / period;
  cv::Mat gauss(1, taps, CV_32F);
  for (int i = -radius; i <= radius; ++i) {
    gauss.at<float>(0, i + radius) = std::exp(-static_cast<float>(i * i) / (2 * sigma * sigma));
  }
  // Kernel for direction t: G(x)G(y) cos(w (x nx + y ny)), n = (-sin t, cos t). It separates
  // into cos*cos - sin*sin; direction pi - t shares both products (only the sign of the sine
  // product flips), so each pair costs two separable filters.
  for (int k = 0; k <= orientations / 2; ++k) {
    float t = static_cast<float>(k) * step;
    float nx = -std::sin(t), ny = std::cos(t);
    Kernels kn;
    kn.xc.create(1, taps, CV_32F);
    kn.xs.create(1, taps, CV_32F);
    kn.yc.create(1, taps, CV_32F);
    kn.ys.create(1, taps, CV_32F);
    for (int i = -radius; i <= radius; ++i) {
      float g = gauss.at<float>(0, i + radius);
      kn.xc.at<float>(0, i + radius) = g * std::cos(omega * nx * static_cast<float>(i));
      kn.xs.at<float>(0, i + radius) = g * std::sin(omega * nx * static_cast<float>(i));
      kn.yc.at<float>(0, i + radius) = g * std::cos(omega * ny * static_cast<float>(i));
      kn.ys.at<float>(0, i + radius) = g * std::sin(omega * ny * static_cast<float>(i));
    }
    kernels_.push_back(std::move(kn));
  }
}

void OrientedGaborBank::Apply(const cv::Mat& src, cv::Mat& out, int border) {
  const int k_count = orientations_;
  out.create(src.size(), CV_32F);
  out.setTo(0);
  for (int k = 0; k <= k_count / 2; ++k) {
    const Kernels& kn = kernels_[k];
    cv::sepFilter2D(src, a_, CV_32F, kn.xc, kn.yc, cv::Point(-1, -1), 0, border);
    bool has_sine = k != 0 && 2 * k != k_count;
    if (has_sine) {
      cv::sepFilter2D(src, b_, CV_32F, kn.xs, kn.ys, cv::Point(-1, -1), 0, border);
    }
    for (int pass = 0; pass < (has_sine ? 2 : 1); ++pass) {
      int kk = pass == 0 ? k : k_count - k;
      int kprev = (kk + k_count - 1) % k_count;
      float sign = pass == 0 ? -1.0f : 1.0f;
      for (int y = 0; y < src.rows; ++y) {
        const float* pa = a_.ptr<float>(y);
        const float* pb = has_sine ? b_.ptr<float>(y) : nullptr;
        const uint8_t* pbin = bin_.ptr<uint8_t>(y);
        const float* pf = frac_.ptr<float>(y);
        float* po = out.ptr<float>(y);
        for (int x = 0; x < src.cols; ++x) {
          float wgt;
          if (pbin[x] == kk) {
            wgt = 1.0f - pf[x];
          } else if (pbin[x] == kprev) {
            wgt = pf[x];
          } else {
            continue;
          }
          float r = pa[x] + (pb ? sign * pb[x] : 0.0f);
          po[x] += wgt * r;
        }
      }
    }
  }
}

cv::Mat OrientedGabor(const cv::Mat& src, const cv::Mat& cos2, const cv::Mat& sin2, float period,
                      float sigma, int orientations, const cv::Rect& roi) {
  cv::Mat out = cv::Mat::zeros(src.size(), CV_32F);
  if (roi.area() <= 0) return out;
  OrientedGaborBank bank(cos2(roi), sin2(roi), period, sigma, orientations);
  cv::Mat filtered;
  bank.Apply(src(roi), filtered, cv::BORDER_REPLICATE);
  filtered.copyTo(out(roi));
  return out;
}

}  // namespace sijil::biometrics::internal
