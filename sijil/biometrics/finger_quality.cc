#include "sijil/biometrics/finger_quality.h"

#include <algorithm>
#include <cmath>

namespace sijil::biometrics {
namespace {

double Ramp(double v, double lo, double hi) { return std::clamp((v - lo) / (hi - lo), 0.0, 1.0); }

}  // namespace

uint8_t ScorePrintQuality(const QualityFeatures& f) {
  double area = Ramp(f.foreground_mm2, 25, 120);
  double certainty = Ramp(f.orientation_certainty, 0.35, 0.80);
  double clarity = Ramp(f.ridge_clarity, 0.30, 0.75);
  double frequency = Ramp(f.period_valid_fraction, 0.15, 0.60);
  double minutiae = Ramp(f.minutiae_count, 6, 30);
  double s = std::pow(area, 0.20) * std::pow(certainty, 0.25) * std::pow(clarity, 0.30) *
             std::pow(frequency, 0.10) * std::pow(minutiae, 0.15);
  return static_cast<uint8_t>(std::lround(100.0 * s));
}

}  // namespace sijil::biometrics
