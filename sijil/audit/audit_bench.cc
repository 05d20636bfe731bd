// Audit log append and verify throughput.
//
//   build/default/bench/bench_audit_audit [--benchmark_format=json]
//
// SQLite file in a temporary directory, synchronous=NORMAL; Ed25519 audit key in an in-memory
// key store; a checkpoint every 1000 entries. With several threads, Record() batches concurrent
// callers into one transaction (group commit).
#include <benchmark/benchmark.h>

#include <memory>

#include "sijil/audit/audit_log.h"
#include "sijil/audit/audit_verify.h"
#include "sijil/crypto/memory_key_store.h"
#include "sijil/store/database.h"

namespace sijil::audit {
namespace {

struct Fixture {
  Fixture() {
    dir = std::make_unique<TempDir>(std::move(TempDir::Create("sijil-audit-bench-")).value());
    store::SqliteOptions options;
    options.path = dir->path() / "audit.db";
    options.synchronous_full = false;
    db = std::move(store::OpenSqlite(options)).value();
    key = std::make_unique<AuditKey>(EnsureAuditKey(keys).value());
    signer = std::make_unique<crypto::KeyStoreSigner>(keys, key->label, key->algorithm);
    log = std::move(AuditLog::Open(*db, Env::Default(), *signer, key->label,
                                   DeriveSubjectKey(*signer).value()))
              .value();
  }
  std::unique_ptr<TempDir> dir;
  std::unique_ptr<store::Database> db;
  crypto::InMemoryKeyStore keys;
  std::unique_ptr<AuditKey> key;
  std::unique_ptr<crypto::KeyStoreSigner> signer;
  std::unique_ptr<AuditLog> log;
};

Fixture* shared = nullptr;

void BM_Record(benchmark::State& state) {
  if (state.thread_index() == 0) shared = new Fixture();
  // Other threads wait for the fixture at the first iteration barrier.
  const AuditEvent event{"operator-1", "uin.allocate", "2094215024", Outcome::kSuccess,
                         "{\"rid\":\"10001100771006920220128223618\"}"};
  for (auto _ : state) {
    auto seq = shared->log->Record(event);
    if (!seq.ok()) state.SkipWithError(seq.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete shared;
    shared = nullptr;
  }
}
BENCHMARK(BM_Record)->Threads(1)->Threads(8)->UseRealTime();

void BM_Verify(benchmark::State& state) {
  Fixture f;
  const AuditEvent event{"operator-1", "uin.allocate", "2094215024", Outcome::kSuccess, ""};
  for (int64_t i = 0; i < state.range(0); ++i) (void)f.log->Record(event);
  for (auto _ : state) {
    auto report = VerifyAuditLog(*f.db, f.key->public_key);
    if (!report.ok() || !report->intact()) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Verify)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace sijil::audit

BENCHMARK_MAIN();
