// Internals of the WSQ codec shared by its decoder and encoder: the spec's wavelet and
// subband trees, symmetric extension and the synthesis filters. Not part of the module API.
#ifndef SIJIL_BIOMETRICS_INTERNAL_WSQ_COMMON_H_
#define SIJIL_BIOMETRICS_INTERNAL_WSQ_COMMON_H_

#include <array>
#include <utility>
#include <vector>

#include "sijil/base/result.h"

namespace sijil::biometrics::wsq_internal {

// Subbands 0..59 are coded; 60..63 (the first level's high-high quadrant) never are.
constexpr int kCodedSubbands = 60;

struct Region {
  int x = 0, y = 0, w = 0, h = 0;
  bool inv_rows = false;  // the horizontal split stores the high band first
  bool inv_cols = false;  // the vertical split stores the high band first
};

// The 20-node wavelet decomposition tree and the 64 subbands of the spec, for an image of
// the given size.
struct WsqTrees {
  std::array<Region, 20> wavelet;
  std::array<Region, 64> subband;
};
WsqTrees BuildTrees(int width, int height);

std::pair<int, int> SplitLargeFirst(int n);
std::pair<int, int> SplitSmallFirst(int n);

// Whole-sample symmetric extension: maps any index onto [0, n).
int Reflect(int m, int n);

// Synthesis filters derived from the analysis pair (lo centred on even samples, hi on odd):
// g0 = modulated hi, g1 = modulated lo, both scaled for perfect reconstruction.
struct SynthesisFilters {
  std::vector<double> g0, g1;
  int lo_radius = 0;  // half-length of g0
  int hi_radius = 0;  // half-length of g1
};
Result<SynthesisFilters> MakeSynthesisFilters(const std::vector<double>& lo,
                                              const std::vector<double>& hi);

// Inverse of one analysis step on a line of `n` samples stored [low | high] (or [high | low]
// when `inverted`).
void SynthesizeLine(const float* in, float* out, int n, bool inverted, const SynthesisFilters& f);
// Undoes the whole decomposition in place (nodes 19 down to 0).
void Reconstruct(std::vector<float>& img, int width, const WsqTrees& trees,
                 const SynthesisFilters& f);

}  // namespace sijil::biometrics::wsq_internal

#endif  // SIJIL_BIOMETRICS_INTERNAL_WSQ_COMMON_H_
