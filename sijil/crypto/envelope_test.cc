// The envelope is checked against an independent implementation written here from the
// layout in MOSIP's documentation (reference §6.3), using only OpenSSL calls, in both
// directions, plus the legacy layouts and every way a hostile envelope can be wrong.
#include "sijil/crypto/envelope.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "sijil/crypto/errors.h"
#include "sijil/crypto/test_keys.h"

namespace sijil::crypto {
namespace {

const std::string kSplitter = "#KEY_SPLITTER#";

// ---- The independent implementation (OpenSSL only; no Sijil crypto code).

Bytes RandomBytes(size_t n) {
  Bytes b(n);
  EXPECT_EQ(RAND_bytes(b.data(), static_cast<int>(n)), 1);
  return b;
}

Bytes OaepSha256(EVP_PKEY* pub, const Bytes& in, bool decrypt) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(pub, nullptr);
  EXPECT_EQ(decrypt ? EVP_PKEY_decrypt_init(ctx) : EVP_PKEY_encrypt_init(ctx), 1);
  EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING);
  EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256());
  EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256());
  size_t len = 1024;
  Bytes out(len);
  int rc = decrypt ? EVP_PKEY_decrypt(ctx, out.data(), &len, in.data(), in.size())
                   : EVP_PKEY_encrypt(ctx, out.data(), &len, in.data(), in.size());
  EXPECT_EQ(rc, 1);
  EVP_PKEY_CTX_free(ctx);
  out.resize(len);
  return out;
}

// AES-256-GCM; returns ciphertext || tag.
Bytes Gcm(const Bytes& key, const Bytes& iv, const Bytes& aad, const Bytes& in, bool decrypt,
          bool* ok = nullptr) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  Bytes out(in.size() + 16);
  if (!decrypt) {
    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr);
    EVP_EncryptInit_ex(ctx, nullptr, nullptr, key.data(), iv.data());
    if (!aad.empty())
      EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size()));
    EVP_EncryptUpdate(ctx, out.data(), &len, in.data(), static_cast<int>(in.size()));
    int total = len;
    EVP_EncryptFinal_ex(ctx, out.data() + total, &len);
    total += len;
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out.data() + total);
    out.resize(static_cast<size_t>(total) + 16);
  } else {
    size_t ct = in.size() - 16;
    EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr);
    EVP_DecryptInit_ex(ctx, nullptr, nullptr, key.data(), iv.data());
    if (!aad.empty())
      EVP_DecryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size()));
    EVP_DecryptUpdate(ctx, out.data(), &len, in.data(), static_cast<int>(ct));
    int total = len;
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, const_cast<uint8_t*>(in.data() + ct));
    bool good = EVP_DecryptFinal_ex(ctx, out.data() + total, &len) == 1;
    if (ok != nullptr) *ok = good;
    total += len;
    out.resize(static_cast<size_t>(total));
  }
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

void Append(Bytes& out, const Bytes& b) { out.insert(out.end(), b.begin(), b.end()); }
void Append(Bytes& out, const std::string& s) { out.insert(out.end(), s.begin(), s.end()); }

// VER_R2 per the spec.
Bytes SpecEncryptR2(EVP_PKEY* pub, const Bytes& thumbprint, const Bytes& plaintext) {
  Bytes key = RandomBytes(32);
  Bytes aad = RandomBytes(32);
  Bytes nonce(aad.begin(), aad.begin() + 12);
  Bytes out;
  Append(out, std::string("VER_R2"));
  Append(out, thumbprint);
  Append(out, OaepSha256(pub, key, false));
  Append(out, kSplitter);
  Append(out, aad);
  Append(out, Gcm(key, nonce, aad, plaintext, false));
  return out;
}

