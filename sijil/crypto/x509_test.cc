#include "sijil/crypto/x509.h"

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include "sijil/crypto/errors.h"
#include "sijil/crypto/memory_key_store.h"
#include "sijil/crypto/test_keys.h"

namespace sijil::crypto {
namespace {

using std::chrono::hours;

// OpenSSL's own path validation (signatures, CA flags, key usage, dates) at time `at`.
int VerifyChain(const Certificate& leaf, const std::vector<Certificate>& intermediates,
                const Certificate& root, std::chrono::system_clock::time_point at) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, root.get());
  STACK_OF(X509)* chain = sk_X509_new_null();
  for (const Certificate& c : intermediates) sk_X509_push(chain, c.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), chain);
  X509_STORE_CTX_set_time(ctx, 0, std::chrono::system_clock::to_time_t(at));
  int rc = X509_verify_cert(ctx);
  int err = rc == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  sk_X509_free(chain);
  X509_STORE_free(store);
  return err;
}

TEST(X509Test, RootModuleAndBaseChainValidatesWithOpenSsl) {
  SimulatedEnv env(3);
  TestKeyPool pool;
  InMemoryKeyStore hsm(pool.Generator());
  auto root_key = hsm.GenerateKeyPair("root", KeyAlgorithm::kRsa2048);
  auto module_key = hsm.GenerateKeyPair("module", KeyAlgorithm::kRsa2048);
  ASSERT_TRUE(root_key.ok() && module_key.ok());
  auto now = env.Now();

  KeyStoreSigner root_signer(hsm, "root", SignatureAlgorithm::kRs256);
  CertificateSpec root_spec{
      .common_name = "ROOT", .not_before = now, .not_after = now + hours(24 * 2920), .is_ca = true};
  auto root = IssueCertificate(root_spec, root_key->public_key, nullptr, root_signer, env);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(root->Subject(), "CN=ROOT,O=Sijil");
  EXPECT_EQ(root->Issuer(), root->Subject());

  CertificateSpec module_spec{.common_name = "ID_REPO",
                              .not_before = now,
                              .not_after = now + hours(24 * 1095),
                              .is_ca = true,
                              .path_length = 0};
  auto module = IssueCertificate(module_spec, module_key->public_key, &*root, root_signer, env);
  ASSERT_TRUE(module.ok()) << module.status();
  EXPECT_EQ(module->Issuer(), "CN=ROOT,O=Sijil");

  KeyStoreSigner module_signer(hsm, "module", SignatureAlgorithm::kRs256);
  for (KeyAlgorithm alg : {KeyAlgorithm::kRsa2048, KeyAlgorithm::kEcP256, KeyAlgorithm::kEd25519}) {
    SCOPED_TRACE(std::string(KeyAlgorithmName(alg)));
    auto base_key = pool.Next(alg);
    ASSERT_TRUE(base_key.ok());
    CertificateSpec base_spec{.common_name = "identity_data",
                              .organizational_unit = "ID_REPO",
                              .not_before = now,
                              .not_after = now + hours(24 * 730)};
    auto base = IssueCertificate(base_spec, base_key->public_key(), &*module, module_signer, env);
    ASSERT_TRUE(base.ok()) << base.status();
    EXPECT_EQ(VerifyChain(*base, {*module}, *root, now + hours(1)), X509_V_OK);
    EXPECT_EQ(VerifyChain(*base, {*module}, *root, now + hours(24 * 731)),
              X509_V_ERR_CERT_HAS_EXPIRED);
    EXPECT_EQ(base->public_key().SpkiDer(), base_key->public_key().SpkiDer());
  }
}

TEST(X509Test, EcAndEd25519IssuersWork) {
  SimulatedEnv env(4);
  auto now = env.Now();
  for (auto [key_alg, sig_alg] : {std::pair{KeyAlgorithm::kEcP256, SignatureAlgorithm::kEs256},
                                  std::pair{KeyAlgorithm::kEd25519, SignatureAlgorithm::kEdDsa}}) {
    auto key = PrivateKey::Generate(key_alg);
    ASSERT_TRUE(key.ok());
    auto signer = PrivateKeySigner::Create(*key, sig_alg);
    ASSERT_TRUE(signer.ok());
    CertificateSpec spec{.common_name = "KERNEL_SIGN",
                         .not_before = now,
                         .not_after = now + hours(24),
                         .is_ca = true};
    auto cert = IssueCertificate(spec, key->public_key(), nullptr, *signer, env);
    ASSERT_TRUE(cert.ok()) << cert.status();
    EXPECT_EQ(VerifyChain(*cert, {}, *cert, now + hours(1)), X509_V_OK);
  }
}

TEST(X509Test, RejectsBadSpecs) {
  SimulatedEnv env(5);
  auto key = PrivateKey::Generate(KeyAlgorithm::kEd25519);
  ASSERT_TRUE(key.ok());
  auto signer = PrivateKeySigner::Create(*key, SignatureAlgorithm::kEdDsa);
  ASSERT_TRUE(signer.ok());
  auto now = env.Now();
  CertificateSpec empty_period{.common_name = "X", .not_before = now, .not_after = now};
  EXPECT_EQ(
      IssueCertificate(empty_period, key->public_key(), nullptr, *signer, env).status().code(),
      kErrBadCertificate);
  CertificateSpec no_name{.not_before = now, .not_after = now + hours(1)};
  EXPECT_EQ(IssueCertificate(no_name, key->public_key(), nullptr, *signer, env).status().code(),
            kErrBadCertificate);
}

}  // namespace
}  // namespace sijil::crypto
