// KeyStore: where Sijil's most valuable keys live (the root and the per-module master keys).
//
// Keys are generated inside the store and never leave it: callers get the public half and
// ask the store to sign or to decrypt. The production implementation is PKCS#11
// (pkcs11_key_store.h: SoftHSM2 by default, any network HSM by configuration);
// InMemoryKeyStore (memory_key_store.h) exists for unit tests only.
//
// Keys are named by a label unique within the store. Implementations are thread-safe.
#ifndef SIJIL_CRYPTO_KEY_STORE_H_
#define SIJIL_CRYPTO_KEY_STORE_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"
#include "sijil/crypto/keys.h"
#include "sijil/crypto/signature.h"

namespace sijil::crypto {

struct KeyStoreKey {
  std::string label;
  KeyAlgorithm algorithm;
  PublicKey public_key;
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // Generates a key pair whose private half is non-extractable. SIJ-CRY-016 if `label` is
  // taken; SIJ-CRY-014 on an HSM failure.
  virtual Result<KeyStoreKey> GenerateKeyPair(std::string_view label, KeyAlgorithm algorithm) = 0;
  // SIJ-CRY-015 if there is no key pair named `label`.
  virtual Result<KeyStoreKey> FindKeyPair(std::string_view label) = 0;
  // Every key pair, sorted by label.
  virtual Result<std::vector<KeyStoreKey>> ListKeyPairs() = 0;
  // Destroys both halves. SIJ-CRY-015 if absent.
  virtual Status DeleteKeyPair(std::string_view label) = 0;

  // A JOSE-form signature (signature.h) of `data` by key `label`. SIJ-CRY-022 if the key
  // does not fit `algorithm`.
  virtual Result<Bytes> Sign(std::string_view label, SignatureAlgorithm algorithm,
                             std::span<const uint8_t> data) = 0;
  // RSA-OAEP (SHA-256, MGF1-SHA-256, no label) decryption by RSA key `label`.
  // SIJ-CRY-032 when the ciphertext does not decrypt.
  virtual Result<Bytes> DecryptRsaOaepSha256(std::string_view label,
                                             std::span<const uint8_t> ciphertext) = 0;

  // OK when the store answers (used by /health).
  virtual Status Check() = 0;
  // One line for logs and `sijil keys list`, e.g. "PKCS#11 token 'sijil' (SoftHSM 2.6)".
  virtual std::string Describe() const = 0;
};

// A Signer backed by a KeyStore key. The store must outlive the signer.
class KeyStoreSigner final : public Signer {
 public:
  KeyStoreSigner(KeyStore& store, std::string label, SignatureAlgorithm algorithm,
                 std::vector<Certificate> chain = {})
      : store_(store), label_(std::move(label)), algorithm_(algorithm), chain_(std::move(chain)) {}

  SignatureAlgorithm algorithm() const override { return algorithm_; }
  const std::vector<Certificate>& chain() const override { return chain_; }
  Result<Bytes> Sign(std::span<const uint8_t> data) const override {
    return store_.Sign(label_, algorithm_, data);
  }

 private:
  KeyStore& store_;
  std::string label_;
  SignatureAlgorithm algorithm_;
  std::vector<Certificate> chain_;
};

}  // namespace sijil::crypto

#endif  // SIJIL_CRYPTO_KEY_STORE_H_
