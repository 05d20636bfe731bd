// FingerSynthesizer: synthetic fingerprints after the SFinGe method (Cappelli, Maio,
// Maltoni), for scale tests and demos.
//
// A master print (one identity) is made from:
//  - a silhouette (two half-ellipses joined by straight sides);
//  - a pattern class drawn with the natural frequencies arch 3.7 %, tented arch 2.9 %, left
//    loop 33.8 %, right loop 31.7 %, whorl 27.9 %, with its cores and deltas;
//  - an orientation field: the Sherlock-Monro zero-pole model
//    theta(z) = theta0 + 1/2 [sum arg(z - delta_i) - sum arg(z - core_j)] for loops, whorls and
//    tented arches, and a smooth bump field for plain arches; each arg() goes through the
//    finger's own Vizcaya-Gerhardt correction (a random piecewise-linear bend), and a slow
//    random drift (three plane waves of about 0.2 rad) is added, so that no two fingers of a
//    class share one field;
//  - a ridge period drawn per finger in 8.5..11 px (500 dpi);
//  - ridges grown by iterated Gabor filtering tuned to the field and the period, clipping to
//    [-1, 1] after each pass. Growth starts from white noise over the whole silhouette (not
//    from a few seeds), so every part grows at once and the field settles in 6-10 passes;
//    minutiae stay where neighbouring ridge trains meet out of phase, at places that depend
//    only on the finger's own noise. It runs on a half-resolution grid (period 4.2-5.5 cells)
//    with a bank of 12 separable oriented filters and is brought back to full resolution by
//    cubic interpolation (about 10 ms per master at 300x400);
//  - the skin's own irregularity: the grown ridges are moved by a smooth divergence-free
//    random warp (8 px RMS, correlation length about 60 px), so each finger's ridges wander
//    from the model flow its own way without new minutiae, and 0-2 creases are cut across
//    them. Without it minutia directions follow the smooth model flow far more exactly than
//    on real prints, and unrelated fingers agree by chance too often.
// An impression of a master applies, in this order: ridge thickness (threshold level of the
// ridge field: dry or wet skin, varied across the print by uneven pressure), a contact region
// (an ellipse shifted inside the silhouette, so some impressions are partial), plastic skin
// distortion (Cappelli-Maio-Maltoni: a rigid motion of the outer skin blended into an
// undistorted contact core by a smooth brake function), a global rotation and translation, a
// small local warp of its own (1 px RMS over about 24 px: the skin stretches differently at
// each press), then rendering with pores, dry patches, a scratch, blur that varies across the
// print, noise and contrast changes.
//
// Templates: in image mode an impression's template is our extractor's output on its image.
// In template-only mode (for galleries of 10^5+ fingers) no impression is rendered: the master
// is rendered once and extracted, and each impression's template is the master minutiae moved
// by the same geometric model (distortion, rotation, translation, local warp), cut to the
// contact region, with what extraction adds on top: position jitter (sigma 1.5 px), angle
// jitter (sigma 5 deg), 15 % of minutiae dropped, and 0..6 spurious minutiae on the ridges
// (pointing along the master's local ridge flow). docs/benchmarks.md compares both modes'
// score distributions with FVC2004.
//
// Everything is a function of the seed (no global random state): finger f is generated from
// seed S and f alone, impression i from S, f and i, so any subset can be regenerated.
// Thread-safety: immutable after construction; all methods may run concurrently.
#ifndef SIJIL_BIOMETRICS_FINGER_SYNTH_H_
#define SIJIL_BIOMETRICS_FINGER_SYNTH_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "sijil/base/result.h"
#include "sijil/biometrics/finger_extractor.h"
#include "sijil/biometrics/minutiae.h"

namespace sijil::biometrics {

enum class PatternClass : uint8_t { kArch, kTentedArch, kLeftLoop, kRightLoop, kWhorl };
std::string_view PatternClassName(PatternClass c);

struct SynthSettings {
  int width = 300;  // image size in pixels at 500 dpi
  int height = 400;
  // Impression variation.
  float max_rotation_deg = 15.0f;
  float max_translation_px = 20.0f;
  float distortion = 1.0f;  // scales the plastic distortion (0 disables)
  float noise = 1.0f;       // scales rendering noise (0 disables)
};

struct MasterPrint {
  PatternClass pattern = PatternClass::kArch;
  float period = 9.0f;
  cv::Mat ridges;      // CV_32F in [-1, 1], ridges positive
  cv::Mat silhouette;  // CV_8U 0/255
  std::vector<cv::Point2f> cores;
  std::vector<cv::Point2f> deltas;
  int growth_passes = 0;  // Gabor passes until the field settled (at most 10)
};

struct Impression {
  cv::Mat image;  // CV_8U, ridges dark on a light background
  FingerTemplate finger;
};

class FingerSynthesizer {
 public:
  explicit FingerSynthesizer(SynthSettings settings = {});

  // The pattern class of finger `finger` under `seed` (its own stream, so it is cheap).
  static PatternClass PatternOf(uint64_t seed, uint64_t finger);
  // The master print of finger `finger` under `seed`.
  MasterPrint GenerateMaster(uint64_t seed, uint64_t finger) const;
  // The master rendered as an image (no noise, full contact).
  cv::Mat RenderMaster(const MasterPrint& master) const;
  // Impression `impression` of `master`, rendered and extracted with `extractor`.
  // Fails only if extraction fails (IDA-BIA-011).
  Result<Impression> MakeImpression(const MasterPrint& master, uint64_t seed, uint64_t finger,
                                    uint64_t impression, const FingerExtractor& extractor) const;
  // Template-only impression: `master_template` (the extractor's output on RenderMaster)
  // moved by the impression's geometric model; see the header comment.
  FingerTemplate ImpressionTemplate(const MasterPrint& master,
                                    const FingerTemplate& master_template, uint64_t seed,
                                    uint64_t finger, uint64_t impression) const;

  const SynthSettings& settings() const { return settings_; }

 private:
  SynthSettings settings_;
};

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_FINGER_SYNTH_H_
