// Database: Sijil's relational store, one interface over SQLite (the embedded default) and
// PostgreSQL (for scale-out).
//
// Callers write one SQL dialect, the portable subset described below, with `?` placeholders.
// Every statement is prepared once per pooled connection and cached by its text, so repeated
// calls cost one bind and one step. Values bind and read back as the five types of Value.
//
// Thread-safety: a Database is thread-safe; it hands each call or transaction a connection
// from its pool. A Transaction belongs to the thread running the transaction function and is
// valid only inside that function.
//
// Portable SQL subset (both backends accept it as written; the PostgreSQL backend rewrites
// `?` to `$1, $2, ...` and the type word BLOB to BYTEA, outside quotes and comments):
//  - types: BIGINT (or INTEGER, both 64-bit in SQLite), DOUBLE PRECISION, TEXT, BLOB.
//    Booleans are BIGINT 0/1; times are BIGINT (Unix milliseconds or microseconds) or TEXT
//    (RFC 3339). Other PostgreSQL types (NUMERIC, TIMESTAMP, ...) must be CAST to TEXT when
//    selected. Do not name a column `blob`.
//  - generated keys: `INTEGER PRIMARY KEY AUTOINCREMENT` (rewritten to an identity column on
//    PostgreSQL); fetch a new key with `INSERT ... RETURNING id`.
//  - INSERT ... ON CONFLICT (cols) DO NOTHING / DO UPDATE SET c = excluded.c; RETURNING;
//    CREATE TABLE / INDEX IF NOT EXISTS; LIMIT/OFFSET; standard joins and aggregates.
//  - where PostgreSQL cannot infer a parameter's type (e.g. `SELECT ? + 1`), CAST it.
//
// Isolation: SQLite transactions are serial (writers take the write lock at BEGIN). PostgreSQL
// transactions run SERIALIZABLE, so both backends give the same guarantees; conflicts surface
// as SIJ-STO-004/005 (kAborted) and RunInTransaction retries them.
//
// Status codes:
//   SIJ-STO-001 kInvalidArgument   SQL error (syntax, unknown table or column, bad parameter count)
//   SIJ-STO-002 kAlreadyExists     unique or primary-key constraint violated
//   SIJ-STO-003 kFailedPrecondition other constraint violated (foreign key, NOT NULL, CHECK)
//   SIJ-STO-004 kAborted           database busy or locked (retryable)
//   SIJ-STO-005 kAborted           serialization failure or deadlock (retryable)
//   SIJ-STO-006 kDataLoss          database file is corrupt or not a database
//   SIJ-STO-007 kUnavailable       cannot open or connect, or the connection was lost
//   SIJ-STO-008 kInternal          other database failure (I/O error, ...)
//   SIJ-STO-009 kResourceExhausted disk or database full
//   SIJ-STO-010 kInvalidArgument   bad options or URL
//   SIJ-STO-011 kInternal          a column read with the wrong type, or a NULL read as a value
//   SIJ-STO-012 kFailedPrecondition migration refused (schema newer than the code, or an applied
//                                  step was edited)
//   SIJ-STO-013 kFailedPrecondition misuse: nested transaction, or a Transaction used after it
//   ended SIJ-STO-014 kResourceExhausted no pooled connection became free in time SIJ-STO-015
//   kUnavailable       fault injected by FaultInjectingDatabase (tests only)
#ifndef SIJIL_STORE_DATABASE_H_
#define SIJIL_STORE_DATABASE_H_

#include <chrono>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sijil/base/env.h"
#include "sijil/base/result.h"
#include "sijil/base/status.h"
#include "sijil/store/value.h"

namespace sijil::store {

enum class Dialect { kSqlite, kPostgres };

std::string_view DialectName(Dialect dialect);

// True if `status` is a transient conflict (busy, lock, serialization failure) that a retry of
// the whole transaction may resolve.
bool IsRetryable(const Status& status);

// Runs statements. Implemented by Transaction (inside a transaction) and Database
// (each call its own autocommit transaction).
class Executor {
 public:
  virtual ~Executor() = default;

  virtual Dialect dialect() const = 0;

  // Runs a statement that returns rows (SELECT, or a write with RETURNING).
  Result<Rows> Query(std::string_view sql, std::initializer_list<Value> params = {}) {
    return DoQuery(sql, std::span<const Value>(params.begin(), params.size()));
  }
  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) {
    return DoQuery(sql, params);
  }

