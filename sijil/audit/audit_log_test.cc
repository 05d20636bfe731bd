#include "sijil/audit/audit_log.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "sijil/audit/audit_verify.h"
#include "sijil/crypto/memory_key_store.h"
#include "sijil/store/test_databases.h"

namespace sijil::audit {
namespace {

template <typename Backend>
class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = Backend::Skip(); !why.empty()) GTEST_SKIP() << why;
    auto db = backend_.Open(env_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db).value();
    auto key = EnsureAuditKey(keys_);
    ASSERT_TRUE(key.ok()) << key.status();
    key_ = std::make_unique<AuditKey>(*key);
    signer_ = std::make_unique<crypto::KeyStoreSigner>(keys_, key_->label, key_->algorithm);
    auto subject_key = DeriveSubjectKey(*signer_);
    ASSERT_TRUE(subject_key.ok()) << subject_key.status();
    AuditLogSettings settings;
    settings.checkpoint_every = 5;
    auto log = AuditLog::Open(*db_, env_, *signer_, key_->label, *subject_key, settings);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(log).value();
  }

  void RecordN(int n) {
    for (int i = 0; i < n; ++i) {
      env_.Advance(std::chrono::seconds(1));
      Result<int64_t> seq =
          log_->Record({"operator-" + std::to_string(i % 3), "uin.allocate",
                        "20942150" + std::to_string(10 + i), Outcome::kSuccess, "{\"n\":1}"});
      ASSERT_TRUE(seq.ok()) << seq.status();
    }
  }

  VerifyReport Verify() {
    auto r = VerifyAuditLog(*db_, key_->public_key);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : VerifyReport{};
  }

  void Sql(const std::string& sql, std::initializer_list<store::Value> params = {}) {
    auto r = db_->Execute(sql, params);
    ASSERT_TRUE(r.ok()) << sql << ": " << r.status();
  }

  Bytes HashAt(int64_t seq) {
    auto rows = db_->Query("SELECT entry_hash FROM audit_log WHERE seq = ?", {seq});
    EXPECT_TRUE(rows.ok() && !rows->empty());
    return (*rows)[0].GetBlob(0).value_or(Bytes{});
  }

  SimulatedEnv env_{3};
  Backend backend_;
  std::unique_ptr<store::Database> db_;
  crypto::InMemoryKeyStore keys_;
  std::unique_ptr<AuditKey> key_;
  std::unique_ptr<crypto::KeyStoreSigner> signer_;
  std::unique_ptr<AuditLog> log_;
};

using Backends = ::testing::Types<store::testing::SqliteBackend, store::testing::PostgresBackend>;
class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, store::testing::SqliteBackend> ? "Sqlite" : "Postgres";
  }
};
TYPED_TEST_SUITE(AuditLogTest, Backends, BackendNames);

TYPED_TEST(AuditLogTest, IntactChainVerifies) {
  this->RecordN(23);
  VerifyReport r = this->Verify();
  EXPECT_TRUE(r.intact()) << r.detail;
  EXPECT_EQ(r.entries, 23);
  EXPECT_EQ(r.head_seq, 23);
  EXPECT_EQ(r.checkpoints, 4);  // at 5, 10, 15, 20
  EXPECT_EQ(r.last_checkpoint_seq, 20);
  ASSERT_EQ(*this->log_->Checkpoint(), 23);
  EXPECT_EQ(this->Verify().checkpoints, 5);
}

TYPED_TEST(AuditLogTest, SubjectIsStoredAsKeyedHashOnly) {
  ASSERT_TRUE(
      this->log_->Record({"auth", "auth.kyc", "2094215024", Outcome::kDenied, "policy"}).ok());
  auto rows = this->db_->Query("SELECT subject_hash, outcome FROM audit_log");
  ASSERT_TRUE(rows.ok());
  const std::string stored = (*rows)[0].GetText(0).value();
  EXPECT_EQ(stored.find("2094215024"), std::string::npos);
  EXPECT_EQ(stored.size(), 64u);
  EXPECT_EQ(stored, this->log_->HashSubject("2094215024"));
  EXPECT_EQ((*rows)[0].GetText(1).value(), "denied");
  auto mine = this->log_->ListBySubject("2094215024");
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].action, "auth.kyc");
  EXPECT_TRUE(this->log_->ListBySubject("2094215025")->empty());
}

TYPED_TEST(AuditLogTest, ConcurrentRecordersGetDistinctConsecutiveNumbers) {
  constexpr int kThreads = 8, kEach = 40;
  std::vector<std::vector<int64_t>> seqs(kThreads);
  std::vector<Status> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Result<int64_t> s = this->log_->Record(
            {"t" + std::to_string(t), "test.concurrent", std::to_string(i), Outcome::kSuccess, ""});
        if (!s.ok()) {
          errors[t] = s.status();
          return;
        }
        seqs[t].push_back(*s);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<int64_t> all;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_TRUE(errors[t].ok()) << errors[t];
    for (int64_t s : seqs[t]) EXPECT_TRUE(all.insert(s).second) << s;
  }
  ASSERT_EQ(all.size(), size_t{kThreads * kEach});
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), kThreads * kEach);
  VerifyReport r = this->Verify();
  EXPECT_TRUE(r.intact()) << r.detail;
  EXPECT_EQ(r.checkpoints, kThreads * kEach / 5);
}

