// The iris engine behind the Matcher interface (matcher.h): stored templates are serialised
// IrisCodes (iris_code.h), comparison is the masked fractional Hamming distance minimised
// over rotations, and the calibration is Daugman's impostor model.
//
// Calibration. Daugman (Proc. IEEE 94(11), 2006) found impostor Hamming distances of
// IrisCodes, after his normalisation for the number of bits compared, distributed as a
// binomial with p = 0.5 and about N = 249 degrees of freedom (the Gabor phase bits are
// correlated, so 2,048 bits carry ~249 independent ones). The best of m rotations is the
// minimum of m such draws: FMR(hd) = 1 - (1 - F(hd))^m with F the binomial CDF at hd * N
// (extended to real arguments through the regularised incomplete beta function). Treating
// the m rotations as independent overstates the FMR slightly, which is the safe side.
//
// Thread-safety: pure functions; the Matcher returned is immutable and thread-safe.
#ifndef SIJIL_BIOMETRICS_IRIS_MATCHER_H_
#define SIJIL_BIOMETRICS_IRIS_MATCHER_H_

#include <memory>

#include "sijil/biometrics/iris_code.h"
#include "sijil/biometrics/matcher.h"

namespace sijil::biometrics {

struct IrisMatcherOptions {
  int max_shift = 8;                // rotations searched each way, columns (<= kIrisMaxShift)
  double degrees_of_freedom = 249;  // N of the impostor binomial
};

// Estimated false-match rate of a best-of-rotations normalised Hamming distance.
double IrisFmrForDistance(double normalized_hd, const IrisMatcherOptions& options = {});
// The same on the calibrated scale: -10 * log10(FMR), clamped to [0, kMaxScore]. Computed in
// log space, so distances far in the tail saturate at kMaxScore instead of underflowing.
double IrisScoreForDistance(double normalized_hd, const IrisMatcherOptions& options = {});

// raw_score of a comparison is the normalised HD (a distance: lower = more alike).
// Fails with SIJ-BIO-040 for a max_shift outside [0, kIrisMaxShift].
Result<std::unique_ptr<Matcher>> NewIrisMatcher(const IrisMatcherOptions& options = {});

// Direct constructors, for callers that hold IrisCodes rather than stored bytes. Each
// MakeIrisProbe builds its own calibration table (~30 us); prefer Matcher::PrepareProbe in
// loops.
std::unique_ptr<GalleryTemplate> MakeIrisGalleryTemplate(const IrisCode& code);
Result<std::unique_ptr<Probe>> MakeIrisProbe(const IrisCode& code,
                                             const IrisMatcherOptions& options = {});

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_IRIS_MATCHER_H_
