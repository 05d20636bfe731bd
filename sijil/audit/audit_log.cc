#include "sijil/audit/audit_log.h"

#include <openssl/hmac.h>

#include "sijil/audit/internal/schema.h"
#include "sijil/crypto/keys.h"

namespace sijil::audit {
namespace {

constexpr size_t kMaxField = 4096;

int64_t UnixMicros(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace

struct AuditLog::Pending {
  const AuditEvent* event = nullptr;
  bool done = false;
  Status status;
  int64_t seq = 0;
};

Result<AuditKey> EnsureAuditKey(crypto::KeyStore& store, std::string_view label) {
  Result<crypto::KeyStoreKey> key = store.FindKeyPair(label);
  if (!key.ok()) key = store.GenerateKeyPair(label, crypto::KeyAlgorithm::kEd25519);
  if (!key.ok()) return key.status();
  return AuditKey{key->label, crypto::DefaultAlgorithmFor(key->algorithm), key->public_key};
}

Result<Bytes> DeriveSubjectKey(const crypto::Signer& signer) {
  static constexpr std::string_view kLabel = "sijil-audit-subject-key-v1";
  const std::span<const uint8_t> msg(reinterpret_cast<const uint8_t*>(kLabel.data()),
                                     kLabel.size());
  SIJIL_ASSIGN_OR_RETURN(Bytes a, signer.Sign(msg));
  SIJIL_ASSIGN_OR_RETURN(Bytes b, signer.Sign(msg));
  if (a != b) {
    return Status::FailedPrecondition(
        "SIJ-AUD-002", "the audit key's signatures are not deterministic (use Ed25519 or RSA)");
  }
  return crypto::Sha256(a);
}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(store::Database& db, Env& env,
                                                 const crypto::Signer& signer,
                                                 std::string key_label, Bytes subject_key,
                                                 AuditLogSettings settings) {
  if (subject_key.size() < 16) {
    return Status::InvalidArgument("SIJ-AUD-001", "audit subject key must be at least 16 bytes");
  }
  if (settings.checkpoint_every < 0 || settings.max_batch == 0) {
    return Status::InvalidArgument("SIJ-AUD-001", "bad audit log settings");
  }
  SIJIL_RETURN_IF_ERROR(internal::MigrateAuditSchema(db));
  return std::unique_ptr<AuditLog>(
      new AuditLog(db, env, signer, std::move(key_label), std::move(subject_key), settings));
}

AuditLog::AuditLog(store::Database& db, Env& env, const crypto::Signer& signer,
                   std::string key_label, Bytes subject_key, AuditLogSettings settings)
    : db_(db),
      env_(env),
      signer_(signer),
      key_label_(std::move(key_label)),
      subject_key_(std::move(subject_key)),
      settings_(settings) {}

AuditLog::~AuditLog() = default;

std::string AuditLog::HashSubject(std::string_view subject) const {
  if (subject.empty()) return "";
  uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), subject_key_.data(), static_cast<int>(subject_key_.size()),
       reinterpret_cast<const uint8_t*>(subject.data()), subject.size(), mac, &len);
  return HexEncode(std::span<const uint8_t>(mac, len), /*upper=*/false);
}

Status AuditLog::Validate(const AuditEvent& e) const {
  if (e.actor.empty() || e.action.empty()) {
    return Status::InvalidArgument("SIJ-AUD-001", "audit event needs an actor and an action");
  }
  if (e.actor.size() > kMaxField || e.action.size() > kMaxField || e.subject.size() > kMaxField ||
      e.details.size() > kMaxField) {
    return Status::InvalidArgument("SIJ-AUD-001", "audit event field longer than 4096 bytes");
  }
  return Status::Ok();
}

Status AuditLog::SignCheckpoint(store::Transaction& tx, int64_t seq, const Bytes& entry_hash) {
  const int64_t now = UnixMicros(env_.Now());
  const Bytes msg = CheckpointMessage(seq, entry_hash, now);
  SIJIL_ASSIGN_OR_RETURN(Bytes sig, signer_.Sign(msg));
  return tx
      .Execute(
          "INSERT INTO audit_checkpoint (seq, entry_hash, time_us, key_label, algorithm, "
          "signature) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING",
          {seq, entry_hash, now, key_label_, crypto::JwsAlgorithmName(signer_.algorithm()), sig})
      .status();
}

Status AuditLog::Append(store::Transaction& tx, const std::vector<const AuditEvent*>& events,
                        std::vector<int64_t>& seqs) {
  // The head is read inside the transaction, so two appenders can never take one number
  // (SQLite serialises writers; PostgreSQL's serializable isolation aborts one of them, and
  // RunInTransaction retries it).
  SIJIL_ASSIGN_OR_RETURN(
      store::Rows head,
      tx.Query("SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
  int64_t seq = 0;
  Bytes prev(kHashSize, 0);
  if (!head.empty()) {
    SIJIL_ASSIGN_OR_RETURN(seq, head[0].GetInt64(0));
    SIJIL_ASSIGN_OR_RETURN(prev, head[0].GetBlob(1));
    if (prev.size() != kHashSize) {
      return Status::DataLoss("SIJ-AUD-003", "audit chain head has a malformed hash");
    }
  }
  seqs.clear();
  for (const AuditEvent* e : events) {
    StoredEntry entry;
    entry.seq = ++seq;
    entry.time_us = UnixMicros(env_.Now());
    entry.actor = e->actor;
    entry.action = e->action;
    entry.subject_hash = HashSubject(e->subject);
    entry.outcome = std::string(OutcomeName(e->outcome));
    entry.details = e->details;
    entry.prev_hash = prev;
    entry.entry_hash = EntryHash(entry);
    SIJIL_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO audit_log (seq, time_us, actor, action, subject_hash, outcome, "
                   "details, prev_hash, entry_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   {entry.seq, entry.time_us, entry.actor, entry.action, entry.subject_hash,
                    entry.outcome, entry.details, entry.prev_hash, entry.entry_hash})
            .status());
    if (settings_.checkpoint_every > 0 && entry.seq % settings_.checkpoint_every == 0) {
      SIJIL_RETURN_IF_ERROR(SignCheckpoint(tx, entry.seq, entry.entry_hash));
    }
    prev = std::move(entry.entry_hash);
    seqs.push_back(entry.seq);
  }
  return Status::Ok();
}

Result<int64_t> AuditLog::Record(store::Transaction& tx, const AuditEvent& event) {
  SIJIL_RETURN_IF_ERROR(Validate(event));
  std::vector<int64_t> seqs;
  SIJIL_RETURN_IF_ERROR(Append(tx, {&event}, seqs));
  return seqs.front();
}

Result<int64_t> AuditLog::Record(const AuditEvent& event) {
  SIJIL_RETURN_IF_ERROR(Validate(event));
  Pending me;
  me.event = &event;
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&me);
  while (!me.done) {
    if (writing_) {
      cv_.wait(lock);
      continue;
    }
    // Become the leader: write everything queued so far in one transaction.
    writing_ = true;
    std::vector<Pending*> batch;
    while (!queue_.empty() && batch.size() < settings_.max_batch) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    std::vector<const AuditEvent*> events;
    events.reserve(batch.size());
    for (Pending* p : batch) events.push_back(p->event);
    std::vector<int64_t> seqs;
    Status st =
        db_.RunInTransaction([&](store::Transaction& tx) { return Append(tx, events, seqs); });
    lock.lock();
    for (size_t i = 0; i < batch.size(); ++i) {
      batch[i]->status = st;
      if (st.ok()) batch[i]->seq = seqs[i];
      batch[i]->done = true;
    }
    writing_ = false;
    cv_.notify_all();
  }
  if (!me.status.ok()) return me.status;
  return me.seq;
}

