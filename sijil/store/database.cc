#include "sijil/store/database.h"

#include <cstdio>

namespace sijil::store {
namespace {

constexpr std::string_view kMigrationsTable =
    "CREATE TABLE IF NOT EXISTS sijil_schema_migrations ("
    " module TEXT NOT NULL,"
    " version BIGINT NOT NULL,"
    " checksum TEXT NOT NULL,"
    " PRIMARY KEY (module, version))";

// A stable fingerprint of a migration step, to notice a shipped step being edited.
std::string Checksum(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

Status MigrationError(std::string message) {
  return Status::FailedPrecondition("SIJ-STO-012", std::move(message));
}

}  // namespace

std::string_view DialectName(Dialect dialect) {
  return dialect == Dialect::kSqlite ? "sqlite" : "postgresql";
}

bool IsRetryable(const Status& status) {
  return status.kind() == StatusKind::kAborted &&
         (status.code() == "SIJ-STO-004" || status.code() == "SIJ-STO-005");
}

Status Database::Migrate(std::string_view module, std::span<const std::string_view> steps) {
  if (module.empty()) {
    return Status::InvalidArgument("SIJ-STO-010", "migration module name is empty");
  }
  // Concurrent creators may race on the catalogue (PostgreSQL reports a unique violation);
  // the table exists either way.
  Status created = ExecuteScript(kMigrationsTable);
  if (!created.ok() && created.kind() != StatusKind::kAlreadyExists) return created;

  const std::string name(module);
  return RunInTransaction([&](Transaction& tx) -> Status {
    if (tx.dialect() == Dialect::kPostgres) {
      // Serialise migrators. LOCK TABLE takes no snapshot, so the rows read next include
      // whatever the previous holder committed.
      SIJIL_RETURN_IF_ERROR(
          tx.ExecuteScript("LOCK TABLE sijil_schema_migrations IN SHARE ROW EXCLUSIVE MODE"));
    }
    SIJIL_ASSIGN_OR_RETURN(
        Rows applied,
        tx.Query("SELECT version, checksum FROM sijil_schema_migrations WHERE module = ? "
                 "ORDER BY version",
                 {name}));
    if (applied.size() > steps.size()) {
      return MigrationError("the schema of module '" + name + "' is at version " +
                            std::to_string(applied.size()) + ", newer than this program (" +
                            std::to_string(steps.size()) + "); upgrade the program");
    }
    for (size_t i = 0; i < applied.size(); ++i) {
      SIJIL_ASSIGN_OR_RETURN(int64_t version, applied[i].GetInt64(0));
      SIJIL_ASSIGN_OR_RETURN(std::string sum, applied[i].GetText(1));
      if (version != static_cast<int64_t>(i + 1)) {
        return MigrationError("the migration history of module '" + name +
                              "' has a gap before version " + std::to_string(version));
      }
      if (sum != Checksum(steps[i])) {
        return MigrationError("migration step " + std::to_string(i + 1) + " of module '" + name +
                              "' was changed after it was applied; add a new step instead");
      }
    }
    for (size_t i = applied.size(); i < steps.size(); ++i) {
      Status s = tx.ExecuteScript(steps[i]);
      if (!s.ok()) {
        return s.WithContext("migration step " + std::to_string(i + 1) + " of module '" + name +
                             "'");
      }
      SIJIL_RETURN_IF_ERROR(
          tx.Execute("INSERT INTO sijil_schema_migrations (module, version, checksum) "
                     "VALUES (?, ?, ?)",
                     {name, static_cast<int64_t>(i + 1), Checksum(steps[i])})
              .status());
    }
    return Status::Ok();
  });
}

Result<int64_t> Database::SchemaVersion(std::string_view module) {
  Status created = ExecuteScript(kMigrationsTable);
  if (!created.ok() && created.kind() != StatusKind::kAlreadyExists) return created;
  SIJIL_ASSIGN_OR_RETURN(Rows rows,
                         Query("SELECT COUNT(*) FROM sijil_schema_migrations WHERE module = ?",
                               {std::string(module)}));
  return rows[0].GetInt64(0);
}

Status Database::Ping() { return Query("SELECT 1").status(); }

Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url, Env& env) {
  if (url.starts_with("sqlite:")) {
    SqliteOptions options;
    options.path = std::string(url.substr(7));
    if (options.path.empty()) {
      return Status::InvalidArgument("SIJ-STO-010", "database URL 'sqlite:' names no file");
    }
    return OpenSqlite(options, env);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    PostgresOptions options;
    options.conninfo = std::string(url);
    return OpenPostgres(options, env);
  }
  return Status::InvalidArgument(
      "SIJ-STO-010",
      "database URL must start with sqlite: or postgresql:// (got a URL of another kind)");
}

}  // namespace sijil::store
