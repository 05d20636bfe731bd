// The key manager's tables and the salt tables in Sijil's relational store (sijil::store,
// SQLite or PostgreSQL): the production KeyRepository and SaltRepository.
//
// Schema (module "crypto", migrated on Open):
//   crypto_key  (alias PK, application_id, reference_id, tier, algorithm, certificate,
//                thumbprint UNIQUE, hsm_label, wrapped_private_key, master_alias,
//                not_before, not_after, created_at)  -- times in Unix seconds
//   crypto_salt (table_name, salt_id, salt; PK (table_name, salt_id))
// Private key material appears only wrapped (base keys); master keys never leave the HSM.
//
// Thread-safe (the Database is). The Database must outlive the repositories.
#ifndef SIJIL_CRYPTO_SQL_KEY_REPOSITORY_H_
#define SIJIL_CRYPTO_SQL_KEY_REPOSITORY_H_

#include <memory>

#include "sijil/crypto/hashing.h"
#include "sijil/crypto/key_repository.h"
#include "sijil/store/database.h"

namespace sijil::crypto {

// Applies the crypto module's schema migrations (idempotent). Both Open functions call it.
Status MigrateCryptoSchema(store::Database& db);

class SqlKeyRepository final : public KeyRepository {
 public:
  static Result<std::unique_ptr<SqlKeyRepository>> Open(store::Database& db);

  Status Insert(const KeyRecord& record) override;
  Result<std::vector<KeyRecord>> FindByApplication(std::string_view application_id,
                                                   std::string_view reference_id) override;
  Result<std::optional<KeyRecord>> FindByAlias(std::string_view alias) override;
  Result<std::optional<KeyRecord>> FindByThumbprint(std::string_view thumbprint_hex) override;
  Result<std::vector<KeyRecord>> ListAll() override;
  Status SetNotAfter(std::string_view alias,
                     std::chrono::system_clock::time_point not_after) override;

 private:
  explicit SqlKeyRepository(store::Database& db) : db_(db) {}
  store::Database& db_;
};

class SqlSaltRepository final : public SaltRepository {
 public:
  static Result<std::unique_ptr<SqlSaltRepository>> Open(store::Database& db);

  Result<std::map<int, Bytes>> LoadSalts(std::string_view table) override;
  Status InsertSaltsIfAbsent(std::string_view table, const std::map<int, Bytes>& salts) override;

 private:
  explicit SqlSaltRepository(store::Database& db) : db_(db) {}
  store::Database& db_;
};

}  // namespace sijil::crypto

#endif  // SIJIL_CRYPTO_SQL_KEY_REPOSITORY_H_
