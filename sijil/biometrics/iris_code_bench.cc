// Iris matching throughput: one prepared probe against a synthetic gallery, ±8 column
// rotations (17 masked Hamming distances per comparison). Single-threaded, so items/s is
// comparisons per second per core.
#include <benchmark/benchmark.h>

#include <vector>

#include "sijil/biometrics/iris_code.h"

namespace sijil::biometrics {
namespace {

std::vector<IrisCode> Gallery(int n) {
  SimulatedEnv env(7);
  IrisSynth synth(env);
  std::vector<IrisCode> out;
  for (int i = 0; i < n; ++i) out.push_back(synth.NewIdentity());
  return out;
}

void BM_CompareIrisPrepared(benchmark::State& state) {
  const int max_shift = static_cast<int>(state.range(0));
  const std::vector<IrisCode> gallery = Gallery(4096);
  SimulatedEnv env(8);
  IrisSynth synth(env);
  auto probe = PreparedIrisProbe::Create(synth.GenuineSample(gallery[17]), max_shift);
  if (!probe.ok()) {
    state.SkipWithError("prepare failed");
    return;
  }
  double sink = 0;
  size_t i = 0;
  for (auto _ : state) {
    auto r = CompareIris(*probe, gallery[i]);
    if (r.ok()) sink += r->hamming_distance;
    i = (i + 1) & 4095;
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CompareIrisPrepared)->Arg(8)->Arg(0);

// The portable popcount kernel (what CPUs without AVX-512 VPOPCNTDQ run, modulo POPCNT).
void BM_CompareIrisPortable(benchmark::State& state) {
  const std::vector<IrisCode> gallery = Gallery(4096);
  SimulatedEnv env(8);
  IrisSynth synth(env);
  auto probe = PreparedIrisProbe::Create(synth.GenuineSample(gallery[17]), 8);
  if (!probe.ok()) {
    state.SkipWithError("prepare failed");
    return;
  }
  double sink = 0;
  size_t i = 0;
  for (auto _ : state) {
    auto r = internal::CompareIrisPortable(*probe, gallery[i]);
    if (r.ok()) sink += r->hamming_distance;
    i = (i + 1) & 4095;
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CompareIrisPortable);

void BM_PrepareIrisProbe(benchmark::State& state) {
  const std::vector<IrisCode> gallery = Gallery(1);
  for (auto _ : state) {
    auto p = PreparedIrisProbe::Create(gallery[0], 8);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PrepareIrisProbe);

}  // namespace
}  // namespace sijil::biometrics

BENCHMARK_MAIN();
