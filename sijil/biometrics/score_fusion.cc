#include "sijil/biometrics/score_fusion.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "sijil/biometrics/finger_matcher.h"

namespace sijil::biometrics {

FusedScore FuseFingerScores(std::span<const double> scores) {
  FusedScore out;
  const size_t n = std::min<size_t>(scores.size(), 10);
  if (n == 0) return out;
  // x = sum of -ln(FMR_i); P(Gamma(n,1) >= x) = exp(-x) * sum_{k<n} x^k / k!.
  double x = 0;
  for (size_t i = 0; i < n; ++i) {
    double s = std::isfinite(scores[i]) ? std::clamp(scores[i], 0.0, kMaxScore) : 0.0;
    x += s * std::log(10.0) / 10.0;
  }
  double term = 1, series = 1;
  for (size_t k = 1; k < n; ++k) {
    term *= x / static_cast<double>(k);
    series += term;
  }
  double log10_fmr = (-x + std::log(series)) / std::log(10.0);
  out.score = std::clamp(-10.0 * log10_fmr, 0.0, 10 * kMaxScore);
  out.fingers = static_cast<int>(n);
  return out;
}

FusedScore MatchFingerSets(std::span<const FingerTemplate> probe,
                           std::span<const FingerTemplate> gallery) {
  std::vector<double> scores;
  bool any_known = false;
  for (const FingerTemplate& p : probe) any_known |= p.position != FingerPosition::kUnknown;
  for (const FingerTemplate& g : gallery) any_known |= g.position != FingerPosition::kUnknown;
  if (any_known) {
    for (const FingerTemplate& p : probe) {
      if (p.position == FingerPosition::kUnknown) continue;
      for (const FingerTemplate& g : gallery) {
        if (g.position == p.position) {
          scores.push_back(MatchFingerprints(p, g));
          break;
        }
      }
    }
  } else {
    for (size_t i = 0; i < std::min(probe.size(), gallery.size()); ++i) {
      scores.push_back(MatchFingerprints(probe[i], gallery[i]));
    }
  }
  return FuseFingerScores(scores);
}

}  // namespace sijil::biometrics
