// Pkcs11KeyStore: the production KeyStore, talking PKCS#11 v2.40 directly to an HSM module
// loaded with dlopen (SoftHSM2 by default; any PKCS#11 module, such as a network HSM's, by
// configuration).
//
// In the embedded default (`softhsm_dir` set) Sijil runs its own SoftHSM2 store: at first
// start it writes <softhsm_dir>/softhsm2.conf pointing at <softhsm_dir>/tokens, sets
// SOFTHSM2_CONF before loading the module, and creates the token with the configured PIN.
// Later starts never create a token: a missing token is reported, not silently replaced
// (the database holds keys wrapped by the token's keys).
//
// Thread-safe: operations borrow a session from a pool. A PKCS#11 module is initialised
// once per process; opening two stores over one module with different SoftHSM directories at
// the same time is refused.
#ifndef SIJIL_CRYPTO_PKCS11_KEY_STORE_H_
#define SIJIL_CRYPTO_PKCS11_KEY_STORE_H_

#include <memory>
#include <string>

#include "sijil/base/env.h"
#include "sijil/crypto/key_store.h"

namespace sijil::crypto {

struct Pkcs11Settings {
  // The PKCS#11 module (shared library).
  std::string module_path = "/usr/lib/softhsm/libsofthsm2.so";
  // Label of the token holding Sijil's keys.
  std::string token_label = "sijil";
  // User PIN (required). The server reads it from configuration or SIJIL_HSM_PIN.
  std::string pin;
  // Security-officer PIN, used only when Sijil creates the token. Empty: a random one that
  // is not kept (the user PIN then cannot be reset; set one if operators need that).
  std::string so_pin;
  // Non-empty: run a private SoftHSM2 store in this directory (see above).
  std::string softhsm_dir;
};

class Pkcs11KeyStore final : public KeyStore {
 public:
  // Loads the module, finds (or, at first start in SoftHSM mode, creates) the token and logs
  // in. Errors, each one line naming the problem:
  //   SIJ-CRY-010 "HSM module not found: <path>" / not a PKCS#11 module
  //   SIJ-CRY-011 "HSM token '<label>' not found in <path>"
  //   SIJ-CRY-012 "HSM login failed: wrong PIN"
  //   SIJ-CRY-013 "HSM login failed: PIN locked"
  //   SIJ-CRY-017 empty PIN
  static Result<std::unique_ptr<Pkcs11KeyStore>> Open(const Pkcs11Settings& settings, Env& env);
  ~Pkcs11KeyStore() override;

  Result<KeyStoreKey> GenerateKeyPair(std::string_view label, KeyAlgorithm algorithm) override;
  Result<KeyStoreKey> FindKeyPair(std::string_view label) override;
  Result<std::vector<KeyStoreKey>> ListKeyPairs() override;
  Status DeleteKeyPair(std::string_view label) override;
  Result<Bytes> Sign(std::string_view label, SignatureAlgorithm algorithm,
                     std::span<const uint8_t> data) override;
  Result<Bytes> DecryptRsaOaepSha256(std::string_view label,
                                     std::span<const uint8_t> ciphertext) override;
  Status Check() override;
  std::string Describe() const override;

  struct Impl;

 private:
  explicit Pkcs11KeyStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sijil::crypto

#endif  // SIJIL_CRYPTO_PKCS11_KEY_STORE_H_
