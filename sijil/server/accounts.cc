#include "sijil/server/accounts.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "sijil/base/encoding.h"

namespace sijil::server {
namespace {

constexpr std::string_view kSchema[] = {
    R"sql(
CREATE TABLE server_accounts (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  roles TEXT NOT NULL,
  disabled BIGINT NOT NULL DEFAULT 0,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
)sql",
};

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '@' || c == '-';
  });
}

bool ValidRole(std::string_view role) {
  if (role.empty() || role.size() > 64) return false;
  return std::all_of(role.begin(), role.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string JoinRoles(std::vector<std::string> roles) {
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  std::string out;
  for (size_t i = 0; i < roles.size(); ++i) out += (i ? "," : "") + roles[i];
  return out;
}

std::vector<std::string> SplitRoles(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    if (comma > pos) out.emplace_back(text.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

int64_t Millis(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Status NotFound(std::string_view name) {
  return Status::NotFound(kErrAccountNotFound, "no account named " + std::string(name));
}

Result<Account> AccountFromRow(const store::Row& row) {
  Account a;
  SIJIL_ASSIGN_OR_RETURN(a.name, row.GetText(0));
  SIJIL_ASSIGN_OR_RETURN(std::string kind, row.GetText(1));
  SIJIL_ASSIGN_OR_RETURN(a.kind, ParseAccountKind(kind));
  SIJIL_ASSIGN_OR_RETURN(std::string roles, row.GetText(2));
  a.roles = SplitRoles(roles);
  SIJIL_ASSIGN_OR_RETURN(int64_t disabled, row.GetInt64(3));
  a.disabled = disabled != 0;
  SIJIL_ASSIGN_OR_RETURN(int64_t created, row.GetInt64(4));
  a.created_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(created));
  return a;
}

constexpr char kSelect[] =
    "SELECT name, kind, roles, disabled, created_at_ms, secret_hash FROM server_accounts";

}  // namespace

std::string_view AccountKindName(AccountKind kind) {
  return kind == AccountKind::kUser ? "user" : "service";
}

Result<AccountKind> ParseAccountKind(std::string_view name) {
  if (name == "user") return AccountKind::kUser;
  if (name == "service") return AccountKind::kService;
  return Status::InvalidArgument(kErrAccountInvalid,
                                 "account kind must be user or service, not " + std::string(name));
}

PasswordHashSettings PasswordHashSettings::Minimum() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

Result<std::unique_ptr<AccountStore>> AccountStore::Open(store::Database& db, Env& env,
                                                         PasswordHashSettings hashing) {
  if (sodium_init() < 0) {
    return Status::Internal(kErrHashing, "libsodium failed to initialise");
  }
  SIJIL_RETURN_IF_ERROR(db.Migrate("server", std::span<const std::string_view>(kSchema)));
  std::unique_ptr<AccountStore> store(new AccountStore(db, env, hashing, ""));
  SIJIL_ASSIGN_OR_RETURN(store->dummy_hash_, store->Hash(GenerateSecret(env)));
  return store;
}

AccountStore::AccountStore(store::Database& db, Env& env, PasswordHashSettings hashing,
                           std::string dummy)
    : db_(db), env_(env), hashing_(hashing), dummy_hash_(std::move(dummy)) {}

Result<std::string> AccountStore::Hash(std::string_view secret) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, secret.data(), secret.size(), hashing_.ops_limit,
                            hashing_.mem_limit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::ResourceExhausted(kErrHashing, "not enough memory to hash a secret");
  }
  return std::string(out);
}

std::string AccountStore::GenerateSecret(Env& env) {
  uint8_t bytes[24];
  env.RandomBytes(bytes);
  return Base64UrlEncode(bytes);
}

Status AccountStore::CheckRoles(const std::vector<std::string>& roles) {
  for (const std::string& role : roles) {
    if (!ValidRole(role)) {
      return Status::InvalidArgument(kErrAccountInvalid,
                                     "a role is 1-64 of A-Z, 0-9 and _, not \"" + role + "\"");
    }
  }
  return Status::Ok();
}

Status AccountStore::Add(std::string_view name, AccountKind kind, std::string_view secret,
                         const std::vector<std::string>& roles) {
  if (!ValidName(name)) {
    return Status::InvalidArgument(kErrAccountInvalid,
                                   "an account name is 1-64 of A-Z, a-z, 0-9 and . _ @ -");
  }
  if (secret.size() < 12) {
    return Status::InvalidArgument(kErrAccountInvalid, "a secret has at least 12 characters");
  }
  SIJIL_RETURN_IF_ERROR(CheckRoles(roles));
  SIJIL_ASSIGN_OR_RETURN(std::string hash, Hash(secret));
  int64_t now = Millis(env_.Now());
  auto inserted = db_.Execute(
      "INSERT INTO server_accounts (name, kind, secret_hash, roles, disabled, created_at_ms, "
      "updated_at_ms) VALUES (?, ?, ?, ?, 0, ?, ?) ON CONFLICT (name) DO NOTHING",
      {std::string(name), std::string(AccountKindName(kind)), hash, JoinRoles(roles), now, now});
  if (!inserted.ok()) return inserted.status();
  if (*inserted == 0) {
    return Status::AlreadyExists(kErrAccountExists,
                                 "an account named " + std::string(name) + " exists");
  }
  return Status::Ok();
}

Result<Account> AccountStore::Get(std::string_view name) {
  SIJIL_ASSIGN_OR_RETURN(store::Rows rows,
                         db_.Query(std::string(kSelect) + " WHERE name = ?", {std::string(name)}));
  if (rows.empty()) return NotFound(name);
  return AccountFromRow(rows[0]);
}

Result<std::vector<Account>> AccountStore::List() {
  SIJIL_ASSIGN_OR_RETURN(store::Rows rows, db_.Query(std::string(kSelect) + " ORDER BY name"));
  std::vector<Account> out;
  for (const store::Row& row : rows) {
    SIJIL_ASSIGN_OR_RETURN(Account a, AccountFromRow(row));
    out.push_back(std::move(a));
  }
  return out;
}

Status AccountStore::SetRoles(std::string_view name, const std::vector<std::string>& roles) {
  SIJIL_RETURN_IF_ERROR(CheckRoles(roles));
  SIJIL_ASSIGN_OR_RETURN(
      int64_t n,
      db_.Execute("UPDATE server_accounts SET roles = ?, updated_at_ms = ? WHERE name = ?",
                  {JoinRoles(roles), Millis(env_.Now()), std::string(name)}));
  return n == 0 ? NotFound(name) : Status::Ok();
}

Status AccountStore::SetDisabled(std::string_view name, bool disabled) {
  SIJIL_ASSIGN_OR_RETURN(
      int64_t n,
      db_.Execute("UPDATE server_accounts SET disabled = ?, updated_at_ms = ? WHERE name = ?",
                  {disabled ? 1 : 0, Millis(env_.Now()), std::string(name)}));
  return n == 0 ? NotFound(name) : Status::Ok();
}

Status AccountStore::SetSecret(std::string_view name, std::string_view secret) {
  if (secret.size() < 12) {
    return Status::InvalidArgument(kErrAccountInvalid, "a secret has at least 12 characters");
  }
  SIJIL_ASSIGN_OR_RETURN(std::string hash, Hash(secret));
  SIJIL_ASSIGN_OR_RETURN(
      int64_t n,
      db_.Execute("UPDATE server_accounts SET secret_hash = ?, updated_at_ms = ? WHERE name = ?",
                  {hash, Millis(env_.Now()), std::string(name)}));
  return n == 0 ? NotFound(name) : Status::Ok();
}

Result<bool> AccountStore::Empty() {
  SIJIL_ASSIGN_OR_RETURN(store::Rows rows, db_.Query("SELECT COUNT(*) FROM server_accounts"));
  SIJIL_ASSIGN_OR_RETURN(int64_t n, rows[0].GetInt64(0));
  return n == 0;
}

Result<Account> AccountStore::Verify(std::string_view name, std::string_view secret) {
  const Status bad = Status::Unauthenticated(kErrBadCredentials, "invalid account name or secret");
  std::string hash = dummy_hash_;
  std::optional<Account> account;
  if (ValidName(name)) {
    SIJIL_ASSIGN_OR_RETURN(
        store::Rows rows, db_.Query(std::string(kSelect) + " WHERE name = ?", {std::string(name)}));
    if (!rows.empty()) {
      SIJIL_ASSIGN_OR_RETURN(Account a, AccountFromRow(rows[0]));
      SIJIL_ASSIGN_OR_RETURN(hash, rows[0].GetText(5));
      account = std::move(a);
    }
  }
  bool match = crypto_pwhash_str_verify(hash.c_str(), secret.data(), secret.size()) == 0;
  if (!account || !match || account->disabled) return bad;
  return *account;
}

}  // namespace sijil::server
