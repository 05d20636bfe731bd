#include "sijil/crypto/pkcs11_key_store.h"

#include <gtest/gtest.h>

#include "sijil/crypto/errors.h"
#include "sijil/crypto/rsa.h"

namespace sijil::crypto {
namespace {

class Pkcs11KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Create("sijil-hsm-");
    ASSERT_TRUE(dir.ok());
    dir_.emplace(*std::move(dir));
    settings_.softhsm_dir = (dir_->path() / "hsm").string();
    settings_.pin = "4321";
    settings_.so_pin = "87654321";
  }

  Result<std::unique_ptr<Pkcs11KeyStore>> Open() { return Pkcs11KeyStore::Open(settings_, env_); }

  SimulatedEnv env_{7};
  std::optional<TempDir> dir_;
  Pkcs11Settings settings_;
};

TEST_F(Pkcs11KeyStoreTest, CreatesTokenAtFirstStartAndKeysPersist) {
  Bytes spki;
  {
    auto store = Open();
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_NE((*store)->Describe().find("'sijil'"), std::string::npos);
    EXPECT_TRUE((*store)->Check().ok());
    auto key = (*store)->GenerateKeyPair("root-1", KeyAlgorithm::kRsa2048);
    ASSERT_TRUE(key.ok()) << key.status();
    spki = key->public_key.SpkiDer();
    auto again = (*store)->GenerateKeyPair("root-1", KeyAlgorithm::kRsa2048);
    EXPECT_EQ(again.status().code(), kErrHsmKeyExists);
  }
  EXPECT_TRUE(std::filesystem::exists(dir_->path() / "hsm" / "softhsm2.conf"));
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status();
  auto key = (*store)->FindKeyPair("root-1");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->public_key.SpkiDer(), spki);
  auto list = (*store)->ListKeyPairs();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].label, "root-1");
}

TEST_F(Pkcs11KeyStoreTest, SignsWithEveryAlgorithmInsideTheToken) {
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status();
  const Bytes data = {'c', 'h', 'e', 'c', 'k', 'p', 'o', 'i', 'n', 't'};
  struct Case {
    const char* label;
    KeyAlgorithm key;
    SignatureAlgorithm alg;
  };
  for (const Case& c : {Case{"rsa", KeyAlgorithm::kRsa2048, SignatureAlgorithm::kRs256},
                        Case{"rsa", KeyAlgorithm::kRsa2048, SignatureAlgorithm::kPs256},
                        Case{"ec", KeyAlgorithm::kEcP256, SignatureAlgorithm::kEs256},
                        Case{"ed", KeyAlgorithm::kEd25519, SignatureAlgorithm::kEdDsa}}) {
    SCOPED_TRACE(c.label);
    auto key = (*store)->FindKeyPair(c.label);
    if (!key.ok()) key = (*store)->GenerateKeyPair(c.label, c.key);
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(key->algorithm, c.key);
    auto sig = (*store)->Sign(c.label, c.alg, data);
    ASSERT_TRUE(sig.ok()) << sig.status();
    EXPECT_TRUE(VerifySignature(key->public_key, c.alg, data, *sig).ok());
    Bytes tampered = data;
    tampered[0] ^= 1;
    EXPECT_EQ(VerifySignature(key->public_key, c.alg, tampered, *sig).code(), kErrJwsSignature);
  }
  // A key used with an algorithm of another family is refused, not attempted.
  EXPECT_EQ((*store)->Sign("ec", SignatureAlgorithm::kRs256, data).status().code(),
            kErrJwsKeyMismatch);
}

TEST_F(Pkcs11KeyStoreTest, DecryptsRsaOaepSha256) {
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status();
  auto key = (*store)->GenerateKeyPair("wrap", KeyAlgorithm::kRsa2048);
  ASSERT_TRUE(key.ok()) << key.status();
  Bytes secret(32);
  env_.RandomBytes(secret);
  auto wrapped = RsaOaepSha256Encrypt(key->public_key, secret);
  ASSERT_TRUE(wrapped.ok());
  auto plain = (*store)->DecryptRsaOaepSha256("wrap", *wrapped);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(*plain, secret);
  (*wrapped)[10] ^= 0x40;
  EXPECT_EQ((*store)->DecryptRsaOaepSha256("wrap", *wrapped).status().code(), kErrEnvelopeDecrypt);
}

TEST_F(Pkcs11KeyStoreTest, DeletesKeys) {
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->GenerateKeyPair("gone", KeyAlgorithm::kEcP256).ok());
  EXPECT_TRUE((*store)->DeleteKeyPair("gone").ok());
  EXPECT_EQ((*store)->FindKeyPair("gone").status().code(), kErrHsmKeyNotFound);
  EXPECT_EQ((*store)->Sign("gone", SignatureAlgorithm::kEs256, Bytes{1}).status().code(),
            kErrHsmKeyNotFound);
}

TEST_F(Pkcs11KeyStoreTest, WrongPinIsOneClearError) {
  { ASSERT_TRUE(Open().ok()); }
  settings_.pin = "9999";
  auto store = Open();
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), kErrHsmLogin);
  EXPECT_EQ(store.status().message(), "HSM login failed: wrong PIN");
}

TEST_F(Pkcs11KeyStoreTest, MissingTokenIsReportedNotRecreated) {
  { ASSERT_TRUE(Open().ok()); }
  std::filesystem::remove_all(dir_->path() / "hsm" / "tokens");
  std::filesystem::create_directories(dir_->path() / "hsm" / "tokens");
  auto store = Open();
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), kErrHsmToken);
  EXPECT_NE(store.status().message().find("HSM token 'sijil' not found"), std::string::npos);
}

TEST_F(Pkcs11KeyStoreTest, MissingModuleIsOneClearError) {
  settings_.module_path = (dir_->path() / "no-such-module.so").string();
  auto store = Open();
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), kErrHsmModule);
  EXPECT_EQ(store.status().message(), "HSM module not found: " + settings_.module_path);
}

TEST_F(Pkcs11KeyStoreTest, EmptyPinIsRefused) {
  settings_.pin.clear();
  EXPECT_EQ(Open().status().code(), kErrHsmConfig);
}

}  // namespace
}  // namespace sijil::crypto
