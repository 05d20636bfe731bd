// VerifyAuditLog: checks the whole audit chain and its signed checkpoints.
//
// Walks the entries in sequence order, recomputing each hash and link, and checks every
// checkpoint's signature with the audit public key (taken from the key store, never from the
// database an attacker could edit). It reports the first problem:
//   kModified   an entry's content differs from what its hash (or the next entry's link) says
//   kDeleted    sequence numbers are missing, or renumbered rows reveal a removed entry, or a
//               signed checkpoint covers entries that are gone (tail truncation)
//   kInserted   a foreign entry sits in the chain (its successors link past it)
//   kReordered  entries were swapped (their links point at each other's positions)
//   kBadSignature a checkpoint's signature does not verify
// Entries appended after the last checkpoint by someone who recomputes the hashes cannot be
// told from genuine ones until the next checkpoint; checkpoint often enough to bound that.
//
// Reads the log in pages, so memory stays bounded for long logs. Thread-safe (read-only).
#ifndef SIJIL_AUDIT_AUDIT_VERIFY_H_
#define SIJIL_AUDIT_AUDIT_VERIFY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sijil/base/result.h"
#include "sijil/crypto/keys.h"
#include "sijil/store/database.h"

namespace sijil::audit {

enum class TamperKind { kNone, kModified, kDeleted, kInserted, kReordered, kBadSignature };

// "none", "modified", "deleted", "inserted", "reordered", "bad_signature".
std::string_view TamperKindName(TamperKind kind);

struct VerifyReport {
  TamperKind kind = TamperKind::kNone;
  int64_t seq = 0;                  // the first affected sequence number (0 when intact)
  std::string detail;               // one sentence for operators
  int64_t entries = 0;              // entries verified before the problem (all when intact)
  int64_t checkpoints = 0;          // checkpoints whose signature verified
  int64_t last_checkpoint_seq = 0;  // newest verified checkpoint
  int64_t head_seq = 0;             // last sequence number in the log

  bool intact() const { return kind == TamperKind::kNone; }
};

struct VerifyOptions {
  int page_size = 1000;
  // How far (in entries) a moved row is looked for when classifying a problem.
  int window = 64;
};

// Fails only on store errors or a missing schema; tampering is reported in the VerifyReport.
Result<VerifyReport> VerifyAuditLog(store::Database& db, const crypto::PublicKey& key,
                                    const VerifyOptions& options = {});

}  // namespace sijil::audit

#endif  // SIJIL_AUDIT_AUDIT_VERIFY_H_
