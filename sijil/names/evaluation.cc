#include "sijil/names/evaluation.h"

#include <time.h>

#include <chrono>
#include <sstream>

namespace sijil::names {
namespace {

double Seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

void CountVariations(const std::string& list, std::map<std::string, size_t>& out) {
  std::stringstream ss(list);
  std::string v;
  while (std::getline(ss, v, ',')) {
    if (!v.empty()) out[v]++;
  }
}

// CPU time of the calling thread: "per core" figures must not depend on what else the machine
// runs.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

}  // namespace

Result<EvaluationReport> EvaluateMatcher(const PopulationOptions& options,
                                         const MatcherSettings& settings, size_t examples) {
  SIJIL_ASSIGN_OR_RETURN(Population pop, GeneratePopulation(options));
  std::unique_ptr<DemographicMatcher> matcher = NewDemographicMatcher(settings);
  EvaluationReport rep;
  rep.records = pop.records.size();
  rep.true_pairs = pop.TruePairs();
  for (const std::string& v : pop.variations) CountVariations(v, rep.planted_variations);

  // Durations are measured, not simulated: this is a benchmark, not a unit test.
  auto t0 = std::chrono::steady_clock::now();
  std::vector<CompiledRecord> compiled;
  compiled.reserve(pop.records.size());
  for (const PersonRecord& r : pop.records) {
    SIJIL_ASSIGN_OR_RETURN(CompiledRecord c, matcher->Compile(r));
    compiled.push_back(std::move(c));
  }
  auto t1 = std::chrono::steady_clock::now();

  // Incremental enrolment: each record meets the candidates filed before it.
  DemographicIndex index(*matcher);
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  for (uint32_t i = 0; i < compiled.size(); ++i) {
    for (uint32_t j : index.CandidatePositions(compiled[i])) pairs.emplace_back(i, j);
    index.Add(compiled[i]);
  }
  auto t2 = std::chrono::steady_clock::now();

  std::vector<MatchDecision> decisions(pairs.size());
  double cpu0 = ThreadCpuSeconds();
  for (size_t k = 0; k < pairs.size(); ++k) {
    decisions[k] = matcher->Score(compiled[pairs[k].first], compiled[pairs[k].second]).decision;
  }
  double scoring_cpu = ThreadCpuSeconds() - cpu0;
  auto t3 = std::chrono::steady_clock::now();

  rep.candidate_pairs = pairs.size();
  std::map<std::pair<uint32_t, uint32_t>, bool> auto_matched;
  for (size_t k = 0; k < pairs.size(); ++k) {
    auto [i, j] = pairs[k];
    bool same = pop.person[i] == pop.person[j];
    if (same) rep.true_pairs_in_candidates++;
    if (decisions[k] == MatchDecision::kMatch) {
      (same ? rep.match_true : rep.match_false)++;
      if (!same && rep.false_matches.size() < examples) {
        rep.false_matches.push_back(
            {compiled[i].id, compiled[j].id, matcher->Score(compiled[i], compiled[j]), ""});
      }
      if (same) auto_matched[{std::min(i, j), std::max(i, j)}] = true;
    } else if (decisions[k] == MatchDecision::kPossibleMatch) {
      (same ? rep.possible_true : rep.possible_false)++;
    }
  }
  // Which variations the missed duplicates carried.
  std::map<uint32_t, std::vector<uint32_t>> by_person;
  for (uint32_t i = 0; i < pop.person.size(); ++i) by_person[pop.person[i]].push_back(i);
  for (const auto& [person, members] : by_person) {
    for (size_t x = 0; x < members.size(); ++x) {
      for (size_t y = x + 1; y < members.size(); ++y) {
        uint32_t i = std::min(members[x], members[y]), j = std::max(members[x], members[y]);
        if (auto_matched.count({i, j}) != 0) continue;
        if (rep.missed.size() < examples) {
          rep.missed.push_back({compiled[i].id, compiled[j].id,
                                matcher->Score(compiled[i], compiled[j]),
                                pop.variations[i] + pop.variations[j]});
        }
        CountVariations(pop.variations[i], rep.missed_variations);
        CountVariations(pop.variations[j], rep.missed_variations);
      }
    }
  }

  double n = static_cast<double>(rep.records);
  double all_pairs = n * (n - 1) / 2;
  rep.pairs_completeness =
      rep.true_pairs ? static_cast<double>(rep.true_pairs_in_candidates) / rep.true_pairs : 1.0;
  rep.reduction_ratio = all_pairs > 0 ? 1.0 - rep.candidate_pairs / all_pairs : 0.0;
  rep.mean_candidates = n > 0 ? rep.candidate_pairs / n : 0.0;
  size_t predicted = rep.match_true + rep.match_false;
  rep.precision = predicted ? static_cast<double>(rep.match_true) / predicted : 1.0;
  rep.recall = rep.true_pairs ? static_cast<double>(rep.match_true) / rep.true_pairs : 1.0;
  rep.f1 = rep.precision + rep.recall > 0
               ? 2 * rep.precision * rep.recall / (rep.precision + rep.recall)
               : 0.0;
  rep.recall_with_review =
      rep.true_pairs ? static_cast<double>(rep.match_true + rep.possible_true) / rep.true_pairs
                     : 1.0;
  rep.compile_seconds = Seconds(t0, t1);
  rep.blocking_seconds = Seconds(t1, t2);
  rep.scoring_seconds = Seconds(t2, t3);
  rep.scoring_cpu_seconds = scoring_cpu;
  rep.pairs_per_second = scoring_cpu > 0 ? rep.candidate_pairs / scoring_cpu : 0.0;
  rep.pairs_per_second_wall =
      rep.scoring_seconds > 0 ? rep.candidate_pairs / rep.scoring_seconds : 0.0;
  return rep;
}

}  // namespace sijil::names
