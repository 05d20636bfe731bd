// Databases for tests of any module: a SQLite file in a temporary directory, or a fresh
// database on a PostgreSQL test cluster shared by the whole test binary.
//
// Header-only so that only test binaries pull it in. Thread-safe.
#ifndef SIJIL_STORE_TEST_DATABASES_H_
#define SIJIL_STORE_TEST_DATABASES_H_

#include <memory>
#include <mutex>
#include <string>

#include "sijil/base/env.h"
#include "sijil/store/database.h"
#include "sijil/store/pg_test_cluster.h"

namespace sijil::store::testing {

// The cluster shared by every PostgreSQL test in this process; started on first use, stopped
// at exit. Returns the start failure (or "binaries absent") on every call if it cannot start.
inline Result<PgTestCluster*> SharedPgCluster() {
  static std::mutex mu;
  static std::unique_ptr<PgTestCluster> cluster;
  static Status failure;
  std::lock_guard<std::mutex> lock(mu);
  if (cluster != nullptr) return cluster.get();
  if (!failure.ok()) return failure;
  auto started = PgTestCluster::Start();
  if (!started.ok()) {
    failure = started.status();
    return failure;
  }
  cluster = std::move(started).value();
  return cluster.get();
}

// Why PostgreSQL tests must skip, or "" if they can run. They skip only when the server
// binaries are absent; a cluster that fails to start is a test failure, not a skip.
inline std::string PostgresSkipReason() {
  if (PgTestCluster::Available()) return "";
  return "PostgreSQL server binaries not found in " + PgTestCluster::BinDir().string() +
         " (install the postgresql package or set SIJIL_PG_BIN)";
}

// A SQLite database in `dir` (synchronous=NORMAL: tests need no power-loss durability).
inline Result<std::unique_ptr<Database>> OpenTestSqlite(const TempDir& dir, Env& env,
                                                        const std::string& name = "test.db") {
  SqliteOptions options;
  options.path = dir.path() / name;
  options.synchronous_full = false;
  return OpenSqlite(options, env);
}

// A fresh, empty database on the shared cluster.
inline Result<std::unique_ptr<Database>> OpenTestPostgres(Env& env, int max_connections = 8) {
  SIJIL_ASSIGN_OR_RETURN(PgTestCluster * cluster, SharedPgCluster());
  SIJIL_ASSIGN_OR_RETURN(std::string conninfo, cluster->CreateDatabase());
  PostgresOptions options;
  options.conninfo = conninfo;
  options.max_connections = max_connections;
  return OpenPostgres(options, env);
}

// Typed-test backends: `B::Skip()` says why to skip ("" to run), `b.Open(env)` opens a fresh
// database that lives as long as `b`.
struct SqliteBackend {
  static std::string Skip() { return ""; }
  Result<std::unique_ptr<Database>> Open(Env& env) {
    auto d = TempDir::Create("sijil-store-");
    if (!d.ok()) return d.status();
    dir = std::make_unique<TempDir>(std::move(d).value());
    return OpenTestSqlite(*dir, env);
  }
  std::unique_ptr<TempDir> dir;
};

struct PostgresBackend {
  static std::string Skip() { return PostgresSkipReason(); }
  Result<std::unique_ptr<Database>> Open(Env& env) { return OpenTestPostgres(env); }
};

}  // namespace sijil::store::testing

#endif  // SIJIL_STORE_TEST_DATABASES_H_
