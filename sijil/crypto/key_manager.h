// KeyManager: Sijil's key hierarchy, after MOSIP's key manager (reference §6).
//
//   ROOT (RSA-2048, in the KeyStore, self-signed)
//    └ module/master key per application id (RSA-2048, in the KeyStore, signed by ROOT)
//       └ base keys per (application id, reference id) (RSA-2048 by default, or P-256 /
//         Ed25519 for signing; private part in the KeyRepository, wrapped in a VER_R2
//         envelope under the module key; certificate signed by the module key)
//
// Keys are created lazily on first use and renewed automatically when they enter their
// pre-expiry window (MOSIP's key_policy_def: ROOT 2920/1125 days, modules 1095/60 (PMS
// 1460/395), base 730/30). Rotation makes a new key current; older keys stay in the tables
// so everything encrypted or signed under them still decrypts and verifies. A reference id of
// "" names the module key itself.
//
// Unwrapped base keys are cached in memory (the HSM is only asked once per key), so hot-path
// encryption, decryption and signing run at OpenSSL speed. Thread-safe.
#ifndef SIJIL_CRYPTO_KEY_MANAGER_H_
#define SIJIL_CRYPTO_KEY_MANAGER_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sijil/base/env.h"
#include "sijil/crypto/jws.h"
#include "sijil/crypto/key_repository.h"
#include "sijil/crypto/key_store.h"
#include "sijil/crypto/keys.h"

namespace sijil::crypto {

struct KeyPolicy {
  int validity_days;
  int pre_expire_days;
};

struct KeyManagerSettings {
  std::string organization = "Sijil";
  std::string country;  // optional ISO 3166 code in certificate names
  KeyPolicy root{2920, 1125};
  KeyPolicy module{1095, 60};
  KeyPolicy base{730, 30};
  // Module policies that differ from `module`, by application id.
  std::map<std::string, KeyPolicy> module_overrides = {{"PMS", {1460, 395}}};
  // Algorithm of new base keys by "APP/REF" or "APP" (the more specific wins); RSA-2048
  // otherwise. Envelope encryption needs RSA; signing-only keys may be EC_P256 or ED25519.
  std::map<std::string, KeyAlgorithm> base_algorithms;
  // Makes new base keys; empty means PrivateKey::Generate. Tests pass a TestKeyPool's.
  std::function<Result<PrivateKey>(KeyAlgorithm)> generate_key;
};

struct KeyInfo {
  std::string alias;
  std::string application_id;
  std::string reference_id;
  KeyTier tier;
  KeyAlgorithm algorithm;
  Certificate certificate;
  std::string thumbprint_hex;
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  // The key new encryptions and signatures of (application, reference) use now.
  bool current;
};

class KeyManager {
 public:
  // Creates the root key on first start. `key_store`, `repository` and `env` must outlive
  // the manager.
  static Result<std::unique_ptr<KeyManager>> Create(KeyManagerSettings settings,
                                                    KeyStore& key_store, KeyRepository& repository,
                                                    Env& env);
  ~KeyManager();

  // Application ids are 1-64 of [A-Z0-9_]; reference ids 0-128 of [A-Za-z0-9_.-] (""
  // names the module key; ROOT takes only ""). SIJ-CRY-041 otherwise.

  // The current certificate of (application, reference), creating the key if needed.
  Result<Certificate> GetCertificate(std::string_view application_id,
                                     std::string_view reference_id = "");
  // The current certificate and its issuers up to the root, leaf first.
  Result<std::vector<Certificate>> GetCertificateChain(std::string_view application_id,
                                                       std::string_view reference_id = "");
  // Every key in the tables.
  Result<std::vector<KeyInfo>> ListKeys();
  // Makes a new key current for (application, reference); the old one keeps decrypting and
  // verifying. Returns the new key.
  Result<KeyInfo> Rotate(std::string_view application_id, std::string_view reference_id = "");

  // VER_R2 envelope (envelope.h) for the current key of (application, reference), which must
  // be RSA. Returns raw bytes; MOSIP's API carries them base64url-encoded.
  Result<Bytes> Encrypt(std::string_view application_id, std::string_view reference_id,
                        std::span<const uint8_t> plaintext);
  // Decrypts an envelope made for any key, current or not, of (application, reference).
  // SIJ-CRY-031 when its thumbprint names no key of that pair.
  Result<Bytes> Decrypt(std::string_view application_id, std::string_view reference_id,
                        std::span<const uint8_t> envelope,
                        std::span<const uint8_t> legacy_aad = {});

  // A signer over the current key of (application, reference) with its certificate chain;
  // `algorithm` defaults to the key type's (RS256 for RSA). Base keys sign in memory, module
  // keys (reference "") inside the KeyStore.
  Result<std::shared_ptr<const Signer>> GetSigner(std::string_view application_id,
                                                  std::string_view reference_id,
                                                  std::optional<SignatureAlgorithm> algorithm = {});
  // Compact JWS by the current key; "kid" is the key alias unless `options` sets one.
  Result<std::string> SignJws(std::string_view application_id, std::string_view reference_id,
                              std::span<const uint8_t> payload, JwsSignOptions options = {});
  // Verifies a JWS made by any key of (application, reference): the one its "kid" names,
  // else each key, newest first.
  Result<ParsedJws> VerifyJws(std::string_view application_id, std::string_view reference_id,
                              std::string_view jws, const JwsVerifyOptions& options = {},
                              std::optional<std::span<const uint8_t>> detached_payload = {});

  // OK when the KeyStore answers and the root key is present (for /health).
  Status Check();
  KeyStore& key_store() { return key_store_; }

 private:
  class Resolver;
  KeyManager(KeyManagerSettings settings, KeyStore& key_store, KeyRepository& repository, Env& env);

  Result<KeyRecord> Current(std::string_view application_id, std::string_view reference_id);
  Result<KeyRecord> CreateKey(const std::string& application_id, const std::string& reference_id,
                              std::chrono::system_clock::time_point now);
  Result<std::vector<KeyRecord>> Records(std::string_view application_id,
                                         std::string_view reference_id, bool reload);
  Result<Certificate> CertificateOf(const KeyRecord& record);
  Result<PrivateKey> BaseKeyOf(const KeyRecord& record);
  Result<Bytes> UnwrapWith(const KeyRecord& record, std::span<const uint8_t> wrapped);
  Result<std::shared_ptr<const Signer>> SignerFor(const KeyRecord& record,
                                                  SignatureAlgorithm algorithm);
  KeyPolicy PolicyFor(KeyTier tier, std::string_view application_id) const;
  KeyAlgorithm BaseAlgorithmFor(std::string_view application_id,
                                std::string_view reference_id) const;
  std::chrono::system_clock::time_point Now();

  const KeyManagerSettings settings_;
  KeyStore& key_store_;
  KeyRepository& repository_;
  Env& env_;

  std::mutex create_mu_;  // serialises key creation and rotation
  std::shared_mutex mu_;  // guards the caches below
  std::map<std::pair<std::string, std::string>, std::vector<KeyRecord>> records_;
  std::map<std::string, Certificate> certificates_;  // by alias
  std::map<std::string, PrivateKey> base_keys_;      // by alias, unwrapped
  std::map<std::pair<std::string, int>, std::shared_ptr<const Signer>> signers_;
};

}  // namespace sijil::crypto

#endif  // SIJIL_CRYPTO_KEY_MANAGER_H_
