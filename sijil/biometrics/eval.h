// FVC-protocol evaluation of the fingerprint matcher on a folder laid out like FVC2004's
// DB*_B sets: files named <finger>_<impression>.iso (or .tif, through an extractor).
//
// Pair sets (each pair compared once, probe = the later impression or the later finger):
//  - genuine: every unordered pair of impressions of the same finger
//    (10 fingers x 8 impressions: 10 x 28 = 280 pairs);
//  - impostors kFvc: first impression of each finger against the first impression of every
//    other finger (45 pairs); kAll: every cross-finger pair of impressions (2,880 pairs).
// Comparisons per second are measured on the matching loop alone, single-threaded, with
// every probe prepared once (as in 1:N search); preparation time is reported separately.
// Thread-compatible.
#ifndef SIJIL_BIOMETRICS_EVAL_H_
#define SIJIL_BIOMETRICS_EVAL_H_

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sijil/base/env.h"
#include "sijil/base/result.h"
#include "sijil/biometrics/det.h"
#include "sijil/biometrics/minutiae.h"

namespace sijil::biometrics {

struct FvcSample {
  int finger = 0;
  int impression = 0;
  std::string name;  // file name
  FingerTemplate tmpl;
};

struct FvcDatabase {
  std::vector<FvcSample> samples;  // sorted by finger, then impression
};

// Loads every <finger>_<impression>.iso under `dir` (not recursive). Fails if a file does
// not parse (naming it) or if no file matches.
//
// Geometry fix-up: the FVC2004 templates distributed with OpenAFIS were extracted from
// images resampled to the 300x400 pixels their headers claim, whatever the real image size
// (640x480 for DB1: a 1.8:1 anisotropic squeeze). Distances and angles measured in such a
// frame are not rotation invariant. When `image_extension` names an image that sits beside
// the record (e.g. ".tif") and its size differs from the record's, the minutiae are mapped
// back to the image frame: x and y scaled separately, directions transformed with them.
Result<FvcDatabase> LoadFvcTemplates(Env& env, const std::filesystem::path& dir,
                                     const std::string& image_extension = ".tif");

// Maps `tmpl` from its declared width x height to `width` x `height` pixels (directions
// follow the anisotropic scaling). No-op when the sizes agree or the template has none.
void RescaleTemplate(FingerTemplate& tmpl, int width, int height);

// Loads every <finger>_<impression>.<extension> under `dir` through `extract`, on `threads`
// threads (extract must then be safe to call concurrently). Samples keep the directory's
// sorted order whatever the thread count; on failure the error of the first failing sample
// in that order is returned.
using TemplateExtractor = std::function<Result<FingerTemplate>(const std::filesystem::path&)>;
Result<FvcDatabase> LoadFvcWithExtractor(const std::filesystem::path& dir,
                                         const std::string& extension,
                                         const TemplateExtractor& extract, int threads = 1);

enum class ImpostorSet { kFvc, kAll };

struct FvcEvaluation {
  ErrorRates rates;
  std::vector<double> genuine_scores;
  std::vector<double> impostor_scores;
  size_t fingers = 0;
  size_t samples = 0;
  double comparisons_per_second = 0;      // single thread, prepared probes, wall clock
  double comparisons_per_cpu_second = 0;  // the same per second of CPU time (robust to load)
  double prepare_seconds_per_template = 0;
  double mean_template_bytes = 0;  // packed matcher template
  double mean_minutiae = 0;
};

FvcEvaluation EvaluateFvc(Env& env, const FvcDatabase& db, ImpostorSet impostors);

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_EVAL_H_
