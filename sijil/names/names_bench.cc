// Benchmarks of demographic matching: record scoring (the dedup hot path), record compilation,
// name normalisation and phonetic keys. The pairs scored are the real candidate pairs the blocking
// proposes on a synthetic population, so the mix of matches and non-matches is realistic.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "sijil/names/demographic_matcher.h"
#include "sijil/names/name_match.h"
#include "sijil/names/phonetic.h"
#include "sijil/names/population.h"

namespace sijil::names {
namespace {

struct Fixture {
  std::unique_ptr<DemographicMatcher> matcher = NewDemographicMatcher();
  Population population;
  std::vector<CompiledRecord> compiled;
  std::vector<std::pair<uint32_t, uint32_t>> pairs;

  explicit Fixture(size_t count) {
    PopulationOptions o;
    o.count = count;
    o.seed = 2026;
    population = *GeneratePopulation(o);
    for (const PersonRecord& r : population.records) compiled.push_back(*matcher->Compile(r));
    DemographicIndex index(*matcher);
    for (uint32_t i = 0; i < compiled.size(); ++i) {
      for (uint32_t j : index.CandidatePositions(compiled[i])) pairs.emplace_back(i, j);
      index.Add(compiled[i]);
    }
  }
};

const Fixture& Shared() {
  static const Fixture* f = new Fixture(20000);
  return *f;
}

void BM_ScoreCandidatePair(benchmark::State& state) {
  const Fixture& f = Shared();
  size_t k = 0;
  for (auto _ : state) {
    const auto& [i, j] = f.pairs[k];
    benchmark::DoNotOptimize(f.matcher->Score(f.compiled[i], f.compiled[j]));
    if (++k == f.pairs.size()) k = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["candidate_pairs"] = static_cast<double>(f.pairs.size());
}
BENCHMARK(BM_ScoreCandidatePair);

void BM_CompileRecord(benchmark::State& state) {
  const Fixture& f = Shared();
  size_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.matcher->Compile(f.population.records[k]));
    if (++k == f.population.records.size()) k = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CompileRecord);

void BM_CandidateLookup(benchmark::State& state) {
  const Fixture& f = Shared();
  DemographicIndex index(*f.matcher);
  for (const CompiledRecord& c : f.compiled) index.Add(c);
  size_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(index.CandidatePositions(f.compiled[k]));
    if (++k == f.compiled.size()) k = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CandidateLookup);

void BM_CompileName(benchmark::State& state) {
  const char* names[] = {"Mohamed Benabdellah", "محمد بن عبد الله", "Si M'hamed Ben Abdella",
                         "Fatima-Zahra El Ouazzani"};
  size_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(CompileName(names[k++ & 3]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CompileName);

void BM_PhoneticKey(benchmark::State& state) {
  const char* words[] = {"mohammed", "youcef", "cheraibi", "ouazzani"};
  size_t k = 0;
  for (auto _ : state) benchmark::DoNotOptimize(PhoneticKey(words[k++ & 3]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PhoneticKey);

}  // namespace
}  // namespace sijil::names

BENCHMARK_MAIN();
