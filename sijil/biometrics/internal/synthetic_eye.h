// Synthetic near-infrared eyes for the iris tests and benchmarks, and their unwrapping into
// IREX "unsegmented polar" images. Test support only: header-only, not part of the library's
// API. Pure functions; thread-safe.
#ifndef SIJIL_BIOMETRICS_INTERNAL_SYNTHETIC_EYE_H_
#define SIJIL_BIOMETRICS_INTERNAL_SYNTHETIC_EYE_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "sijil/biometrics/iris_pipeline.h"

namespace sijil::biometrics::internal {

// A synthetic eye: skin, sclera, an iris with radial texture, a dark pupil, a specular spot,
// optionally an upper eyelid. The iris texture is a function of (normalised radius, angle),
// so rotating the eye by `rotation_deg` rotates the texture exactly and a different
// `texture_seed` is a different eye.
struct EyeSpec {
  int width = 320, height = 280;
  Circle pupil{162, 138, 24};
  Circle iris{160, 140, 70};
  uint32_t texture_seed = 1;
  double rotation_deg = 0;
  double eyelid_y = -1;  // upper eyelid edge at the iris axis (-1: none)
  double noise_sd = 0;
  uint32_t noise_seed = 7;
  bool reflection = true;
};

inline cv::Mat RenderEye(const EyeSpec& e) {
  constexpr double kPi = std::numbers::pi;
  std::mt19937 rng(e.texture_seed);
  std::uniform_real_distribution<double> phase(0, 2 * kPi), amp(0.5, 1.0);
  struct Wave {
    int k;
    double phase, amp, radial_freq, radial_phase;
  };
  std::vector<Wave> waves;
  for (int i = 0; i < 40; ++i) {
    waves.push_back(
        {4 + static_cast<int>(rng() % 40), phase(rng), amp(rng), 1.0 + 3.0 * amp(rng), phase(rng)});
  }
  cv::Mat img(e.height, e.width, CV_8UC1);
  std::mt19937 noise_rng(e.noise_seed);
  std::normal_distribution<double> noise(0, e.noise_sd > 0 ? e.noise_sd : 1);
  const double rot = e.rotation_deg * kPi / 180;
  for (int y = 0; y < e.height; ++y) {
    for (int x = 0; x < e.width; ++x) {
      double v;
      const double dx = x - e.iris.x, dy = y - e.iris.y;
      const double di = std::hypot(dx, dy);
      const double dp = std::hypot(x - e.pupil.x, y - e.pupil.y);
      if (dp <= e.pupil.r) {
        v = 30;
      } else if (di <= e.iris.r) {
        // Normalised radius between the two boundaries along this direction.
        const double t = std::atan2(-(y - e.pupil.y), x - e.pupil.x);
        const double rho = std::clamp((dp - e.pupil.r) / (e.iris.r - e.pupil.r), 0.0, 1.0);
        double tex = 0;
        for (const Wave& w : waves) {
          tex += w.amp * std::cos(w.k * (t - rot) + w.phase) *
                 std::cos(w.radial_freq * kPi * rho + w.radial_phase);
        }
        v = 105 + 6 * tex;
      } else if (std::fabs(dx) < 2.4 * e.iris.r && std::fabs(dy) < 1.1 * e.iris.r) {
        v = 190;  // sclera
      } else {
        v = 160;  // skin
      }
      if (e.eyelid_y >= 0) {
        const double lid = e.eyelid_y + 0.4 / e.iris.r * dx * dx;
        if (y < lid) v = 165;
      }
      if (e.noise_sd > 0) v += noise(noise_rng);
      img.at<uint8_t>(y, x) = cv::saturate_cast<uint8_t>(v);
    }
  }
  if (e.reflection) {
    cv::circle(img, {static_cast<int>(e.pupil.x) + 6, static_cast<int>(e.pupil.y) - 5}, 4, 255,
               cv::FILLED);
  }
  cv::GaussianBlur(img, img, {0, 0}, 0.8);
  return img;
}

// Unwraps `eye` around (cx, cy) into an IREX unsegmented polar image (see iris_polar.h):
// `radii` rows from radius 0 to `outer_radius` (row i at i * outer_radius / radii), `angles`
// columns from straight down, counter-clockwise as the eye is seen; bilinear sampling, 0
// outside the eye image.
inline cv::Mat UnwrapPolar(const cv::Mat& eye, double cx, double cy, int radii, int angles,
                           double outer_radius) {
  constexpr double kPi = std::numbers::pi;
  cv::Mat map_x(radii, angles, CV_32F), map_y(radii, angles, CV_32F);
  for (int j = 0; j < angles; ++j) {
    // Straight down is +y in the image; counter-clockwise as seen turns it towards +x.
    const double a = kPi / 2 - 2 * kPi * j / angles;
    for (int i = 0; i < radii; ++i) {
      const double r = i * outer_radius / radii;
      map_x.at<float>(i, j) = static_cast<float>(cx + r * std::cos(a));
      map_y.at<float>(i, j) = static_cast<float>(cy + r * std::sin(a));
    }
  }
  cv::Mat polar;
  cv::remap(eye, polar, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
  return polar;
}

}  // namespace sijil::biometrics::internal

#endif  // SIJIL_BIOMETRICS_INTERNAL_SYNTHETIC_EYE_H_
