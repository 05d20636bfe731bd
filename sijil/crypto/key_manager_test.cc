#include "sijil/crypto/key_manager.h"

#include <gtest/gtest.h>

#include "sijil/crypto/errors.h"
#include "sijil/crypto/memory_key_store.h"
#include "sijil/crypto/pkcs11_key_store.h"
#include "sijil/crypto/test_keys.h"

namespace sijil::crypto {
namespace {

using std::chrono::hours;
constexpr auto kDay = hours(24);

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

class KeyManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    settings_.base_algorithms["AUDIT"] = KeyAlgorithm::kEd25519;
    settings_.generate_key = pool_.Generator();
    auto km = KeyManager::Create(settings_, store_, repo_, env_);
    ASSERT_TRUE(km.ok()) << km.status();
    km_ = *std::move(km);
  }
  // A second manager over the same HSM and tables, as after a restart.
  std::unique_ptr<KeyManager> Restart() {
    auto km = KeyManager::Create(settings_, store_, repo_, env_);
    EXPECT_TRUE(km.ok()) << km.status();
    return km.ok() ? *std::move(km) : nullptr;
  }
  Bytes EnvelopeThumbprint(const Bytes& envelope) {
    return Bytes(envelope.begin() + 6, envelope.begin() + 38);
  }

  SimulatedEnv env_{21};
  TestKeyPool pool_;
  InMemoryKeyStore store_{pool_.Generator()};
  InMemoryKeyRepository repo_;
  KeyManagerSettings settings_;
  std::unique_ptr<KeyManager> km_;
};

TEST_F(KeyManagerTest, RootExistsAfterCreateAndHierarchyIsSignedDownTheChain) {
  auto keys = km_->ListKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].tier, KeyTier::kRoot);
  EXPECT_TRUE(km_->Check().ok());

  auto chain = km_->GetCertificateChain("ID_REPO", "identity_data");
  ASSERT_TRUE(chain.ok()) << chain.status();
  ASSERT_EQ(chain->size(), 3u);
  EXPECT_EQ((*chain)[0].Subject(), "CN=identity_data,OU=ID_REPO,O=Sijil");
  EXPECT_EQ((*chain)[1].Subject(), "CN=ID_REPO,OU=ID_REPO,O=Sijil");
  EXPECT_EQ((*chain)[2].Subject(), "CN=ROOT,OU=ROOT,O=Sijil");
  EXPECT_TRUE((*chain)[0].VerifySignedBy((*chain)[1].public_key()).ok());
  EXPECT_TRUE((*chain)[1].VerifySignedBy((*chain)[2].public_key()).ok());
  EXPECT_TRUE((*chain)[2].VerifySignedBy((*chain)[2].public_key()).ok());
  EXPECT_FALSE((*chain)[0].VerifySignedBy((*chain)[2].public_key()).ok());
  // MOSIP's validity periods: base 730 days, module 1095, root 2920.
  EXPECT_EQ((*chain)[0].not_after() - (*chain)[0].not_before(), 730 * kDay);
  EXPECT_EQ((*chain)[1].not_after() - (*chain)[1].not_before(), 1095 * kDay);
  EXPECT_EQ((*chain)[2].not_after() - (*chain)[2].not_before(), 2920 * kDay);

  // Master keys are in the key store; base keys are not.
  auto hsm = store_.ListKeyPairs();
  ASSERT_TRUE(hsm.ok());
  EXPECT_EQ(hsm->size(), 2u);
  keys = km_->ListKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 3u);
}

TEST_F(KeyManagerTest, EncryptDecryptAndScoping) {
  const Bytes secret = B(R"({"uin":"2345678901"})");
  auto env = km_->Encrypt("ID_REPO", "identity_data", secret);
  ASSERT_TRUE(env.ok()) << env.status();
  auto cert = km_->GetCertificate("ID_REPO", "identity_data");
  ASSERT_TRUE(cert.ok());
  EXPECT_EQ(EnvelopeThumbprint(*env), cert->thumbprint());
  EXPECT_EQ(km_->Decrypt("ID_REPO", "identity_data", *env).value(), secret);
  // Another reference's key may not be used to open it.
  ASSERT_TRUE(km_->GetCertificate("ID_REPO", "biometric_data").ok());
  EXPECT_EQ(km_->Decrypt("ID_REPO", "biometric_data", *env).status().code(), kErrEnvelopeNoKey);
  // Module keys encrypt too (unwrapped inside the key store).
  auto module_env = km_->Encrypt("REGISTRATION", "", secret);
  ASSERT_TRUE(module_env.ok()) << module_env.status();
  EXPECT_EQ(km_->Decrypt("REGISTRATION", "", *module_env).value(), secret);
}