TYPED_TEST(AuditLogTest, RecordInsideATransactionCommitsWithIt) {
  Status rolled_back = this->db_->RunInTransaction([&](store::Transaction& tx) -> Status {
    SIJIL_RETURN_IF_ERROR(this->log_->Record(tx, {"a", "x.y", "", Outcome::kSuccess, ""}).status());
    return Status::Aborted("TEST-001", "the action failed");
  });
  EXPECT_EQ(rolled_back.code(), "TEST-001");
  ASSERT_TRUE(this->db_
                  ->RunInTransaction([&](store::Transaction& tx) {
                    return this->log_->Record(tx, {"a", "x.z", "", Outcome::kSuccess, ""}).status();
                  })
                  .ok());
  VerifyReport r = this->Verify();
  EXPECT_TRUE(r.intact());
  EXPECT_EQ(r.entries, 1);
  EXPECT_EQ(this->log_->Record({"", "x", "", Outcome::kSuccess, ""}).status().code(),
            "SIJ-AUD-001");
}

// --- Tampering by direct SQL (SQLite and PostgreSQL alike) ----------------------------------

TYPED_TEST(AuditLogTest, ModifiedEntryIsReported) {
  this->RecordN(20);
  this->Sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = 7");
  VerifyReport r = this->Verify();
  EXPECT_EQ(r.kind, TamperKind::kModified) << r.detail;
  EXPECT_EQ(r.seq, 7);
  EXPECT_EQ(r.entries, 6);
}

TYPED_TEST(AuditLogTest, ModifiedEntryWithRecomputedHashIsReported) {
  this->RecordN(20);
  this->Sql("UPDATE audit_log SET outcome = 'failure' WHERE seq = 12");
  auto rows = this->db_->Query(
      "SELECT seq, time_us, actor, action, subject_hash, outcome, details, prev_hash, "
      "entry_hash FROM audit_log WHERE seq = 12");
  ASSERT_TRUE(rows.ok());
  StoredEntry e;
  e.seq = 12;
  e.time_us = (*rows)[0].GetInt64(1).value();
  e.actor = (*rows)[0].GetText(2).value();
  e.action = (*rows)[0].GetText(3).value();
  e.subject_hash = (*rows)[0].GetText(4).value();
  e.outcome = (*rows)[0].GetText(5).value();
  e.details = (*rows)[0].GetText(6).value();
  e.prev_hash = (*rows)[0].GetBlob(7).value();
  this->Sql("UPDATE audit_log SET entry_hash = ? WHERE seq = 12", {EntryHash(e)});
  VerifyReport r = this->Verify();
  EXPECT_EQ(r.kind, TamperKind::kModified) << r.detail;
  EXPECT_EQ(r.seq, 12);
}

TYPED_TEST(AuditLogTest, DeletedEntryIsReported) {
  this->RecordN(20);
  this->Sql("DELETE FROM audit_log WHERE seq = 9");
  VerifyReport r = this->Verify();
  EXPECT_EQ(r.kind, TamperKind::kDeleted) << r.detail;
  EXPECT_EQ(r.seq, 9);
}

TYPED_TEST(AuditLogTest, DeletedAndRenumberedEntryIsReported) {
  this->RecordN(20);
  this->Sql("DELETE FROM audit_log WHERE seq = 9");
  this->Sql("UPDATE audit_log SET seq = seq + 1000 WHERE seq > 9");
  this->Sql("UPDATE audit_log SET seq = seq - 1001 WHERE seq > 1000");
  VerifyReport r = this->Verify();
  EXPECT_EQ(r.kind, TamperKind::kDeleted) << r.detail;
  EXPECT_EQ(r.seq, 9);
}

TYPED_TEST(AuditLogTest, TruncatedTailIsReportedByTheCheckpoint) {
  this->RecordN(20);
  this->Sql("DELETE FROM audit_log WHERE seq >= 18");
  VerifyReport r = this->Verify();
  EXPECT_EQ(r.kind, TamperKind::kDeleted) << r.detail;
  EXPECT_EQ(r.seq, 18);
}

