// Throughput of the embedded bus on SQLite: publish (one transaction each), and the full
// consume cycle (fetch a batch, acknowledge each message).
//
// bench_bus_bus [--json] [Google Benchmark flags]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "sijil/base/env.h"
#include "sijil/bus/bus.h"
#include "sijil/bus/store_bus.h"
#include "sijil/store/database.h"

namespace sijil::bus {
namespace {

void Check(const Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "bench failed: %s\n", s.ToString().c_str());
    std::abort();
  }
}

struct Fixture {
  Fixture() : dir(std::move(TempDir::Create("sijil-bus-bench-").value())) {
    store::SqliteOptions options;
    options.path = dir.path() / "bus.db";
    options.synchronous_full = false;
    auto opened = store::OpenSqlite(options);
    Check(opened.status());
    db = std::move(opened).value();
    auto b = OpenStoreBus(*db);
    Check(b.status());
    bus = std::move(b).value();
    Check(bus->Subscribe("bench", "workers"));
  }
  TempDir dir;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<Bus> bus;
};

const std::string kPayload(1024, 'x');

void BM_Publish(benchmark::State& state) {
  Fixture f;
  for (auto _ : state) Check(f.bus->Publish({.topic = "bench", .payload = kPayload}).status());
  state.SetItemsProcessed(state.iterations());
}

// Publishes `batch` messages (untimed), then times fetching and acknowledging them.
void BM_FetchAck(benchmark::State& state) {
  Fixture f;
  const int batch = static_cast<int>(state.range(0));
  int64_t done = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Check(f.db->RunInTransaction([&](store::Transaction& tx) -> Status {
      for (int i = 0; i < batch; ++i) {
        SIJIL_RETURN_IF_ERROR(f.bus->Publish(tx, {.topic = "bench", .payload = kPayload}).status());
      }
      return Status::Ok();
    }));
    state.ResumeTiming();
    auto ds = f.bus->Fetch("bench", "workers", batch);
    Check(ds.status());
    for (const Delivery& d : *ds) Check(f.bus->Ack(d));
    done += static_cast<int64_t>(ds->size());
  }
  state.SetItemsProcessed(done);
}

BENCHMARK(BM_Publish);
BENCHMARK(BM_FetchAck)->Arg(1)->Arg(16);

}  // namespace
}  // namespace sijil::bus

int main(int argc, char** argv) {
  std::vector<char*> args;
  static char kJson[] = "--benchmark_format=json";
  for (int i = 0; i < argc; ++i)
    args.push_back(std::strcmp(argv[i], "--json") == 0 ? kJson : argv[i]);
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
