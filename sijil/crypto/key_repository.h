// KeyRepository: the key manager's tables (MOSIP's key_alias + key_store), behind a small
// interface so the hierarchy logic does not depend on a storage engine.
//
// Production uses SqlKeyRepository (sql_key_repository.h, over sijil::store). The in-memory
// implementation here is for unit tests. Implementations are thread-safe.
#ifndef SIJIL_CRYPTO_KEY_REPOSITORY_H_
#define SIJIL_CRYPTO_KEY_REPOSITORY_H_

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"
#include "sijil/crypto/keys.h"

namespace sijil::crypto {

// Root (self-signed, in the HSM) → module/master keys (one per application id, in the
// HSM) → base keys (per application and reference id, private part in the database wrapped
// by the module key).
enum class KeyTier { kRoot, kModule, kBase };
std::string_view KeyTierName(KeyTier tier);  // "ROOT", "MODULE", "BASE"
Result<KeyTier> ParseKeyTier(std::string_view name);

struct KeyRecord {
  std::string alias;           // unique, random (32 hex digits)
  std::string application_id;  // "ROOT" for the root key
  std::string reference_id;    // "" for root and module keys
  KeyTier tier = KeyTier::kBase;
  KeyAlgorithm algorithm = KeyAlgorithm::kRsa2048;
  Bytes certificate_der;
  std::string thumbprint_hex;  // upper-case hex SHA-256 of certificate_der
  std::string hsm_label;       // root and module keys: the KeyStore label
  Bytes wrapped_private_key;   // base keys: VER_R2 envelope of PKCS#8 under the module key
  std::string master_alias;    // module: the root's alias; base: the module key's alias
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  std::chrono::system_clock::time_point created_at;
};

class KeyRepository {
 public:
  virtual ~KeyRepository() = default;
  // SIJ-CRY-042 (kAlreadyExists) if the alias exists.
  virtual Status Insert(const KeyRecord& record) = 0;
  // Every key of (application, reference), oldest not_before first.
  virtual Result<std::vector<KeyRecord>> FindByApplication(std::string_view application_id,
                                                           std::string_view reference_id) = 0;
  virtual Result<std::optional<KeyRecord>> FindByAlias(std::string_view alias) = 0;
  virtual Result<std::optional<KeyRecord>> FindByThumbprint(std::string_view thumbprint_hex) = 0;
  // Every key, ordered by application, reference and not_before.
  virtual Result<std::vector<KeyRecord>> ListAll() = 0;
  // Ends a key's validity early (rotation). NotFound if the alias does not exist.
  virtual Status SetNotAfter(std::string_view alias,
                             std::chrono::system_clock::time_point not_after) = 0;
};

// For unit tests only.
class InMemoryKeyRepository final : public KeyRepository {
 public:
  Status Insert(const KeyRecord& record) override;
  Result<std::vector<KeyRecord>> FindByApplication(std::string_view application_id,
                                                   std::string_view reference_id) override;
  Result<std::optional<KeyRecord>> FindByAlias(std::string_view alias) override;
  Result<std::optional<KeyRecord>> FindByThumbprint(std::string_view thumbprint_hex) override;
  Result<std::vector<KeyRecord>> ListAll() override;
  Status SetNotAfter(std::string_view alias,
                     std::chrono::system_clock::time_point not_after) override;

 private:
  std::mutex mu_;
  std::map<std::string, KeyRecord, std::less<>> by_alias_;
};

}  // namespace sijil::crypto

#endif  // SIJIL_CRYPTO_KEY_REPOSITORY_H_
