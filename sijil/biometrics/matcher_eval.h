// Verification accuracy of any Matcher (matcher.h) on a labelled set of stored templates:
// genuine scores from every unordered pair of samples of one identity, impostor scores from
// every pair of samples of different identities (or an evenly spread subset of them when
// there are more than max_impostors), then EER/FMR100/FMR1000/ZeroFMR through det.h.
//
// Every probe and gallery template is prepared once before the matching loop, as in a 1:N
// search; comparisons per second are measured on the loop alone, single-threaded. A
// comparison the engine refuses (BIO-405, e.g. no overlapping iris bits) counts as score 0
// (a non-match) and is counted in `failed`, so refusals cost genuine pairs, as they would in
// the field. Thread-compatible.
#ifndef SIJIL_BIOMETRICS_MATCHER_EVAL_H_
#define SIJIL_BIOMETRICS_MATCHER_EVAL_H_

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/env.h"
#include "sijil/base/result.h"
#include "sijil/biometrics/det.h"
#include "sijil/biometrics/matcher.h"

namespace sijil::biometrics {

struct LabeledTemplate {
  std::string identity;  // samples with equal identity are genuine pairs
  std::string name;      // for error messages (file name)
  Bytes stored;          // the modality's stored template
};

struct MatcherEvalOptions {
  size_t max_impostors = 0;  // 0: every cross-identity pair
};

struct MatcherEvaluation {
  ErrorRates rates;
  std::vector<double> genuine_scores;  // calibrated scores
  std::vector<double> impostor_scores;
  std::vector<double> genuine_raw;  // the engine's raw scores, same order
  std::vector<double> impostor_raw;
  size_t identities = 0;
  size_t samples = 0;
  size_t failed = 0;  // comparisons the engine refused (scored 0)
  double comparisons_per_second = 0;
  double comparisons_per_cpu_second = 0;
  double prepare_seconds_per_template = 0;  // probe + gallery preparation
  double mean_template_bytes = 0;           // prepared gallery form
};

// Fails when a template does not prepare (naming it), or when the set has no genuine or no
// impostor pair.
Result<MatcherEvaluation> EvaluateMatcher(Env& env, const Matcher& matcher,
                                          std::span<const LabeledTemplate> samples,
                                          const MatcherEvalOptions& options = {});

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_MATCHER_EVAL_H_
