// Point insert and point read through sijil::store, next to the same statements issued with the
// raw client library (sqlite3, libpq) on the same database settings, so the layer's overhead
// shows as the ratio of the two.
//
// bench_store_store [--json] [Google Benchmark flags]
// SQLite runs with synchronous=NORMAL (FULL adds one fsync of the WAL per commit, which measures
// the disk, not the code). PostgreSQL runs on a throwaway local cluster over a unix socket with
// fsync off, for the same reason. PostgreSQL figures are per wall-clock second (the client's
// CPU time leaves out the server's work).
#include <benchmark/benchmark.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "sijil/base/env.h"
#include "sijil/store/database.h"
#include "sijil/store/pg_test_cluster.h"
#include "sijil/store/test_databases.h"

namespace sijil::store {
namespace {

constexpr int kPreloaded = 10000;
const std::string kPayload(100, 'p');

void Check(const Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "bench setup failed: %s\n", s.ToString().c_str());
    std::abort();
  }
}

std::unique_ptr<Database> Preloaded(std::unique_ptr<Database> db) {
  Check(db->ExecuteScript("CREATE TABLE kv (k BIGINT PRIMARY KEY, v TEXT NOT NULL)"));
  Check(db->RunInTransaction([](Transaction& tx) -> Status {
    for (int i = 0; i < kPreloaded; ++i) {
      SIJIL_RETURN_IF_ERROR(
          tx.Execute("INSERT INTO kv (k, v) VALUES (?, ?)", {i, kPayload}).status());
    }
    return Status::Ok();
  }));
  return db;
}

struct SqliteFixture {
  SqliteFixture() : dir(std::move(TempDir::Create("sijil-bench-").value())) {
    SqliteOptions options;
    options.path = dir.path() / "bench.db";
    options.synchronous_full = false;
    auto opened = OpenSqlite(options);
    Check(opened.status());
    db = Preloaded(std::move(opened).value());
  }
  TempDir dir;
  std::unique_ptr<Database> db;
};

std::unique_ptr<Database> OpenPg() {
  auto opened = testing::OpenTestPostgres(Env::Default());
  Check(opened.status());
  return Preloaded(std::move(opened).value());
}

