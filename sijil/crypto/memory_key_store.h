// InMemoryKeyStore: a KeyStore whose keys live in process memory. FOR UNIT TESTS ONLY: it
// gives no protection to the keys and forgets them on exit. The server never builds one;
// production uses Pkcs11KeyStore. Thread-safe.
#ifndef SIJIL_CRYPTO_MEMORY_KEY_STORE_H_
#define SIJIL_CRYPTO_MEMORY_KEY_STORE_H_

#include <functional>
#include <map>
#include <mutex>

#include "sijil/crypto/key_store.h"

namespace sijil::crypto {

class InMemoryKeyStore final : public KeyStore {
 public:
  // `generate` makes new keys (default PrivateKey::Generate); tests pass a TestKeyPool's.
  explicit InMemoryKeyStore(std::function<Result<PrivateKey>(KeyAlgorithm)> generate = {})
      : generate_(std::move(generate)) {}

  Result<KeyStoreKey> GenerateKeyPair(std::string_view label, KeyAlgorithm algorithm) override;
  Result<KeyStoreKey> FindKeyPair(std::string_view label) override;
  Result<std::vector<KeyStoreKey>> ListKeyPairs() override;
  Status DeleteKeyPair(std::string_view label) override;
  Result<Bytes> Sign(std::string_view label, SignatureAlgorithm algorithm,
                     std::span<const uint8_t> data) override;
  Result<Bytes> DecryptRsaOaepSha256(std::string_view label,
                                     std::span<const uint8_t> ciphertext) override;
  Status Check() override { return Status::Ok(); }
  std::string Describe() const override { return "in-memory key store (tests only)"; }

 private:
  Result<PrivateKey> Get(std::string_view label);

  std::function<Result<PrivateKey>(KeyAlgorithm)> generate_;
  std::mutex mu_;
  std::map<std::string, PrivateKey, std::less<>> keys_;
};

}  // namespace sijil::crypto

#endif  // SIJIL_CRYPTO_MEMORY_KEY_STORE_H_