Bytes SpecDecryptR2(EVP_PKEY* priv, const Bytes& env, bool* ok) {
  // Fixed offsets for RSA-2048: 6 + 32 + 256, then the splitter.
  EXPECT_EQ(std::string(env.begin(), env.begin() + 6), "VER_R2");
  Bytes wrapped(env.begin() + 38, env.begin() + 38 + 256);
  EXPECT_EQ(std::string(env.begin() + 294, env.begin() + 294 + 14), kSplitter);
  Bytes key = OaepSha256(priv, wrapped, true);
  Bytes aad(env.begin() + 308, env.begin() + 340);
  Bytes nonce(aad.begin(), aad.begin() + 12);
  Bytes sealed(env.begin() + 340, env.end());
  return Gcm(key, nonce, aad, sealed, true, ok);
}

Bytes SpecEncryptLegacy(EVP_PKEY* pub, const Bytes* thumbprint, const Bytes& plaintext,
                        const Bytes& aad) {
  Bytes key = RandomBytes(32);
  Bytes iv = RandomBytes(16);
  Bytes out;
  if (thumbprint != nullptr) Append(out, *thumbprint);
  Append(out, OaepSha256(pub, key, false));
  Append(out, kSplitter);
  Append(out, Gcm(key, iv, aad, plaintext, false));
  Append(out, iv);
  return out;
}

// ---- Tests

class EnvelopeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TestKeyPool pool;
    auto key = pool.Next(KeyAlgorithm::kRsa2048);
    ASSERT_TRUE(key.ok());
    key_ = new PrivateKey(*key);
    auto other = pool.Next(KeyAlgorithm::kRsa2048);
    ASSERT_TRUE(other.ok());
    other_ = new PrivateKey(*other);
  }
  void SetUp() override {
    thumbprint_ = Sha256(AsBytes("recipient certificate"));
    resolver_.Add(thumbprint_, *key_);
  }

  static PrivateKey* key_;
  static PrivateKey* other_;
  SimulatedEnv env_{11};
  Bytes thumbprint_;
  PrivateKeyResolver resolver_;
};
PrivateKey* EnvelopeTest::key_ = nullptr;
PrivateKey* EnvelopeTest::other_ = nullptr;

TEST_F(EnvelopeTest, OursDecryptsBySpecWithExactLayout) {
  for (size_t n : {0, 1, 15, 16, 17, 1000, 70000}) {
    SCOPED_TRACE(n);
    Bytes plaintext(n);
    env_.RandomBytes(plaintext);
    auto env = EnvelopeEncrypt(key_->public_key(), thumbprint_, plaintext, env_);
    ASSERT_TRUE(env.ok()) << env.status();
    ASSERT_EQ(env->size(), 6 + 32 + 256 + 14 + 32 + n + 16);
    EXPECT_EQ(Bytes(env->begin() + 6, env->begin() + 38), thumbprint_);
    bool ok = false;
    EXPECT_EQ(SpecDecryptR2(key_->get(), *env, &ok), plaintext);
    EXPECT_TRUE(ok);
  }
}

TEST_F(EnvelopeTest, SpecEncryptionDecryptsWithOurs) {
  const Bytes plaintext(AsBytes("{\"name\":\"Fatima Zahra\"}").begin(),
                        AsBytes("{\"name\":\"Fatima Zahra\"}").end());
  Bytes env = SpecEncryptR2(key_->public_key().get(), thumbprint_, plaintext);
  auto out = EnvelopeDecrypt(env, resolver_);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, plaintext);
  // Through base64url, as MOSIP's API carries it.
  auto decoded = Base64Decode(Base64UrlEncode(env));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(EnvelopeDecrypt(*decoded, resolver_).value(), plaintext);
}

