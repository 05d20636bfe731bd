// Score-level fusion of several finger comparisons (up to ten fingers of one person).
//
// Each finger score from FingerMatcher is calibrated as -10 * log10(FMR). If the impostor
// scores of different fingers are independent and each is well calibrated, the FMR values
// behave like independent uniform variables, so the sum of -ln(FMR) follows a Gamma(n, 1)
// law (Fisher's method). FuseFingerScores turns the sum back into the false-match rate of
// the fused decision and reports it on the same -10 * log10(FMR) scale, so one threshold
// (ThresholdForFmr) serves single- and multi-finger comparisons alike.
// Pure functions; thread-safe.
#ifndef SIJIL_BIOMETRICS_SCORE_FUSION_H_
#define SIJIL_BIOMETRICS_SCORE_FUSION_H_

#include <span>

#include "sijil/biometrics/minutiae.h"

namespace sijil::biometrics {

struct FusedScore {
  double score = 0;  // -10 * log10(fused FMR); 0 when no finger was compared
  int fingers = 0;   // comparisons fused
};

// Fuses calibrated finger scores (each clamped to [0, kMaxScore]). At most 10 are used;
// extra scores are ignored (a person has ten fingers).
FusedScore FuseFingerScores(std::span<const double> scores);

// Compares two multi-finger sets finger by finger: each probe finger is matched against the
// gallery finger at the same position (kUnknown positions are compared in order when both
// sets have no known positions), and the scores are fused.
FusedScore MatchFingerSets(std::span<const FingerTemplate> probe,
                           std::span<const FingerTemplate> gallery);

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_SCORE_FUSION_H_
