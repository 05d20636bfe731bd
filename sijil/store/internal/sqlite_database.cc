// The SQLite backend: one sqlite3 handle per pooled connection, opened in WAL mode.
#include <sqlite3.h>

#include <cstring>
#include <string>
#include <unordered_map>

#include "sijil/store/database.h"
#include "sijil/store/internal/connection.h"

namespace sijil::store {
namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Maps a SQLite result code (extended codes are on) to our Status.
Status SqliteError(int rc, sqlite3* db, const std::string& path) {
  const std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Status::AlreadyExists("SIJ-STO-002", message);
      }
      return Status::FailedPrecondition("SIJ-STO-003", message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Aborted("SIJ-STO-004", "database is busy: " + message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::DataLoss("SIJ-STO-006", "database file is corrupt or not a database: " + path);
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return Status::Unavailable("SIJ-STO-007",
                                 "cannot open database file " + path + ": " + message);
    case SQLITE_FULL:
      return Status::ResourceExhausted("SIJ-STO-009", "database or disk is full: " + path);
    case SQLITE_ERROR:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
      return Status::InvalidArgument("SIJ-STO-001", "SQL error: " + message);
    default:
      return Status::Internal("SIJ-STO-008", "database error: " + message);
  }
}

Status CheckText(const Value& v) {
  if (v.type() == ValueType::kText && std::memchr(v.text().data(), 0, v.text().size())) {
    // PostgreSQL text cannot hold NUL; refuse on both backends so behaviour matches.
    return Status::InvalidArgument("SIJ-STO-001",
                                   "text parameter contains a NUL byte; bind it as a blob");
  }
  return Status::Ok();
}

class SqliteConnection final : public internal::Connection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  static Result<std::unique_ptr<internal::Connection>> Open(const SqliteOptions& options) {
    const std::string path = options.path.string();
    sqlite3* db = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      Status s = SqliteError(rc, db, path);
      sqlite3_close_v2(db);
      return s;
    }
    auto conn = std::make_unique<SqliteConnection>(db, path);
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
    // journal_mode reads the header, so a damaged or foreign file fails here, at open.
    SIJIL_RETURN_IF_ERROR(conn->ExecuteScript("PRAGMA journal_mode=WAL"));
    SIJIL_RETURN_IF_ERROR(
        conn->ExecuteScript(std::string("PRAGMA foreign_keys=ON; PRAGMA synchronous=") +
                            (options.synchronous_full ? "FULL" : "NORMAL")));
    return std::unique_ptr<internal::Connection>(std::move(conn));
  }

  Result<Rows> Query(std::string_view sql, std::span<const Value> params) override {
    return Run(sql, params, /*collect=*/true);
  }

  Result<int64_t> Execute(std::string_view sql, std::span<const Value> params) override {
    SIJIL_RETURN_IF_ERROR(Run(sql, params, /*collect=*/false).status());
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  Status ExecuteScript(std::string_view sql) override {
    const std::string text(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) return SqliteError(sqlite3_extended_errcode(db_), db_, path_);
    return Status::Ok();
  }

  Status Begin(bool read_only) override {
    // A writer takes the write lock at BEGIN: taking it later (upgrading a read) can fail
    // with SQLITE_BUSY that no wait resolves.
    return Execute(read_only ? "BEGIN" : "BEGIN IMMEDIATE", {}).status();
  }
  Status Commit() override { return Execute("COMMIT", {}).status(); }
  void Rollback() override {
    if (sqlite3_get_autocommit(db_) == 0) {
      (void)Execute("ROLLBACK", {});
    }
  }
  bool Healthy() override { return sqlite3_get_autocommit(db_) != 0; }

 private:
  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second;
    if (cache_.size() >= kMaxCached) {
      for (auto& [text, stmt] : cache_) sqlite3_finalize(stmt);
      cache_.clear();
    }
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) return SqliteError(sqlite3_extended_errcode(db_), db_, path_);
    if (stmt == nullptr) {
      return Status::InvalidArgument("SIJ-STO-001", "SQL error: empty statement");
    }
    for (const char* p = tail; p < sql.data() + sql.size(); ++p) {
      if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r' && *p != ';') {
        sqlite3_finalize(stmt);
        return Status::InvalidArgument(
            "SIJ-STO-001", "SQL error: more than one statement; use ExecuteScript for scripts");
      }
    }
    cache_.emplace(std::string(sql), stmt);
    return stmt;
  }

  Result<Rows> Run(std::string_view sql, std::span<const Value> params, bool collect) {
    SIJIL_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{stmt};
    const int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(params.size())) {
      return Status::InvalidArgument("SIJ-STO-001",
                                     "SQL error: statement takes " + std::to_string(expected) +
                                         " parameters, got " + std::to_string(params.size()));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      const int idx = static_cast<int>(i + 1);
      int rc = SQLITE_OK;
      switch (v.type()) {
        case ValueType::kNull:
          rc = sqlite3_bind_null(stmt, idx);
          break;
        case ValueType::kInt64:
          rc = sqlite3_bind_int64(stmt, idx, v.int64());
          break;
        case ValueType::kDouble:
          rc = sqlite3_bind_double(stmt, idx, v.dbl());
          break;
        case ValueType::kText:
          SIJIL_RETURN_IF_ERROR(CheckText(v));
          rc = sqlite3_bind_text64(stmt, idx, v.text().data(), v.text().size(), SQLITE_STATIC,
                                   SQLITE_UTF8);
          break;
        case ValueType::kBlob:
          // A zero-length blob with a null pointer would bind NULL; bind an empty blob.
          rc = v.blob().empty() ? sqlite3_bind_zeroblob(stmt, idx, 0)
                                : sqlite3_bind_blob64(stmt, idx, v.blob().data(), v.blob().size(),
                                                      SQLITE_STATIC);
          break;
      }
      if (rc != SQLITE_OK) return SqliteError(rc, db_, path_);
    }
    std::vector<std::string> columns;
    std::vector<Row> rows;
    const int ncol = sqlite3_column_count(stmt);
    if (collect) {
      columns.reserve(ncol);
      for (int c = 0; c < ncol; ++c) columns.emplace_back(sqlite3_column_name(stmt, c));
    }
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return SqliteError(sqlite3_extended_errcode(db_), db_, path_);
      if (!collect) continue;
      std::vector<Value> values;
      values.reserve(ncol);
      for (int c = 0; c < ncol; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER:
            values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            values.emplace_back(sqlite3_column_double(stmt, c));
            break;
          case SQLITE_TEXT: {
            const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            values.emplace_back(std::string(p, sqlite3_column_bytes(stmt, c)));
            break;
          }
          case SQLITE_BLOB: {
            const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, c));
            const int n = sqlite3_column_bytes(stmt, c);
            values.emplace_back(p == nullptr ? Bytes() : Bytes(p, p + n));
            break;
          }
          default:
            values.emplace_back();
            break;
        }
      }
      rows.emplace_back(std::move(values));
    }
    return Rows(std::move(columns), std::move(rows));
  }

  static constexpr size_t kMaxCached = 256;
  sqlite3* db_;
  const std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> cache_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const SqliteOptions& options, Env& env) {
  if (options.path.empty()) {
    return Status::InvalidArgument("SIJ-STO-010", "SQLite database path is empty");
  }
  SqliteOptions opts = options;
  // Each connection to ":memory:" would be a different database.
  if (opts.path == ":memory:") opts.max_connections = 1;
  auto db = std::make_unique<internal::PooledDatabase>(
      Dialect::kSqlite, [opts] { return SqliteConnection::Open(opts); }, opts.max_connections,
      opts.acquire_timeout, env);
  SIJIL_RETURN_IF_ERROR(db->Warm());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace sijil::store