  // Runs a statement and returns the number of rows it inserted, updated or deleted.
  Result<int64_t> Execute(std::string_view sql, std::initializer_list<Value> params = {}) {
    return DoExecute(sql, std::span<const Value>(params.begin(), params.size()));
  }
  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) {
    return DoExecute(sql, params);
  }

  // Runs several `;`-separated statements without parameters (DDL, migrations).
  virtual Status ExecuteScript(std::string_view sql) = 0;

 protected:
  virtual Result<Rows> DoQuery(std::string_view sql, std::span<const Value> params) = 0;
  virtual Result<int64_t> DoExecute(std::string_view sql, std::span<const Value> params) = 0;
};

class Transaction : public Executor {
 public:
  // Registers `fn` to run once, on the calling thread, after this transaction commits (not if
  // it rolls back or is retried). Use it to wake consumers of data written here.
  virtual void AfterCommit(std::function<void()> fn) = 0;
};

struct TransactionOptions {
  // A read-only transaction takes no write lock (SQLite) and runs READ ONLY (PostgreSQL).
  bool read_only = false;
  // Total attempts when the transaction hits a retryable conflict.
  int max_attempts = 12;
};

class Database : public Executor {
 public:
  // Runs `fn` inside a transaction and commits if it returns OK; rolls back otherwise and
  // returns its Status. On a retryable conflict (IsRetryable) in `fn` or at commit, rolls
  // back, backs off (exponential with jitter, through Env) and runs `fn` again, so `fn` must
  // have no effects outside the database except through AfterCommit. Calling it again from
  // inside `fn` on the same Database fails with SIJ-STO-013 (use the Transaction given).
  virtual Status RunInTransaction(const std::function<Status(Transaction&)>& fn,
                                  const TransactionOptions& options = {}) = 0;

  // Brings `module`'s schema up to date: steps[i] (a script) is schema version i + 1. Steps
  // already applied are skipped; the rest run in one transaction with the version bump, so a
  // crash leaves the schema at the old or the new version, never between. Concurrent callers
  // (threads or processes) serialise. Fails with SIJ-STO-012 if the database is at a version
  // newer than steps.size(), or if an applied step's text changed (never edit a shipped step;
  // append a new one).
  Status Migrate(std::string_view module, std::span<const std::string_view> steps);
  Status Migrate(std::string_view module, std::initializer_list<std::string_view> steps) {
    return Migrate(module, std::span<const std::string_view>(steps.begin(), steps.size()));
  }
  // The schema version of `module` (0 if it has none).
  Result<int64_t> SchemaVersion(std::string_view module);

  // Cheap liveness check (used by /health): runs a trivial query.
  Status Ping();
};

struct SqliteOptions {
  // The database file (created if absent), or ":memory:" for a private in-memory database
  // (one connection, gone on close; for tests).
  std::filesystem::path path;
  int max_connections = 8;
  // How long a writer waits for another writer before giving up with SIJ-STO-004.
  std::chrono::milliseconds busy_timeout{5000};
  // synchronous=FULL fsyncs the write-ahead log at every commit, so a committed transaction
  // survives power loss, not only a process crash; a register must not forget an identity it
  // acknowledged. NORMAL is faster and still survives a process crash; tests may use it.
  bool synchronous_full = true;
  // How long to wait for a free pooled connection.
  std::chrono::milliseconds acquire_timeout{30000};
};

// Opens (creating if needed) a SQLite database in WAL mode with foreign keys on. A file that
// is not a database, or is damaged, fails with SIJ-STO-006 (kDataLoss).
Result<std::unique_ptr<Database>> OpenSqlite(const SqliteOptions& options,
                                             Env& env = Env::Default());

struct PostgresOptions {
  // libpq connection string or URI ("host=/run/x dbname=sijil", "postgresql://u@h/db").
  std::string conninfo;
  int max_connections = 8;
  std::chrono::milliseconds acquire_timeout{30000};
};

// Connects to PostgreSQL (one connection at once, to fail fast; the rest on demand).
Result<std::unique_ptr<Database>> OpenPostgres(const PostgresOptions& options,
                                               Env& env = Env::Default());

// Opens by URL: "sqlite:PATH" (PATH may be relative), "postgresql://..." or "postgres://...".
Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url, Env& env = Env::Default());

}  // namespace sijil::store

#endif  // SIJIL_STORE_DATABASE_H_