Result<int64_t> AuditLog::Checkpoint() {
  int64_t seq = 0;
  SIJIL_RETURN_IF_ERROR(db_.RunInTransaction([&](store::Transaction& tx) -> Status {
    SIJIL_ASSIGN_OR_RETURN(
        store::Rows head,
        tx.Query("SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
    if (head.empty()) return Status::Ok();
    SIJIL_ASSIGN_OR_RETURN(seq, head[0].GetInt64(0));
    SIJIL_ASSIGN_OR_RETURN(Bytes hash, head[0].GetBlob(1));
    return SignCheckpoint(tx, seq, hash);
  }));
  return seq;
}

Result<std::vector<StoredEntry>> AuditLog::ListBySubject(std::string_view subject, int limit) {
  SIJIL_ASSIGN_OR_RETURN(
      store::Rows rows,
      db_.Query("SELECT seq, time_us, actor, action, subject_hash, outcome, details, prev_hash, "
                "entry_hash FROM audit_log WHERE subject_hash = ? ORDER BY seq DESC LIMIT ?",
                {HashSubject(subject), static_cast<int64_t>(limit)}));
  std::vector<StoredEntry> out;
  for (const store::Row& row : rows) {
    SIJIL_ASSIGN_OR_RETURN(StoredEntry e, internal::ReadEntry(row));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace sijil::audit
