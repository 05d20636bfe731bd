// Evaluation of demographic deduplication on a synthetic population with planted duplicates:
// blocking pairs completeness, precision / recall / F1 of the automatic-match band, the size of
// the possible-match (human review) band, and scoring throughput.
//
// Thread-compatible: a pure function of its options (the timings vary, the counts do not).
#ifndef SIJIL_NAMES_EVALUATION_H_
#define SIJIL_NAMES_EVALUATION_H_

#include <map>
#include <string>

#include "sijil/base/result.h"
#include "sijil/names/demographic_matcher.h"
#include "sijil/names/population.h"

namespace sijil::names {

struct EvaluationReport {
  size_t records = 0;
  size_t true_pairs = 0;
  size_t candidate_pairs = 0;  // pairs the blocking proposes
  size_t true_pairs_in_candidates = 0;
  double pairs_completeness = 0;                 // true pairs kept by blocking / true pairs
  double reduction_ratio = 0;                    // 1 − candidate pairs / all pairs
  double mean_candidates = 0;                    // candidates per record (incremental enrolment)
  size_t match_true = 0, match_false = 0;        // automatic-match band
  size_t possible_true = 0, possible_false = 0;  // possible-match band (human review)
  double precision = 0, recall = 0, f1 = 0;      // automatic-match band vs all true pairs
  double recall_with_review = 0;                 // match or possible match
  double compile_seconds = 0, blocking_seconds = 0, scoring_seconds = 0;  // wall clock
  double scoring_cpu_seconds = 0;    // CPU time of the scoring thread
  double pairs_per_second = 0;       // Score() calls per CPU-second on one thread (per core)
  double pairs_per_second_wall = 0;  // the same per wall-clock second (shared machines: lower)
  // Variations of the duplicates in true pairs that missed the automatic band.
  std::map<std::string, size_t> missed_variations;
  std::map<std::string, size_t> planted_variations;

  // A few errors, for inspection: false automatic matches and missed true pairs.
  struct Example {
    std::string a, b;  // record ids
    RecordScore score;
    std::string variations;  // of the duplicate, for missed pairs
  };
  std::vector<Example> false_matches;
  std::vector<Example> missed;
};

// Generates the population, files records one by one in a DemographicIndex (as enrolment does)
// comparing each with the candidates already filed, and scores every candidate pair.
// Keeps up to `examples` errors of each kind.
Result<EvaluationReport> EvaluateMatcher(const PopulationOptions& population,
                                         const MatcherSettings& settings, size_t examples = 0);

}  // namespace sijil::names

#endif  // SIJIL_NAMES_EVALUATION_H_