TYPED_TEST(AuditLogTest, InsertedEntryIsReported) {
  this->RecordN(20);
  // Make room at 8 and insert a forged entry there, linked to 7 with a correct hash.
  this->Sql("UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 8");
  this->Sql("UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000");
  StoredEntry forged;
  forged.seq = 8;
  forged.time_us = 1;
  forged.actor = "mallory";
  forged.action = "uin.allocate";
  forged.outcome = "success";
  forged.prev_hash = this->HashAt(7);
  forged.entry_hash = EntryHash(forged);
  this->Sql(
      "INSERT INTO audit_log (seq, time_us, actor, action, subject_hash, outcome, details, "
      "prev_hash, entry_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {forged.seq, forged.time_us, forged.actor, forged.action, forged.subject_hash, forged.outcome,
       forged.details, forged.prev_hash, forged.entry_hash});
  VerifyReport r = this->Verify();
  EXPECT_EQ(r.kind, TamperKind::kInserted) << r.detail;
  EXPECT_EQ(r.seq, 8);
}

TYPED_TEST(AuditLogTest, InsertedEntryWithGarbageHashesIsReported) {
  this->RecordN(20);
  this->Sql("UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 8");
  this->Sql("UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000");
  this->Sql(
      "INSERT INTO audit_log (seq, time_us, actor, action, subject_hash, outcome, details, "
      "prev_hash, entry_hash) VALUES (8, 1, 'mallory', 'x', '', 'success', '', ?, ?)",
      {Bytes(32, 1), Bytes(32, 2)});
  VerifyReport r = this->Verify();
  EXPECT_EQ(r.kind, TamperKind::kInserted) << r.detail;
  EXPECT_EQ(r.seq, 8);
}

TYPED_TEST(AuditLogTest, ReorderedEntriesAreReported) {
  this->RecordN(20);
  this->Sql("UPDATE audit_log SET seq = -1 WHERE seq = 11");
  this->Sql("UPDATE audit_log SET seq = 11 WHERE seq = 12");
  this->Sql("UPDATE audit_log SET seq = 12 WHERE seq = -1");
  VerifyReport r = this->Verify();
  EXPECT_EQ(r.kind, TamperKind::kReordered) << r.detail;
  EXPECT_EQ(r.seq, 11);
}

TYPED_TEST(AuditLogTest, RewrittenChainIsCaughtByTheSignedCheckpoint) {
  this->RecordN(12);
  // Rewrite entry 7 and recompute every hash after it: the chain is self-consistent again,
  // but the signed checkpoint at 10 no longer matches.
  this->Sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = 7");
  for (int64_t seq = 7; seq <= 12; ++seq) {
    auto rows = this->db_->Query(
        "SELECT seq, time_us, actor, action, subject_hash, outcome, details, prev_hash, "
        "entry_hash FROM audit_log WHERE seq = ?",
        {seq});
    ASSERT_TRUE(rows.ok());
    StoredEntry e;
    e.seq = seq;
    e.time_us = (*rows)[0].GetInt64(1).value();
    e.actor = (*rows)[0].GetText(2).value();
    e.action = (*rows)[0].GetText(3).value();
    e.subject_hash = (*rows)[0].GetText(4).value();
    e.outcome = (*rows)[0].GetText(5).value();
    e.details = (*rows)[0].GetText(6).value();
    e.prev_hash = this->HashAt(seq - 1);
    this->Sql("UPDATE audit_log SET prev_hash = ?, entry_hash = ? WHERE seq = ?",
              {e.prev_hash, EntryHash(e), seq});
  }
  VerifyReport r = this->Verify();
  EXPECT_EQ(r.kind, TamperKind::kModified) << r.detail;
  EXPECT_EQ(r.seq, 6);  // somewhere after the checkpoint at 5
}

TYPED_TEST(AuditLogTest, ForgedCheckpointSignatureIsReported) {
  this->RecordN(12);
  this->Sql("UPDATE audit_checkpoint SET signature = ? WHERE seq = 10", {Bytes(64, 7)});
  VerifyReport r = this->Verify();
  EXPECT_EQ(r.kind, TamperKind::kBadSignature) << r.detail;
  EXPECT_EQ(r.seq, 10);
  // A different key does not verify any checkpoint.
  crypto::InMemoryKeyStore other;
  auto other_key = EnsureAuditKey(other);
  ASSERT_TRUE(other_key.ok());
  auto r2 = VerifyAuditLog(*this->db_, other_key->public_key);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->kind, TamperKind::kBadSignature);
  EXPECT_EQ(r2->seq, 5);
}

TEST(SubjectKey, NeedsDeterministicSignatures) {
  crypto::InMemoryKeyStore keys;
  ASSERT_TRUE(keys.GenerateKeyPair("ec", crypto::KeyAlgorithm::kEcP256).ok());
  crypto::KeyStoreSigner ec(keys, "ec", crypto::SignatureAlgorithm::kEs256);
  EXPECT_EQ(DeriveSubjectKey(ec).status().code(), "SIJ-AUD-002");
  auto ed = EnsureAuditKey(keys, "ed");
  ASSERT_TRUE(ed.ok());
  crypto::KeyStoreSigner eds(keys, "ed", ed->algorithm);
  auto a = DeriveSubjectKey(eds);
  auto b = DeriveSubjectKey(eds);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->size(), 32u);
}

}  // namespace
}  // namespace sijil::audit
