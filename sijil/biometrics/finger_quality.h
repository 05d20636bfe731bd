// Whole-print quality of a fingerprint image, 0..100, in the spirit of NFIQ 2: a score that
// predicts how useful the print is for minutiae matching, built from measurable image
// features. Unlike NFIQ 2 (a random forest trained on NIST data) the combination here is a
// fixed, documented formula, so a score can be explained feature by feature:
//
//   area      = clamp((foreground_mm2 - 25) / (120 - 25))
//   certainty = clamp((orientation_certainty - 0.35) / (0.80 - 0.35))
//   clarity   = clamp((ridge_clarity - 0.30) / (0.75 - 0.30))
//   frequency = clamp((period_valid_fraction - 0.15) / (0.60 - 0.15))
//   minutiae  = clamp((minutiae_count - 6) / (30 - 6))
//   score     = round(100 * area^0.20 * certainty^0.25 * clarity^0.30 * frequency^0.10
//                         * minutiae^0.15)
//
// (clamp to [0, 1]; the exponents are the weights of a weighted geometric mean, so one
// unusable aspect pulls the whole score down.) Features:
//  - foreground_mm2: area of the segmented print (NFIQ 2 "FDA/segmentation" area), mm²;
//  - orientation_certainty: mean ridge-orientation coherence over foreground blocks of
//    16x16 px (NFIQ 2 OCL): 1 for perfectly parallel ridges, 0 for isotropic noise;
//  - ridge_clarity: mean correlation, per foreground block, between the normalised image and
//    its orientation-tuned Gabor enhancement (close to NFIQ 2 LCS, local clarity): how much of
//    the local signal is a clean ridge/valley wave;
//  - period_valid_fraction: fraction of foreground blocks with a measurable ridge period in
//    4..16 px (NFIQ 2 FDA/RVU, frequency-domain and ridge-valley uniformity);
//  - period_spread: (IQR / median) of those periods (reported, not scored);
//  - minutiae_count: minutiae kept by the extractor (NFIQ 2 MU count).
// Values are for 500 dpi; images at other resolutions are resampled first.
// Plain value types and pure functions; thread-safe.
#ifndef SIJIL_BIOMETRICS_FINGER_QUALITY_H_
#define SIJIL_BIOMETRICS_FINGER_QUALITY_H_

#include <cstdint>

namespace sijil::biometrics {

struct QualityFeatures {
  float foreground_mm2 = 0.0f;
  float orientation_certainty = 0.0f;
  float ridge_clarity = 0.0f;
  float period_valid_fraction = 0.0f;
  float period_spread = 0.0f;
  float ridge_period_px = 0.0f;
  int minutiae_count = 0;
};

struct PrintQuality {
  uint8_t score = 0;  // 0..100
  QualityFeatures features;
};

// Applies the documented formula above.
uint8_t ScorePrintQuality(const QualityFeatures& features);

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_FINGER_QUALITY_H_