TEST_F(EnvelopeTest, LegacyLayoutsDecrypt) {
  const Bytes plaintext = {'l', 'e', 'g', 'a', 'c', 'y'};
  Bytes with_thumb = SpecEncryptLegacy(key_->public_key().get(), &thumbprint_, plaintext, {});
  EXPECT_EQ(EnvelopeDecrypt(with_thumb, resolver_).value(), plaintext);
  Bytes no_thumb = SpecEncryptLegacy(key_->public_key().get(), nullptr, plaintext, {});
  EXPECT_EQ(EnvelopeDecrypt(no_thumb, resolver_).value(), plaintext);
  const Bytes aad = {'s', 'a', 'l', 't'};
  Bytes with_aad = SpecEncryptLegacy(key_->public_key().get(), &thumbprint_, plaintext, aad);
  EXPECT_EQ(EnvelopeDecrypt(with_aad, resolver_, aad).value(), plaintext);
  EXPECT_EQ(EnvelopeDecrypt(with_aad, resolver_).status().code(), kErrEnvelopeDecrypt);
}

TEST_F(EnvelopeTest, TamperingAndWrongKeysAreRejected) {
  const Bytes plaintext = {'p', 'i', 'i'};
  auto env = EnvelopeEncrypt(key_->public_key(), thumbprint_, plaintext, env_);
  ASSERT_TRUE(env.ok());
  // Every byte of the AAD, ciphertext and tag is authenticated.
  for (size_t pos : {size_t{308}, size_t{320}, size_t{339}, size_t{340}, env->size() - 1}) {
    Bytes bad = *env;
    bad[pos] ^= 0x01;
    EXPECT_EQ(EnvelopeDecrypt(bad, resolver_).status().code(), kErrEnvelopeDecrypt) << pos;
  }
  // A damaged wrapped key does not unwrap.
  Bytes bad_key = *env;
  bad_key[100] ^= 0x80;
  EXPECT_EQ(EnvelopeDecrypt(bad_key, resolver_).status().code(), kErrEnvelopeDecrypt);
  // An unknown thumbprint names no key.
  Bytes unknown = *env;
  unknown[6] ^= 0x01;
  EXPECT_EQ(EnvelopeDecrypt(unknown, resolver_).status().code(), kErrEnvelopeNoKey);
  // The right thumbprint on the wrong key.
  PrivateKeyResolver wrong;
  wrong.Add(thumbprint_, *other_);
  EXPECT_EQ(EnvelopeDecrypt(*env, wrong).status().code(), kErrEnvelopeDecrypt);
}

TEST_F(EnvelopeTest, MalformedEnvelopes) {
  auto env = EnvelopeEncrypt(key_->public_key(), thumbprint_, Bytes{1, 2, 3}, env_);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(EnvelopeDecrypt(Bytes{}, resolver_).status().code(), kErrEnvelopeMalformed);
  EXPECT_EQ(EnvelopeDecrypt(AsBytes("VER_R2"), resolver_).status().code(), kErrEnvelopeMalformed);
  // No splitter.
  Bytes no_split(env->begin(), env->begin() + 294);
  EXPECT_EQ(EnvelopeDecrypt(no_split, resolver_).status().code(), kErrEnvelopeMalformed);
  // Body cut inside the AAD.
  Bytes short_body(env->begin(), env->begin() + 320);
  EXPECT_EQ(EnvelopeDecrypt(short_body, resolver_).status().code(), kErrEnvelopeMalformed);
  // Key part of an impossible size.
  Bytes odd;
  Append(odd, std::string("VER_R2"));
  Append(odd, Bytes(32 + 100, 7));
  Append(odd, kSplitter);
  Append(odd, Bytes(64, 1));
  EXPECT_EQ(EnvelopeDecrypt(odd, resolver_).status().code(), kErrEnvelopeMalformed);
}

TEST_F(EnvelopeTest, RefusesNonRsaRecipients) {
  auto ec = PrivateKey::Generate(KeyAlgorithm::kEcP256);
  ASSERT_TRUE(ec.ok());
  EXPECT_EQ(EnvelopeEncrypt(ec->public_key(), thumbprint_, Bytes{1}, env_).status().code(),
            kErrJwsKeyMismatch);
}

}  // namespace
}  // namespace sijil::crypto
