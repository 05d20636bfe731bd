// The audit module's tables and row decoding, shared by the writer and the verifier.
#ifndef SIJIL_AUDIT_INTERNAL_SCHEMA_H_
#define SIJIL_AUDIT_INTERNAL_SCHEMA_H_

#include "sijil/audit/audit_format.h"
#include "sijil/base/result.h"
#include "sijil/store/database.h"

namespace sijil::audit::internal {

// Creates or upgrades the audit tables (module "audit").
Status MigrateAuditSchema(store::Database& db);

// Decodes a row selected as: seq, time_us, actor, action, subject_hash, outcome, details,
// prev_hash, entry_hash.
Result<StoredEntry> ReadEntry(const store::Row& row);

}  // namespace sijil::audit::internal

#endif  // SIJIL_AUDIT_INTERNAL_SCHEMA_H_
