#include "sijil/crypto/memory_key_store.h"

#include "sijil/crypto/errors.h"
#include "sijil/crypto/rsa.h"

namespace sijil::crypto {

Result<KeyStoreKey> InMemoryKeyStore::GenerateKeyPair(std::string_view label,
                                                      KeyAlgorithm algorithm) {
  SIJIL_ASSIGN_OR_RETURN(PrivateKey key,
                         generate_ ? generate_(algorithm) : PrivateKey::Generate(algorithm));
  std::lock_guard lock(mu_);
  if (keys_.count(label) != 0) {
    return Status::AlreadyExists(kErrHsmKeyExists, "a key with this label exists");
  }
  keys_.emplace(std::string(label), key);
  return KeyStoreKey{std::string(label), algorithm, key.public_key()};
}

Result<PrivateKey> InMemoryKeyStore::Get(std::string_view label) {
  std::lock_guard lock(mu_);
  auto it = keys_.find(label);
  if (it == keys_.end()) {
    return Status::NotFound(kErrHsmKeyNotFound, "no key with label " + std::string(label));
  }
  return it->second;
}

Result<KeyStoreKey> InMemoryKeyStore::FindKeyPair(std::string_view label) {
  SIJIL_ASSIGN_OR_RETURN(PrivateKey key, Get(label));
  return KeyStoreKey{std::string(label), key.algorithm(), key.public_key()};
}

Result<std::vector<KeyStoreKey>> InMemoryKeyStore::ListKeyPairs() {
  std::lock_guard lock(mu_);
  std::vector<KeyStoreKey> out;
  for (const auto& [label, key] : keys_) {
    out.push_back(KeyStoreKey{label, key.algorithm(), key.public_key()});
  }
  return out;
}

Status InMemoryKeyStore::DeleteKeyPair(std::string_view label) {
  std::lock_guard lock(mu_);
  auto it = keys_.find(label);
  if (it == keys_.end()) {
    return Status::NotFound(kErrHsmKeyNotFound, "no key with label " + std::string(label));
  }
  keys_.erase(it);
  return Status::Ok();
}

Result<Bytes> InMemoryKeyStore::Sign(std::string_view label, SignatureAlgorithm algorithm,
                                     std::span<const uint8_t> data) {
  SIJIL_ASSIGN_OR_RETURN(PrivateKey key, Get(label));
  return SignWithKey(key, algorithm, data);
}

Result<Bytes> InMemoryKeyStore::DecryptRsaOaepSha256(std::string_view label,
                                                     std::span<const uint8_t> ciphertext) {
  SIJIL_ASSIGN_OR_RETURN(PrivateKey key, Get(label));
  return RsaOaepSha256Decrypt(key, ciphertext);
}

}  // namespace sijil::crypto
