// Matcher inner-loop benchmarks: one prepared probe against a gallery of prepared
// templates (the 1:N search pattern), template preparation, and probe preparation.
// Templates come from the copied FVC2004 test data (sijil/biometrics/testdata), or from a
// folder of .iso files given in SIJIL_BENCH_TEMPLATES (e.g. the full FVC2004 DB*_B sets).
// With SIJIL_BENCH_FVC=<folder holding DB1_B..DB4_B>, BM_MatchFvc/DBn_B also run: each
// database loaded as `sijil biometrics eval` loads it (geometry fix-up included), every
// template in turn the prepared probe against the other 79. With SIJIL_BENCH_DUMP_SCORES=<dir>
// as well, each writes <dir>/<DB>_scores.txt first: one line per ordered pair (probe index,
// candidate index, raw score, score, paired, supporting edges, MCC score, pairing evidence,
// probe and candidate overlap, probe and candidate size; full precision), so that two builds
// can be diffed to show that a change leaves every score as it was, and <dir>/<DB>_minutiae.txt
// (template index, x, y, direction in 1/256 turn, type of every prepared minutia).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "sijil/base/env.h"
#include "sijil/biometrics/eval.h"
#include "sijil/biometrics/finger_matcher.h"
#include "sijil/biometrics/finger_minutiae_record.h"

namespace sijil::biometrics {
namespace {

std::vector<FingerTemplate> LoadTemplates() {
  std::vector<FingerTemplate> out;
  std::filesystem::path dir;
  if (const char* d = std::getenv("SIJIL_BENCH_TEMPLATES")) {
    dir = d;
  } else {
    const char* root = std::getenv("SIJIL_SOURCE_DIR");
    dir = std::filesystem::path(root ? root : ".") / "sijil/biometrics/testdata/fvc2004";
  }
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.path().extension() != ".iso") continue;
    std::ifstream in(e.path(), std::ios::binary);
    Bytes raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto t = ParseFingerTemplate(raw);
    if (t.ok()) out.push_back(std::move(*t));
  }
  return out;
}

const std::vector<FingerTemplate>& Templates() {
  static const std::vector<FingerTemplate> t = LoadTemplates();
  return t;
}

// Reports the mean prepared template size of `gallery` as the counter template_bytes.
void ReportTemplateBytes(benchmark::State& state, const std::vector<PreparedFingerprint>& gallery) {
  size_t bytes = 0;
  for (const auto& g : gallery) bytes += g.ByteSize();
  state.counters["template_bytes"] =
      static_cast<double>(bytes) / static_cast<double>(gallery.size());
}