void BM_SqliteInsert(benchmark::State& state) {
  SqliteFixture f;
  int64_t k = kPreloaded;
  for (auto _ : state) {
    Check(f.db->Execute("INSERT INTO kv (k, v) VALUES (?, ?)", {k++, kPayload}).status());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SqliteInsertInTransaction(benchmark::State& state) {
  SqliteFixture f;
  int64_t k = kPreloaded;
  for (auto _ : state) {
    Check(f.db->RunInTransaction([&](Transaction& tx) {
      return tx.Execute("INSERT INTO kv (k, v) VALUES (?, ?)", {k++, kPayload}).status();
    }));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SqliteRead(benchmark::State& state) {
  SqliteFixture f;
  SimulatedEnv env(1);
  for (auto _ : state) {
    auto rows = f.db->Query("SELECT v FROM kv WHERE k = ?",
                            {static_cast<int64_t>(env.RandomUniform(kPreloaded))});
    Check(rows.status());
    benchmark::DoNotOptimize(rows->size());
  }
  state.SetItemsProcessed(state.iterations());
}

// The raw library on the same file and pragmas.
struct RawSqlite {
  RawSqlite() : dir(std::move(TempDir::Create("sijil-bench-").value())) {
    sqlite3_open((dir.path() / "raw.db").c_str(), &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                 "CREATE TABLE kv (k BIGINT PRIMARY KEY, v TEXT NOT NULL); BEGIN;",
                 nullptr, nullptr, nullptr);
    sqlite3_prepare_v2(db, "INSERT INTO kv (k, v) VALUES (?, ?)", -1, &insert, nullptr);
    for (int i = 0; i < kPreloaded; ++i) Insert(i);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_prepare_v2(db, "SELECT v FROM kv WHERE k = ?", -1, &select, nullptr);
  }
  ~RawSqlite() {
    sqlite3_finalize(insert);
    sqlite3_finalize(select);
    sqlite3_close(db);
  }
  void Insert(int64_t k) {
    sqlite3_bind_int64(insert, 1, k);
    sqlite3_bind_text(insert, 2, kPayload.data(), static_cast<int>(kPayload.size()), SQLITE_STATIC);
    if (sqlite3_step(insert) != SQLITE_DONE) std::abort();
    sqlite3_reset(insert);
  }
  TempDir dir;
  sqlite3* db = nullptr;
  sqlite3_stmt* insert = nullptr;
  sqlite3_stmt* select = nullptr;
};

void BM_RawSqliteInsert(benchmark::State& state) {
  RawSqlite raw;
  int64_t k = kPreloaded;
  for (auto _ : state) raw.Insert(k++);
  state.SetItemsProcessed(state.iterations());
}

void BM_RawSqliteRead(benchmark::State& state) {
  RawSqlite raw;
  SimulatedEnv env(1);
  for (auto _ : state) {
    sqlite3_bind_int64(raw.select, 1, static_cast<int64_t>(env.RandomUniform(kPreloaded)));
    if (sqlite3_step(raw.select) != SQLITE_ROW) std::abort();
    std::string v(reinterpret_cast<const char*>(sqlite3_column_text(raw.select, 0)),
                  sqlite3_column_bytes(raw.select, 0));
    benchmark::DoNotOptimize(v);
    sqlite3_reset(raw.select);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_PostgresInsert(benchmark::State& state) {
  auto db = OpenPg();
  int64_t k = kPreloaded;
  for (auto _ : state) {
    Check(db->Execute("INSERT INTO kv (k, v) VALUES (?, ?)", {k++, kPayload}).status());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_PostgresInsertInTransaction(benchmark::State& state) {
  auto db = OpenPg();
  int64_t k = kPreloaded;
  for (auto _ : state) {
    Check(db->RunInTransaction([&](Transaction& tx) {
      return tx.Execute("INSERT INTO kv (k, v) VALUES (?, ?)", {k++, kPayload}).status();
    }));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_PostgresRead(benchmark::State& state) {
  auto db = OpenPg();
  SimulatedEnv env(1);
  for (auto _ : state) {
    auto rows = db->Query("SELECT v FROM kv WHERE k = ?",
                          {static_cast<int64_t>(env.RandomUniform(kPreloaded))});
    Check(rows.status());
    benchmark::DoNotOptimize(rows->size());
  }
  state.SetItemsProcessed(state.iterations());
}

// libpq with a prepared statement, text parameters and binary results, as the layer uses.
struct RawPg {
  RawPg() {
    auto cluster = testing::SharedPgCluster();
    Check(cluster.status());
    auto conninfo = (*cluster)->CreateDatabase();
    Check(conninfo.status());
    conn = PQconnectdb(conninfo->c_str());
    if (PQstatus(conn) != CONNECTION_OK) std::abort();
    PQclear(PQexec(conn, "CREATE TABLE kv (k BIGINT PRIMARY KEY, v TEXT NOT NULL)"));
    PQclear(PQprepare(conn, "ins", "INSERT INTO kv (k, v) VALUES ($1, $2)", 0, nullptr));
    PQclear(PQprepare(conn, "sel", "SELECT v FROM kv WHERE k = $1", 0, nullptr));
    PQclear(PQexec(conn, "BEGIN"));
    for (int i = 0; i < kPreloaded; ++i) Insert(i);
    PQclear(PQexec(conn, "COMMIT"));
  }
  ~RawPg() { PQfinish(conn); }
  void Insert(int64_t k) {
    const std::string key = std::to_string(k);
    const char* values[2] = {key.c_str(), kPayload.c_str()};
    PGresult* res = PQexecPrepared(conn, "ins", 2, values, nullptr, nullptr, 1);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) std::abort();
    PQclear(res);
  }
  PGconn* conn = nullptr;
};

void BM_RawPostgresInsert(benchmark::State& state) {
  RawPg raw;
  int64_t k = kPreloaded;
  for (auto _ : state) raw.Insert(k++);
  state.SetItemsProcessed(state.iterations());
}

void BM_RawPostgresRead(benchmark::State& state) {
  RawPg raw;
  SimulatedEnv env(1);
  for (auto _ : state) {
    const std::string key = std::to_string(env.RandomUniform(kPreloaded));
    const char* values[1] = {key.c_str()};
    PGresult* res = PQexecPrepared(raw.conn, "sel", 1, values, nullptr, nullptr, 1);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) std::abort();
    std::string v(PQgetvalue(res, 0, 0), PQgetlength(res, 0, 0));
    benchmark::DoNotOptimize(v);
    PQclear(res);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_SqliteInsert);
BENCHMARK(BM_RawSqliteInsert);
BENCHMARK(BM_SqliteInsertInTransaction);
BENCHMARK(BM_SqliteRead);
BENCHMARK(BM_RawSqliteRead);

bool PostgresAvailable() { return testing::PostgresSkipReason().empty(); }

}  // namespace
}  // namespace sijil::store

int main(int argc, char** argv) {
  std::vector<char*> args;
  static char kJson[] = "--benchmark_format=json";
  for (int i = 0; i < argc; ++i) {
    args.push_back(std::strcmp(argv[i], "--json") == 0 ? kJson : argv[i]);
  }
  if (sijil::store::PostgresAvailable()) {
    using namespace sijil::store;  // NOLINT: registration list
    benchmark::RegisterBenchmark("BM_PostgresInsert", BM_PostgresInsert)->UseRealTime();
    benchmark::RegisterBenchmark("BM_RawPostgresInsert", BM_RawPostgresInsert)->UseRealTime();
    benchmark::RegisterBenchmark("BM_PostgresInsertInTransaction", BM_PostgresInsertInTransaction)
        ->UseRealTime();
    benchmark::RegisterBenchmark("BM_PostgresRead", BM_PostgresRead)->UseRealTime();
    benchmark::RegisterBenchmark("BM_RawPostgresRead", BM_RawPostgresRead)->UseRealTime();
  } else {
    std::fprintf(stderr, "%s: PostgreSQL benchmarks skipped\n",
                 sijil::store::testing::PostgresSkipReason().c_str());
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