TEST_F(KeyManagerTest, RotationKeepsOldKeysDecrypting) {
  const Bytes secret = B("demographic record");
  auto before = km_->Encrypt("ID_REPO", "demographic_data", secret);
  ASSERT_TRUE(before.ok());
  auto old_cert = km_->GetCertificate("ID_REPO", "demographic_data");
  ASSERT_TRUE(old_cert.ok());

  auto rotated = km_->Rotate("ID_REPO", "demographic_data");
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  env_.Advance(std::chrono::seconds(2));
  auto new_cert = km_->GetCertificate("ID_REPO", "demographic_data");
  ASSERT_TRUE(new_cert.ok());
  EXPECT_NE(new_cert->thumbprint(), old_cert->thumbprint());
  EXPECT_EQ(new_cert->der(), rotated->certificate.der());

  auto after = km_->Encrypt("ID_REPO", "demographic_data", secret);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(EnvelopeThumbprint(*after), new_cert->thumbprint());
  EXPECT_EQ(km_->Decrypt("ID_REPO", "demographic_data", *before).value(), secret);
  EXPECT_EQ(km_->Decrypt("ID_REPO", "demographic_data", *after).value(), secret);

  // Rotating the module key: new base keys hang under the new master, and base keys wrapped
  // by the old master still unwrap after a restart.
  ASSERT_TRUE(km_->Rotate("ID_REPO").ok());
  env_.Advance(std::chrono::seconds(2));
  ASSERT_TRUE(km_->Rotate("ID_REPO", "demographic_data").ok());
  env_.Advance(std::chrono::seconds(2));
  auto chain = km_->GetCertificateChain("ID_REPO", "demographic_data");
  ASSERT_TRUE(chain.ok());
  auto module_now = km_->GetCertificate("ID_REPO");
  ASSERT_TRUE(module_now.ok());
  EXPECT_EQ((*chain)[1].der(), module_now->der());

  auto restarted = Restart();
  ASSERT_NE(restarted, nullptr);
  EXPECT_EQ(restarted->Decrypt("ID_REPO", "demographic_data", *before).value(), secret);
  EXPECT_EQ(restarted->Decrypt("ID_REPO", "demographic_data", *after).value(), secret);
  auto keys = restarted->ListKeys();
  ASSERT_TRUE(keys.ok());
  int current = 0;
  int base = 0;
  for (const KeyInfo& k : *keys) {
    if (k.application_id == "ID_REPO" && k.reference_id == "demographic_data") {
      ++base;
      current += k.current ? 1 : 0;
    }
  }
  EXPECT_EQ(base, 3);
  EXPECT_EQ(current, 1);
}

TEST_F(KeyManagerTest, KeysRenewInTheirPreExpiryWindow) {
  auto first = km_->GetCertificate("RESIDENT", "notifications");
  ASSERT_TRUE(first.ok());
  env_.Advance(699 * kDay);  // 31 days left: still current
  EXPECT_EQ(km_->GetCertificate("RESIDENT", "notifications")->der(), first->der());
  env_.Advance(2 * kDay);  // 29 days left: renewed
  auto second = km_->GetCertificate("RESIDENT", "notifications");
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->der(), first->der());
}