void BM_MatchPreparedProbe(benchmark::State& state) {
  const auto& t = Templates();
  if (t.size() < 2) {
    state.SkipWithError("no templates");
    return;
  }
  std::vector<PreparedFingerprint> gallery(t.begin(), t.end());
  FingerMatcher probe(gallery[0]);
  size_t i = 1;
  double sum = 0;
  for (auto _ : state) {
    sum += probe.Match(gallery[i]);
    if (++i == gallery.size()) i = 1;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  ReportTemplateBytes(state, gallery);
}
BENCHMARK(BM_MatchPreparedProbe);

void BM_MatchAllProbes(benchmark::State& state) {
  // Every template in turn as the probe: an all-against-all sweep.
  const auto& t = Templates();
  std::vector<PreparedFingerprint> gallery(t.begin(), t.end());
  std::vector<FingerMatcher> probes;
  for (const auto& g : gallery) probes.emplace_back(g);
  size_t p = 0, g = 0;
  double sum = 0;
  for (auto _ : state) {
    sum += probes[p].Match(gallery[g]);
    if (++g == gallery.size()) {
      g = 0;
      if (++p == probes.size()) p = 0;
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_MatchAllProbes);

void BM_PrepareTemplate(benchmark::State& state) {
  const auto& t = Templates();
  size_t i = 0;
  for (auto _ : state) {
    PreparedFingerprint p(t[i]);
    benchmark::DoNotOptimize(p.size());
    if (++i == t.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_PrepareTemplate);

void BM_PrepareProbe(benchmark::State& state) {
  const auto& t = Templates();
  std::vector<PreparedFingerprint> gallery(t.begin(), t.end());
  size_t i = 0;
  for (auto _ : state) {
    FingerMatcher m(gallery[i]);
    benchmark::DoNotOptimize(&m);
    if (++i == gallery.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_PrepareProbe);

void BM_MatchFvc(benchmark::State& state, const std::filesystem::path& dir) {
  auto db = LoadFvcTemplates(Env::Default(), dir);
  if (!db.ok() || db->samples.size() < 2) {
    state.SkipWithError("cannot load the database");
    return;
  }
  std::vector<PreparedFingerprint> gallery;
  for (const FvcSample& s : db->samples) gallery.emplace_back(s.tmpl);
  std::vector<FingerMatcher> probes(gallery.begin(), gallery.end());
  if (const char* dump = std::getenv("SIJIL_BENCH_DUMP_SCORES")) {
    std::ofstream out(std::filesystem::path(dump) / (dir.filename().string() + "_scores.txt"));
    out.precision(17);
    std::ofstream mo(std::filesystem::path(dump) / (dir.filename().string() + "_minutiae.txt"));
    for (size_t i = 0; i < gallery.size(); ++i) {
      for (const auto& m : gallery[i].minutiae()) {
        mo << i << ' ' << m.x << ' ' << m.y << ' ' << int{m.angle} << ' ' << int{m.type} << '\n';
      }
    }
    for (size_t i = 0; i < probes.size(); ++i) {
      for (size_t j = 0; j < gallery.size(); ++j) {
        if (i == j) continue;
        const MatchDetails m = probes[i].MatchWithDetails(gallery[j]);
        out << i << ' ' << j << ' ' << m.raw_score << ' ' << m.score << ' ' << m.paired << ' '
            << m.supporting_edges << ' ' << m.mcc_score << ' ' << m.pairing_evidence << ' '
            << m.probe_overlap << ' ' << m.candidate_overlap << ' ' << gallery[i].size() << ' '
            << gallery[j].size() << '\n';
      }
    }
  }
  size_t p = 0, g = 1;
  double sum = 0;
  for (auto _ : state) {
    sum += probes[p].Match(gallery[g]);
    if (++g == p) ++g;
    if (g >= gallery.size()) {
      if (++p == probes.size()) p = 0;
      g = p == 0 ? 1 : 0;
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  ReportTemplateBytes(state, gallery);
}

// The calibration set of finger_matcher.cc: every cross-finger pair within each database
// (probe the later sample, as `eval --impostors all`) and every pair across two databases
// (probe from the later database), 49,920 impostor comparisons for DB1-DB4_B. Each iteration
// compares them all; with SIJIL_BENCH_DUMP_SCORES=<dir>, <dir>/impostor_quantiles.txt receives
// the MCC score, the pairing evidence and the combined raw score at each tail fraction of the
// calibration tables (the value that that fraction of impostors reaches or exceeds).
void BM_FvcImpostorQuantiles(benchmark::State& state, const std::filesystem::path& root) {
  std::vector<std::vector<PreparedFingerprint>> dbs;
  std::vector<std::vector<int>> fingers;
  for (const char* name : {"DB1_B", "DB2_B", "DB3_B", "DB4_B"}) {
    auto db = LoadFvcTemplates(Env::Default(), root / name);
    if (!db.ok()) {
      state.SkipWithError("cannot load a database");
      return;
    }
    dbs.emplace_back();
    fingers.emplace_back();
    for (const FvcSample& s : db->samples) {
      dbs.back().emplace_back(s.tmpl);
      fingers.back().push_back(s.finger);
    }
  }
  std::vector<std::pair<const PreparedFingerprint*, const PreparedFingerprint*>> pairs;
  for (size_t a = 0; a < dbs.size(); ++a) {
    for (size_t i = 0; i < dbs[a].size(); ++i) {
      for (size_t j = i + 1; j < dbs[a].size(); ++j) {
        if (fingers[a][i] != fingers[a][j]) pairs.emplace_back(&dbs[a][j], &dbs[a][i]);
      }
      for (size_t b = a + 1; b < dbs.size(); ++b) {
        for (const PreparedFingerprint& other : dbs[b]) pairs.emplace_back(&other, &dbs[a][i]);
      }
    }
  }
  std::vector<double> mcc, pairing, raw;
  for (auto _ : state) {
    mcc.clear();
    pairing.clear();
    raw.clear();
    const PreparedFingerprint* last = nullptr;
    std::unique_ptr<FingerMatcher> probe;
    for (const auto& [p, c] : pairs) {
      if (p != last) {
        probe = std::make_unique<FingerMatcher>(*p);
        last = p;
      }
      const MatchDetails m = probe->MatchWithDetails(*c);
      mcc.push_back(m.mcc_score);
      pairing.push_back(m.pairing_evidence);
      raw.push_back(m.raw_score);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pairs.size()));
  const char* dump = std::getenv("SIJIL_BENCH_DUMP_SCORES");
  if (dump == nullptr) return;
  std::ofstream out(std::filesystem::path(dump) / "impostor_quantiles.txt");
  out << "# " << pairs.size() << " impostor comparisons\n# fmr log10_fmr mcc pairing raw\n";
  for (auto* v : {&mcc, &pairing, &raw}) std::sort(v->begin(), v->end(), std::greater<>());
  const double n = static_cast<double>(pairs.size());
  for (double fmr : {0.5, 0.3, 0.2, 0.1, 0.05, 0.03, 0.02, 0.01, 0.005, 0.003, 0.002, 0.001, 5e-4,
                     3e-4, 2e-4, 1e-4, 1 / n}) {
    // The k-th highest score: k of n impostors reach it.
    const size_t k = std::max<size_t>(1, static_cast<size_t>(std::lround(fmr * n)));
    out << fmr << ' ' << std::log10(static_cast<double>(k) / n) << ' ' << mcc[k - 1] << ' '
        << pairing[k - 1] << ' ' << raw[k - 1] << '\n';
  }
}

const bool kFvcRegistered = [] {
  const char* root = std::getenv("SIJIL_BENCH_FVC");
  if (root == nullptr) return false;
  for (const char* name : {"DB1_B", "DB2_B", "DB3_B", "DB4_B"}) {
    benchmark::RegisterBenchmark((std::string("BM_MatchFvc/") + name).c_str(), BM_MatchFvc,
                                 std::filesystem::path(root) / name);
  }
  benchmark::RegisterBenchmark("BM_FvcImpostorQuantiles", BM_FvcImpostorQuantiles,
                               std::filesystem::path(root))
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
  return true;
}();

}  // namespace
}  // namespace sijil::biometrics

BENCHMARK_MAIN();
