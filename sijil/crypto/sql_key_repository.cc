#include "sijil/crypto/sql_key_repository.h"

#include "sijil/crypto/errors.h"

namespace sijil::crypto {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS crypto_key (
  alias TEXT PRIMARY KEY,
  application_id TEXT NOT NULL,
  reference_id TEXT NOT NULL,
  tier TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  certificate BLOB NOT NULL,
  thumbprint TEXT NOT NULL UNIQUE,
  hsm_label TEXT NOT NULL,
  wrapped_private_key BLOB,
  master_alias TEXT NOT NULL,
  not_before BIGINT NOT NULL,
  not_after BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS crypto_key_application ON crypto_key (application_id, reference_id);
CREATE TABLE IF NOT EXISTS crypto_salt (
  table_name TEXT NOT NULL,
  salt_id BIGINT NOT NULL,
  salt BLOB NOT NULL,
  PRIMARY KEY (table_name, salt_id)
);
)sql";

constexpr char kColumns[] =
    "alias, application_id, reference_id, tier, algorithm, certificate, thumbprint, hsm_label, "
    "wrapped_private_key, master_alias, not_before, not_after, created_at";

int64_t ToSeconds(system_clock::time_point t) {
  return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
}
system_clock::time_point FromSeconds(int64_t s) { return system_clock::time_point(seconds(s)); }

Result<KeyRecord> FromRow(const store::Row& row) {
  KeyRecord r;
  SIJIL_ASSIGN_OR_RETURN(r.alias, row.GetText(0));
  SIJIL_ASSIGN_OR_RETURN(r.application_id, row.GetText(1));
  SIJIL_ASSIGN_OR_RETURN(r.reference_id, row.GetText(2));
  SIJIL_ASSIGN_OR_RETURN(std::string tier, row.GetText(3));
  SIJIL_ASSIGN_OR_RETURN(r.tier, ParseKeyTier(tier));
  SIJIL_ASSIGN_OR_RETURN(std::string algorithm, row.GetText(4));
  auto parsed = ParseKeyAlgorithm(algorithm);
  if (!parsed.ok()) return Status::DataLoss(kErrKeyStorage, "unknown key algorithm in key tables");
  r.algorithm = *parsed;
  SIJIL_ASSIGN_OR_RETURN(r.certificate_der, row.GetBlob(5));
  SIJIL_ASSIGN_OR_RETURN(r.thumbprint_hex, row.GetText(6));
  SIJIL_ASSIGN_OR_RETURN(r.hsm_label, row.GetText(7));
  SIJIL_ASSIGN_OR_RETURN(auto wrapped, row.GetOptionalBlob(8));
  if (wrapped.has_value()) r.wrapped_private_key = std::move(*wrapped);
  SIJIL_ASSIGN_OR_RETURN(r.master_alias, row.GetText(9));
  SIJIL_ASSIGN_OR_RETURN(int64_t nb, row.GetInt64(10));
  SIJIL_ASSIGN_OR_RETURN(int64_t na, row.GetInt64(11));
  SIJIL_ASSIGN_OR_RETURN(int64_t ca, row.GetInt64(12));
  r.not_before = FromSeconds(nb);
  r.not_after = FromSeconds(na);
  r.created_at = FromSeconds(ca);
  return r;
}

Result<std::vector<KeyRecord>> FromRows(const store::Rows& rows) {
  std::vector<KeyRecord> out;
  out.reserve(rows.size());
  for (const store::Row& row : rows) {
    SIJIL_ASSIGN_OR_RETURN(KeyRecord r, FromRow(row));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::optional<KeyRecord>> FirstOrNone(Result<store::Rows> rows) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<KeyRecord>();
  SIJIL_ASSIGN_OR_RETURN(KeyRecord r, FromRow((*rows)[0]));
  return std::optional<KeyRecord>(std::move(r));
}

}  // namespace

Status MigrateCryptoSchema(store::Database& db) { return db.Migrate("crypto", {kSchemaV1}); }

Result<std::unique_ptr<SqlKeyRepository>> SqlKeyRepository::Open(store::Database& db) {
  SIJIL_RETURN_IF_ERROR(MigrateCryptoSchema(db));
  return std::unique_ptr<SqlKeyRepository>(new SqlKeyRepository(db));
}

Status SqlKeyRepository::Insert(const KeyRecord& r) {
  std::optional<Bytes> wrapped;
  if (!r.wrapped_private_key.empty()) wrapped = r.wrapped_private_key;
  auto n = db_.Execute(std::string("INSERT INTO crypto_key (") + kColumns +
                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       {r.alias, r.application_id, r.reference_id, KeyTierName(r.tier),
                        KeyAlgorithmName(r.algorithm), store::Value::Blob(r.certificate_der),
                        r.thumbprint_hex, r.hsm_label, wrapped, r.master_alias,
                        ToSeconds(r.not_before), ToSeconds(r.not_after), ToSeconds(r.created_at)});
  if (!n.ok()) {
    if (n.status().kind() == StatusKind::kAlreadyExists) {
      return Status::AlreadyExists(kErrKeyStorage, "key alias or thumbprint exists");
    }
    return n.status();
  }
  return Status::Ok();
}

Result<std::vector<KeyRecord>> SqlKeyRepository::FindByApplication(std::string_view app,
                                                                   std::string_view ref) {
  SIJIL_ASSIGN_OR_RETURN(
      store::Rows rows,
      db_.Query(std::string("SELECT ") + kColumns +
                    " FROM crypto_key WHERE application_id = ? AND reference_id = ?"
                    " ORDER BY not_before, alias",
                {app, ref}));
  return FromRows(rows);
}

Result<std::optional<KeyRecord>> SqlKeyRepository::FindByAlias(std::string_view alias) {
  return FirstOrNone(
      db_.Query(std::string("SELECT ") + kColumns + " FROM crypto_key WHERE alias = ?", {alias}));
}

Result<std::optional<KeyRecord>> SqlKeyRepository::FindByThumbprint(std::string_view thumbprint) {
  return FirstOrNone(db_.Query(
      std::string("SELECT ") + kColumns + " FROM crypto_key WHERE thumbprint = ?", {thumbprint}));
}

Result<std::vector<KeyRecord>> SqlKeyRepository::ListAll() {
  SIJIL_ASSIGN_OR_RETURN(store::Rows rows,
                         db_.Query(std::string("SELECT ") + kColumns +
                                   " FROM crypto_key"
                                   " ORDER BY application_id, reference_id, not_before, alias"));
  return FromRows(rows);
}

Status SqlKeyRepository::SetNotAfter(std::string_view alias, system_clock::time_point not_after) {
  SIJIL_ASSIGN_OR_RETURN(int64_t n,
                         db_.Execute("UPDATE crypto_key SET not_after = ? WHERE alias = ?",
                                     {ToSeconds(not_after), alias}));
  if (n == 0) return Status::NotFound(kErrKeyNotFound, "no key with this alias");
  return Status::Ok();
}

Result<std::unique_ptr<SqlSaltRepository>> SqlSaltRepository::Open(store::Database& db) {
  SIJIL_RETURN_IF_ERROR(MigrateCryptoSchema(db));
  return std::unique_ptr<SqlSaltRepository>(new SqlSaltRepository(db));
}

Result<std::map<int, Bytes>> SqlSaltRepository::LoadSalts(std::string_view table) {
  SIJIL_ASSIGN_OR_RETURN(
      store::Rows rows,
      db_.Query("SELECT salt_id, salt FROM crypto_salt WHERE table_name = ?", {table}));
  std::map<int, Bytes> out;
  for (const store::Row& row : rows) {
    SIJIL_ASSIGN_OR_RETURN(int64_t id, row.GetInt64(0));
    SIJIL_ASSIGN_OR_RETURN(Bytes salt, row.GetBlob(1));
    out.emplace(static_cast<int>(id), std::move(salt));
  }
  return out;
}

Status SqlSaltRepository::InsertSaltsIfAbsent(std::string_view table,
                                              const std::map<int, Bytes>& salts) {
  return db_.RunInTransaction([&](store::Transaction& tx) -> Status {
    for (const auto& [id, salt] : salts) {
      SIJIL_RETURN_IF_ERROR(tx.Execute("INSERT INTO crypto_salt (table_name, salt_id, salt)"
                                       " VALUES (?, ?, ?)"
                                       " ON CONFLICT (table_name, salt_id) DO NOTHING",
                                       {table, id, store::Value::Blob(salt)})
                                .status());
    }
    return Status::Ok();
  });
}

}  // namespace sijil::crypto