TEST_F(KeyManagerTest, JwsWithBaseModuleAndEd25519Keys) {
  const Bytes claims = B(R"({"sub":"svc-registration","exp":1767225600})");
  auto token = km_->SignJws("SIJIL", "auth_token", claims, {.include_x5c = false, .typ = "JWT"});
  ASSERT_TRUE(token.ok()) << token.status();
  auto verified = km_->VerifyJws("SIJIL", "auth_token", *token);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->payload, claims);
  EXPECT_EQ(verified->header.alg, SignatureAlgorithm::kRs256);
  EXPECT_EQ(km_->VerifyJws("SIJIL", "other", *token).status().code(), kErrJwsSignature);

  // Tokens signed before a rotation still verify.
  ASSERT_TRUE(km_->Rotate("SIJIL", "auth_token").ok());
  env_.Advance(std::chrono::seconds(2));
  EXPECT_TRUE(km_->VerifyJws("SIJIL", "auth_token", *token).ok());

  // An Ed25519 signing key, with the x5c chain up to the root.
  auto signed_cp = km_->SignJws("AUDIT", "checkpoint", B("cp-1"), {.detached = true});
  ASSERT_TRUE(signed_cp.ok()) << signed_cp.status();
  const Bytes cp = B("cp-1");
  auto parsed = km_->VerifyJws("AUDIT", "checkpoint", *signed_cp, {}, std::span(cp));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->header.alg, SignatureAlgorithm::kEdDsa);
  ASSERT_EQ(parsed->header.x5c.size(), 3u);
  auto root = km_->GetCertificate("ROOT");
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(VerifyJwsWithX5c(*signed_cp, std::span(&*root, 1), {}, std::span(cp)).ok());
  // Signing-only keys do not encrypt.
  EXPECT_EQ(km_->Encrypt("AUDIT", "checkpoint", cp).status().code(), kErrJwsKeyMismatch);

  // A module key signs inside the key store.
  auto signer = km_->GetSigner("AUDIT", "");
  ASSERT_TRUE(signer.ok()) << signer.status();
  auto module_jws = SignJws(**signer, B("x"));
  ASSERT_TRUE(module_jws.ok());
  EXPECT_TRUE(km_->VerifyJws("AUDIT", "", *module_jws).ok());
}

TEST_F(KeyManagerTest, RotationWithDefaultSettingsKeepsTheKeyType) {
  auto first = km_->GetCertificate("AUDIT", "checkpoint");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->public_key().algorithm(), KeyAlgorithm::kEd25519);
  KeyManagerSettings plain;
  plain.generate_key = pool_.Generator();
  auto tool = KeyManager::Create(plain, store_, repo_, env_);
  ASSERT_TRUE(tool.ok());
  auto rotated = (*tool)->Rotate("AUDIT", "checkpoint");
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_EQ(rotated->algorithm, KeyAlgorithm::kEd25519);
}

TEST_F(KeyManagerTest, RejectsBadIdentifiers) {
  EXPECT_EQ(km_->GetCertificate("").status().code(), kErrBadApplication);
  EXPECT_EQ(km_->GetCertificate("id_repo").status().code(), kErrBadApplication);
  EXPECT_EQ(km_->GetCertificate("ID_REPO", "a/b").status().code(), kErrBadApplication);
  EXPECT_EQ(km_->GetCertificate("ROOT", "x").status().code(), kErrBadApplication);
  EXPECT_EQ(km_->GetCertificate("ID_REPO", std::string(129, 'a')).status().code(),
            kErrBadApplication);
}

TEST(KeyManagerSoftHsmTest, HierarchyOverSoftHsmSurvivesRestart) {
  auto dir = TempDir::Create("sijil-km-");
  ASSERT_TRUE(dir.ok());
  SimulatedEnv env(5);
  Pkcs11Settings hsm_settings;
  hsm_settings.softhsm_dir = (dir->path() / "hsm").string();
  hsm_settings.pin = "1111";
  InMemoryKeyRepository repo;
  TestKeyPool pool;
  const Bytes secret = B("wrapped by a module key that never leaves the token");
  Bytes envelope;
  {
    auto hsm = Pkcs11KeyStore::Open(hsm_settings, env);
    ASSERT_TRUE(hsm.ok()) << hsm.status();
    KeyManagerSettings settings;
    settings.generate_key = pool.Generator();
    auto km = KeyManager::Create(settings, **hsm, repo, env);
    ASSERT_TRUE(km.ok()) << km.status();
    auto e = (*km)->Encrypt("ID_REPO", "uin", secret);
    ASSERT_TRUE(e.ok()) << e.status();
    envelope = *e;
  }
  auto hsm = Pkcs11KeyStore::Open(hsm_settings, env);
  ASSERT_TRUE(hsm.ok()) << hsm.status();
  auto km = KeyManager::Create({}, **hsm, repo, env);
  ASSERT_TRUE(km.ok()) << km.status();
  auto plain = (*km)->Decrypt("ID_REPO", "uin", envelope);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(*plain, secret);
  EXPECT_TRUE((*km)->Check().ok());
}

}  // namespace
}  // namespace sijil::crypto
