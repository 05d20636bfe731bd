// Verification accuracy metrics from genuine and impostor score sets: EER, FNMR at fixed
// FMR (FMR100, FMR1000, FMR10000, ZeroFMR) and the DET curve, computed as the FVC
// competitions define them, plus CSV and PNG renderings of the DET curve.
//
// Convention: a higher score means more similar; a comparison is accepted when
// score >= threshold. All rates are fractions (0.01 = 1%). Pure functions; thread-safe.
#ifndef SIJIL_BIOMETRICS_DET_H_
#define SIJIL_BIOMETRICS_DET_H_

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "sijil/base/env.h"
#include "sijil/base/status.h"

namespace sijil::biometrics {

struct DetPoint {
  double threshold = 0;
  double fmr = 0;   // impostor scores >= threshold
  double fnmr = 0;  // genuine scores < threshold
};

struct ErrorRates {
  double eer = 0;
  double eer_threshold = 0;
  double fmr100 = 0;          // lowest FNMR with FMR <= 1%
  double fmr1000 = 0;         // lowest FNMR with FMR <= 0.1%
  double fmr10000 = 0;        // lowest FNMR with FMR <= 0.01%
  double zero_fmr = 0;        // lowest FNMR with FMR = 0
  std::vector<DetPoint> det;  // one point per distinct score, thresholds ascending
};

// Needs at least one genuine and one impostor score (else all rates are 0 and det empty).
// EER follows FVC: where FMR and FNMR cross between two thresholds, the midpoint of the
// interval with the smaller total error.
ErrorRates ComputeErrorRates(std::span<const double> genuine, std::span<const double> impostor);

// "threshold,fmr,fnmr" lines, header first.
std::string DetCsv(const ErrorRates& rates);

// A DET plot (FNMR against FMR, both on log axes from 1e-4 to 1) as PNG bytes; several
// curves may be drawn with their labels. Fails only if PNG encoding fails.
struct DetCurve {
  std::string label;
  const ErrorRates* rates = nullptr;
};
Status RenderDetPng(std::span<const DetCurve> curves, std::string* png);

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_DET_H_
