#include "sijil/biometrics/internal/minutiae_agreement.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <tuple>

namespace sijil::biometrics::internal {

Agreement CompareMinutiae(const std::vector<Minutia>& extracted,
                          const std::vector<Minutia>& reference, float dx, float dy,
                          float max_distance, float max_angle_rad) {
  constexpr float kTwoPi = 2.0f * std::numbers::pi_v<float>;
  Agreement a;
  a.reference = static_cast<int>(reference.size());
  a.extracted = static_cast<int>(extracted.size());
  std::vector<std::tuple<float, int, int>> pairs;
  for (size_t i = 0; i < reference.size(); ++i) {
    const Minutia& r = reference[i];
    for (size_t j = 0; j < extracted.size(); ++j) {
      const Minutia& e = extracted[j];
      float d =
          std::hypot(static_cast<float>(e.x) - (r.x + dx), static_cast<float>(e.y) - (r.y + dy));
      if (d > max_distance) continue;
      float da = std::fmod(std::fabs(e.angle - r.angle), kTwoPi);
      da = std::min(da, kTwoPi - da);
      if (da > max_angle_rad) continue;
      pairs.emplace_back(d, static_cast<int>(i), static_cast<int>(j));
    }
  }
  std::sort(pairs.begin(), pairs.end());
  std::vector<bool> used_r(reference.size()), used_e(extracted.size());
  for (const auto& [d, i, j] : pairs) {
    if (used_r[static_cast<size_t>(i)] || used_e[static_cast<size_t>(j)]) continue;
    used_r[static_cast<size_t>(i)] = used_e[static_cast<size_t>(j)] = true;
    ++a.paired;
    if (reference[static_cast<size_t>(i)].type == extracted[static_cast<size_t>(j)].type)
      ++a.same_type;
  }
  return a;
}

}  // namespace sijil::biometrics::internal
