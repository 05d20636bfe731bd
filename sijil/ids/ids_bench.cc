// UIN generation, validation and allocation throughput.
//
//   build/default/bench/bench_ids_ids [--benchmark_format=json]
//
// Allocation runs on a SQLite file in a temporary directory (synchronous=FULL, as in
// production, and NORMAL) and, when the PostgreSQL server binaries are installed, on a
// throwaway PostgreSQL cluster (fsync off: it measures the code path, not the disk).
#include <benchmark/benchmark.h>

#include <memory>

#include "sijil/base/env.h"
#include "sijil/ids/generator.h"
#include "sijil/ids/identifiers.h"
#include "sijil/ids/uin_pool.h"
#include "sijil/ids/verhoeff.h"
#include "sijil/store/test_databases.h"

namespace sijil::ids {
namespace {

void BM_GenerateUin(benchmark::State& state) {
  auto gen = IdGenerator::Create(IdType::kUin, {}, Env::Default());
  for (auto _ : state) {
    auto uin = gen->Next();
    benchmark::DoNotOptimize(uin);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GenerateUin);

void BM_GenerateVid(benchmark::State& state) {
  auto gen = IdGenerator::Create(IdType::kVid, {}, Env::Default());
  for (auto _ : state) {
    auto vid = gen->Next();
    benchmark::DoNotOptimize(vid);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GenerateVid);

void BM_ValidateUin(benchmark::State& state) {
  auto gen = IdGenerator::Create(IdType::kUin, {}, Env::Default());
  auto uins = gen->Next(1024);
  size_t i = 0;
  for (auto _ : state) {
    Verdict v = CheckUin((*uins)[i++ & 1023]);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateUin);

void BM_VerhoeffCheckDigit(benchmark::State& state) {
  for (auto _ : state) {
    auto c = VerhoeffCheckDigit("209421502");
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerhoeffCheckDigit);

UinPoolSettings BenchPoolSettings() {
  UinPoolSettings s;
  s.low_water_mark = 0;
  s.refill_count = 1000;
  s.insert_batch = 1000;
  return s;
}

// Allocation: each iteration issues one UIN in its own transaction. The pool is topped up
// outside the timed region.
void RunAllocate(benchmark::State& state, store::Database& db) {
  auto pool = UinPool::Open(db, Env::Default(), BenchPoolSettings());
  if (!pool.ok()) {
    state.SkipWithError(pool.status().ToString().c_str());
    return;
  }
  int64_t left = 0;
  for (auto _ : state) {
    if (left == 0) {
      state.PauseTiming();
      left = (*pool)->Refill(5000).value_or(0);
      state.ResumeTiming();
    }
    auto uin = (*pool)->Allocate();
    if (!uin.ok()) {
      state.SkipWithError(uin.status().ToString().c_str());
      return;
    }
    --left;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_AllocateUinSqlite(benchmark::State& state) {
  auto dir = TempDir::Create("sijil-bench-");
  store::SqliteOptions options;
  options.path = dir->path() / "bench.db";
  options.synchronous_full = state.range(0) != 0;
  auto db = store::OpenSqlite(options);
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return;
  }
  RunAllocate(state, **db);
}
BENCHMARK(BM_AllocateUinSqlite)->ArgName("sync_full")->Arg(1)->Arg(0)->UseRealTime();

void BM_AllocateUinPostgres(benchmark::State& state) {
  if (!store::testing::PostgresSkipReason().empty()) {
    state.SkipWithError("PostgreSQL binaries not installed");
    return;
  }
  auto db = store::testing::OpenTestPostgres(Env::Default());
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return;
  }
  RunAllocate(state, **db);
}
BENCHMARK(BM_AllocateUinPostgres)->UseRealTime();

// Refill: generating and inserting new UINs, per UIN.
void BM_RefillSqlite(benchmark::State& state) {
  auto dir = TempDir::Create("sijil-bench-");
  store::SqliteOptions options;
  options.path = dir->path() / "bench.db";
  auto db = store::OpenSqlite(options);
  auto pool = UinPool::Open(**db, Env::Default(), BenchPoolSettings());
  for (auto _ : state) {
    auto added = (*pool)->Refill(1000);
    benchmark::DoNotOptimize(added);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_RefillSqlite)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace sijil::ids

BENCHMARK_MAIN();
