#include "sijil/crypto/sql_key_repository.h"

#include <gtest/gtest.h>

#include "sijil/crypto/errors.h"
#include "sijil/crypto/key_manager.h"
#include "sijil/crypto/memory_key_store.h"
#include "sijil/crypto/test_keys.h"
#include "sijil/store/test_databases.h"

namespace sijil::crypto {
namespace {

using std::chrono::seconds;

template <typename Backend>
class SqlKeyRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = Backend::Skip(); !why.empty()) GTEST_SKIP() << why;
    auto db = backend_.Open(env_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }

  KeyRecord Record(std::string alias, std::string app, std::string ref, int64_t start) {
    KeyRecord r;
    r.alias = alias;
    r.application_id = app;
    r.reference_id = ref;
    r.tier = ref.empty() ? KeyTier::kModule : KeyTier::kBase;
    r.algorithm = ref.empty() ? KeyAlgorithm::kRsa2048 : KeyAlgorithm::kEd25519;
    r.certificate_der = Bytes{0x30, 0x03, 0x02, 0x01, static_cast<uint8_t>(start)};
    r.thumbprint_hex = "T" + alias;
    r.hsm_label = ref.empty() ? app + "-" + alias : "";
    if (!ref.empty()) r.wrapped_private_key = Bytes{'V', 'E', 'R', '_', 'R', '2', 0, 1};
    r.master_alias = "m";
    r.not_before = std::chrono::system_clock::time_point(seconds(start));
    r.not_after = r.not_before + seconds(1000);
    r.created_at = r.not_before;
    return r;
  }

  Backend backend_;
  SimulatedEnv env_{17};
  std::unique_ptr<store::Database> db_;
};

using Backends = ::testing::Types<store::testing::SqliteBackend, store::testing::PostgresBackend>;
TYPED_TEST_SUITE(SqlKeyRepositoryTest, Backends);

TYPED_TEST(SqlKeyRepositoryTest, StoresAndFindsKeyRecords) {
  auto repo = SqlKeyRepository::Open(*this->db_);
  ASSERT_TRUE(repo.ok()) << repo.status();
  KeyRecord b2 = this->Record("b2", "ID_REPO", "uin", 200);
  KeyRecord b1 = this->Record("b1", "ID_REPO", "uin", 100);
  KeyRecord m = this->Record("m", "ID_REPO", "", 50);
  for (const KeyRecord& r : {b2, b1, m}) ASSERT_TRUE((*repo)->Insert(r).ok());
  EXPECT_EQ((*repo)->Insert(b1).code(), kErrKeyStorage);

  auto found = (*repo)->FindByApplication("ID_REPO", "uin");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].alias, "b1");  // oldest first
  const KeyRecord& got = (*found)[1];
  EXPECT_EQ(got.alias, b2.alias);
  EXPECT_EQ(got.tier, KeyTier::kBase);
  EXPECT_EQ(got.algorithm, KeyAlgorithm::kEd25519);
  EXPECT_EQ(got.certificate_der, b2.certificate_der);
  EXPECT_EQ(got.wrapped_private_key, b2.wrapped_private_key);
  EXPECT_EQ(got.not_before, b2.not_before);
  EXPECT_EQ(got.not_after, b2.not_after);

  auto module = (*repo)->FindByAlias("m");
  ASSERT_TRUE(module.ok() && module->has_value());
  EXPECT_EQ((*module)->hsm_label, "ID_REPO-m");
  EXPECT_TRUE((*module)->wrapped_private_key.empty());
  auto by_thumb = (*repo)->FindByThumbprint("Tb1");
  ASSERT_TRUE(by_thumb.ok() && by_thumb->has_value());
  EXPECT_EQ((*by_thumb)->alias, "b1");
  EXPECT_FALSE((*repo)->FindByAlias("zz")->has_value());

  auto end = std::chrono::system_clock::time_point(seconds(150));
  ASSERT_TRUE((*repo)->SetNotAfter("b1", end).ok());
  EXPECT_EQ((*repo)->FindByAlias("b1").value()->not_after, end);
  EXPECT_EQ((*repo)->SetNotAfter("zz", end).code(), kErrKeyNotFound);
  auto all = (*repo)->ListAll();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].alias, "m");  // ("ID_REPO", "") sorts before ("ID_REPO", "uin")
}

TYPED_TEST(SqlKeyRepositoryTest, SaltsAreKeptOnce) {
  auto repo = SqlSaltRepository::Open(*this->db_);
  ASSERT_TRUE(repo.ok()) << repo.status();
  auto hasher = SaltedHasher::Create(**repo, this->env_, {.salt_id_digits = 2});
  ASSERT_TRUE(hasher.ok()) << hasher.status();
  auto salts = (*repo)->LoadSalts("uin_hash_salt");
  ASSERT_TRUE(salts.ok());
  EXPECT_EQ(salts->size(), 100u);
  // A later insert does not replace stored salts.
  std::map<int, Bytes> other = {{5, Bytes(32, 0xAA)}};
  ASSERT_TRUE((*repo)->InsertSaltsIfAbsent("uin_hash_salt", other).ok());
  EXPECT_EQ((*repo)->LoadSalts("uin_hash_salt").value().at(5), salts->at(5));
  SimulatedEnv other_env(99);
  auto again = SaltedHasher::Create(**repo, other_env, {.salt_id_digits = 2});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->Hash("1234567805").value(), (*hasher)->Hash("1234567805").value());
}

TYPED_TEST(SqlKeyRepositoryTest, KeyManagerSurvivesRestartOnTheStore) {
  TestKeyPool pool;
  InMemoryKeyStore hsm(pool.Generator());
  KeyManagerSettings settings;
  settings.generate_key = pool.Generator();
  const Bytes secret = {'b', 'i', 'o'};
  Bytes envelope;
  {
    auto repo = SqlKeyRepository::Open(*this->db_);
    ASSERT_TRUE(repo.ok());
    auto km = KeyManager::Create(settings, hsm, **repo, this->env_);
    ASSERT_TRUE(km.ok()) << km.status();
    auto e = (*km)->Encrypt("ID_REPO", "biometric_data", secret);
    ASSERT_TRUE(e.ok()) << e.status();
    envelope = *e;
  }
  auto repo = SqlKeyRepository::Open(*this->db_);
  ASSERT_TRUE(repo.ok());
  auto km = KeyManager::Create(settings, hsm, **repo, this->env_);
  ASSERT_TRUE(km.ok()) << km.status();
  EXPECT_EQ((*km)->Decrypt("ID_REPO", "biometric_data", envelope).value(), secret);
  EXPECT_EQ((*km)->ListKeys().value().size(), 3u);
}

}  // namespace
}  // namespace sijil::crypto
