#include "sijil/audit/internal/schema.h"

namespace sijil::audit::internal {
namespace {

// Schema version 1 of module "audit". Never edit a shipped step; append a new one.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  time_us BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject_hash TEXT NOT NULL,
  outcome TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  entry_hash BLOB NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_hash, seq);
CREATE TABLE audit_checkpoint (
  seq BIGINT PRIMARY KEY,
  entry_hash BLOB NOT NULL,
  time_us BIGINT NOT NULL,
  key_label TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  signature BLOB NOT NULL
);
)sql";

}  // namespace

Status MigrateAuditSchema(store::Database& db) { return db.Migrate("audit", {kSchemaV1}); }

Result<StoredEntry> ReadEntry(const store::Row& row) {
  StoredEntry e;
  SIJIL_ASSIGN_OR_RETURN(e.seq, row.GetInt64(0));
  SIJIL_ASSIGN_OR_RETURN(e.time_us, row.GetInt64(1));
  SIJIL_ASSIGN_OR_RETURN(e.actor, row.GetText(2));
  SIJIL_ASSIGN_OR_RETURN(e.action, row.GetText(3));
  SIJIL_ASSIGN_OR_RETURN(e.subject_hash, row.GetText(4));
  SIJIL_ASSIGN_OR_RETURN(e.outcome, row.GetText(5));
  SIJIL_ASSIGN_OR_RETURN(e.details, row.GetText(6));
  SIJIL_ASSIGN_OR_RETURN(e.prev_hash, row.GetBlob(7));
  SIJIL_ASSIGN_OR_RETURN(e.entry_hash, row.GetBlob(8));
  return e;
}

}  // namespace sijil::audit::internal
