// AuditLog: Sijil's append-only, hash-chained, tamper-evident log of security-relevant actions.
//
// Each entry holds a sequence number (1, 2, 3, ... assigned inside the appending transaction),
// the time (from Env), the actor, the action, the subject as a keyed hash (never the raw UIN,
// VID or RID), the outcome, free-text details (which must hold no personal data), the hash of
// the previous entry and its own hash: SHA-256 over a canonical, length-prefixed encoding of
// all of these (audit_format.h). Every `checkpoint_every` entries, and on demand, a checkpoint
// (sequence number + entry hash + time) is signed with the audit key, which lives in the key
// store (HSM) and never in the database. VerifyAuditLog (audit_verify.h) checks the chain and
// the signatures and names the first entry that was modified, deleted, inserted or reordered.
//
// Cost: Record() batches concurrent callers into one transaction (group commit), so many
// threads logging at once share one commit; Record(tx, ...) joins the caller's transaction so
// an action and its audit entry commit together.
//
// Status codes:
//   SIJ-AUD-001 kInvalidArgument    an event field is empty where required, or too long
//   SIJ-AUD-002 kFailedPrecondition the audit key cannot derive a subject key (its signatures
//                                   are not deterministic: use Ed25519 or RSA)
//   SIJ-AUD-003 kDataLoss           the stored chain head is malformed
//   SIJ-STO-*, SIJ-CRY-*            store and key-store failures, passed through
//
// Thread-safety: an AuditLog is thread-safe; several processes may append to one database.
#ifndef SIJIL_AUDIT_AUDIT_LOG_H_
#define SIJIL_AUDIT_AUDIT_LOG_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sijil/audit/audit_format.h"
#include "sijil/base/encoding.h"
#include "sijil/base/env.h"
#include "sijil/base/result.h"
#include "sijil/crypto/key_store.h"
#include "sijil/crypto/signature.h"
#include "sijil/store/database.h"

namespace sijil::audit {

// What a module reports. `subject` is the raw identifier the action concerned (UIN, VID, RID,
// user name); the log stores only its keyed hash. Empty subject: none.
struct AuditEvent {
  std::string actor;    // user, service account, partner id or "system" (required)
  std::string action;   // dotted verb, e.g. "uin.allocate", "auth.login" (required)
  std::string subject;  // hashed before storage
  Outcome outcome = Outcome::kSuccess;
  std::string details;  // short text or JSON, no personal data
};

struct AuditLogSettings {
  // Sign a checkpoint when the sequence number reaches a multiple of this (0: only on demand).
  int64_t checkpoint_every = 1000;
  // Most events one group commit writes.
  size_t max_batch = 512;
};

// The audit key in a key store, and what derives from it.
struct AuditKey {
  std::string label;
  crypto::SignatureAlgorithm algorithm;
  crypto::PublicKey public_key;
};

// Finds the key pair `label` in `store`, creating an Ed25519 one if absent.
Result<AuditKey> EnsureAuditKey(crypto::KeyStore& store, std::string_view label = "sijil-audit");

// The secret used to hash subjects: SHA-256 of the audit key's signature over a fixed label.
// The signature is deterministic for Ed25519 and RS256 (checked by signing twice:
// SIJ-AUD-002 otherwise), so the secret never needs to be stored; a reader of the database
// alone cannot test guesses of a UIN against the hashes.
Result<Bytes> DeriveSubjectKey(const crypto::Signer& signer);

class AuditLog {
 public:
  // Migrates the `audit` schema. `signer` signs checkpoints (its key label is recorded in each
  // checkpoint); `subject_key` hashes subjects (DeriveSubjectKey). `db`, `env` and `signer`
  // must outlive the log.
  static Result<std::unique_ptr<AuditLog>> Open(store::Database& db, Env& env,
                                                const crypto::Signer& signer, std::string key_label,
                                                Bytes subject_key, AuditLogSettings settings = {});
  ~AuditLog();

  // Appends `event` in its own transaction, shared with concurrent callers (group commit).
  // Returns its sequence number once committed.
  Result<int64_t> Record(const AuditEvent& event);
  // Appends `event` inside the caller's transaction: it exists only if `tx` commits.
  Result<int64_t> Record(store::Transaction& tx, const AuditEvent& event);

  // Signs a checkpoint over the current head now. Returns its sequence number (0 if the log
  // is empty; an existing checkpoint at the head is kept).
  Result<int64_t> Checkpoint();

  // The stored form of `subject` (lower-case hex HMAC-SHA-256 under the subject key), so a
  // resident's entries can be found without storing their number.
  std::string HashSubject(std::string_view subject) const;

  // The newest `limit` entries about `subject`, newest first.
  Result<std::vector<StoredEntry>> ListBySubject(std::string_view subject, int limit = 100);

 private:
  struct Pending;
  AuditLog(store::Database& db, Env& env, const crypto::Signer& signer, std::string key_label,
           Bytes subject_key, AuditLogSettings settings);
  Status Validate(const AuditEvent& event) const;
  // Appends `events` in `tx`; fills `seqs`.
  Status Append(store::Transaction& tx, const std::vector<const AuditEvent*>& events,
                std::vector<int64_t>& seqs);
  Status SignCheckpoint(store::Transaction& tx, int64_t seq, const Bytes& entry_hash);

  store::Database& db_;
  Env& env_;
  const crypto::Signer& signer_;
  const std::string key_label_;
  const Bytes subject_key_;
  const AuditLogSettings settings_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending*> queue_;
  bool writing_ = false;
};

}  // namespace sijil::audit

#endif  // SIJIL_AUDIT_AUDIT_LOG_H_
