// Matcher: one interface over the finger, iris and face comparison engines, for the callers
// that should not care which modality they hold (1:1 authentication, the ABIS's 1:N search,
// evaluation, the CLI).
//
// A modality's stored template (the bytes a gallery keeps: an ISO/IEC 19794-2 minutiae
// record for finger, a serialised IrisCode for iris, an embedding for face) is turned once
// into a GalleryTemplate (the form compared against) or a Probe (the searching side, with
// whatever per-search precomputation the engine wants: hash tables, pre-rotated codes).
// Probe::Compare then scores one gallery template.
//
// Scores. Every matcher reports MatchScore::score on one calibrated scale,
//   score = -10 * log10(estimated false-match rate), clamped to [0, kMaxScore],
// so 40 means "an impostor scores this high once in 10^4 comparisons" whatever the
// modality, one threshold (ScoreForFmr below) serves all of them, and
// scores of different modalities fuse (score_fusion.h). The engine's own number (minutiae
// pairing score, fractional Hamming distance, cosine similarity) is kept in raw_score, and
// Matcher::Calibrate is the modality's raw -> calibrated mapping (its impostor model).
//
// Thread-safety: Matcher, GalleryTemplate and Probe objects are immutable after creation;
// all const methods may be called from any number of threads at once.
#ifndef SIJIL_BIOMETRICS_MATCHER_H_
#define SIJIL_BIOMETRICS_MATCHER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "sijil/base/result.h"
#include "sijil/base/status.h"
#include "sijil/biometrics/finger_matcher.h"  // kMaxScore

namespace sijil::biometrics {

enum class Modality : uint8_t { kFinger = 0, kIris = 1, kFace = 2 };
// "finger", "iris", "face".
std::string_view ModalityName(Modality modality);
// Inverse of ModalityName (also accepts "fingerprint"); BIO-401 for anything else.
Result<Modality> ParseModality(std::string_view name);

struct MatchScore {
  double score = 0;      // calibrated: -10 * log10(FMR), in [0, kMaxScore]; higher = more alike
  double raw_score = 0;  // the engine's own similarity or distance, for diagnostics
};

// A stored template decoded for comparison.
class GalleryTemplate {
 public:
  virtual ~GalleryTemplate() = default;
  virtual Modality modality() const = 0;
  // Memory the prepared form holds (what a 1:N gallery pays per template).
  virtual size_t ByteSize() const = 0;
};

// The searching side of a comparison.
class Probe {
 public:
  virtual ~Probe() = default;
  virtual Modality modality() const = 0;
  // Scores `gallery`. Fails with BIO-401 when `gallery` is of another modality, and with
  // BIO-405 (matching failed) when the engine cannot give a meaningful score (e.g. two iris
  // codes whose valid bits do not overlap) - never a made-up score.
  virtual Result<MatchScore> Compare(const GalleryTemplate& gallery) const = 0;
};

class Matcher {
 public:
  virtual ~Matcher() = default;
  virtual Modality modality() const = 0;
  std::string_view name() const { return ModalityName(modality()); }

  // Decode a stored template. BIO-401 when the bytes are not a template of this modality.
  virtual Result<std::unique_ptr<GalleryTemplate>> PrepareGallery(
      std::span<const uint8_t> stored) const = 0;
  virtual Result<std::unique_ptr<Probe>> PrepareProbe(std::span<const uint8_t> stored) const = 0;

  // The modality's calibration: raw_score -> calibrated score (monotone, higher = more alike).
  virtual double Calibrate(double raw_score) const = 0;

  // One-off comparison of two stored templates (prepares both; use PrepareProbe for 1:N).
  Result<MatchScore> CompareStored(std::span<const uint8_t> probe,
                                   std::span<const uint8_t> gallery) const;
};

// Estimated FMR of a calibrated score, and the score threshold for a target FMR (the same
// mapping as FmrForScore/ThresholdForFmr of finger_matcher.h, named for any modality).
// ScoreForFmr clamps to [0, kMaxScore] (fmr <= 0 gives kMaxScore).
double FmrOfScore(double score);
double ScoreForFmr(double fmr);

// The finger matcher behind this interface: stored templates are ISO/IEC 19794-2 (2005 or
// 2011) or ANSI/INCITS 378 minutiae records; the probe is FingerMatcher, raw_score its
// pairing score.
std::unique_ptr<Matcher> NewFingerMatcher();

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_MATCHER_H_
