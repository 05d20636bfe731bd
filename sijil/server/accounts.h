// AccountStore: the people and programs allowed to call Sijil's API.
//
// Two kinds of account share one table: operator users (who log in with a user name and
// password) and service accounts (programs, which log in with a client id and secret). Each
// has roles (upper-case names such as ADMIN or REGISTRATION_PROCESSOR) and can be disabled.
// Secrets are stored only as Argon2id hashes in libsodium's self-describing string format
// (crypto_pwhash_str), so the cost parameters can rise later without a migration.
//
// Thread-safety: thread-safe (the Database is; libsodium's hashing is reentrant).
#ifndef SIJIL_SERVER_ACCOUNTS_H_
#define SIJIL_SERVER_ACCOUNTS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sijil/base/env.h"
#include "sijil/base/result.h"
#include "sijil/store/database.h"

namespace sijil::server {

enum class AccountKind { kUser, kService };
std::string_view AccountKindName(AccountKind kind);  // "user", "service"
Result<AccountKind> ParseAccountKind(std::string_view name);

struct Account {
  std::string name;
  AccountKind kind = AccountKind::kUser;
  std::vector<std::string> roles;
  bool disabled = false;
  std::chrono::system_clock::time_point created_at;
};

// Argon2id cost. The defaults are libsodium's "interactive" limits (about 64 MiB and 0.1 s
// per hash); tests use the minimum.
struct PasswordHashSettings {
  uint64_t ops_limit = 2;
  size_t mem_limit = 64u << 20;
  static PasswordHashSettings Minimum();
};

// Error codes (all messages are safe to show).
inline constexpr char kErrAccountExists[] = "SIJ-SRV-010";    // kAlreadyExists
inline constexpr char kErrAccountInvalid[] = "SIJ-SRV-011";   // bad name, role or secret
inline constexpr char kErrAccountNotFound[] = "SIJ-SRV-012";  // kNotFound
inline constexpr char kErrHashing[] = "SIJ-SRV-013";          // out of memory while hashing
inline constexpr char kErrBadCredentials[] = "KER-ATH-401";   // kUnauthenticated

class AccountStore {
 public:
  // Brings the `server` schema up to date. `db` and `env` must outlive the store.
  static Result<std::unique_ptr<AccountStore>> Open(store::Database& db, Env& env,
                                                    PasswordHashSettings hashing = {});

  // Names are 1-64 of [A-Za-z0-9._@-]; roles 1-64 of [A-Z0-9_]; secrets at least 12 bytes.
  Status Add(std::string_view name, AccountKind kind, std::string_view secret,
             const std::vector<std::string>& roles);
  Result<Account> Get(std::string_view name);
  Result<std::vector<Account>> List();
  Status SetRoles(std::string_view name, const std::vector<std::string>& roles);
  Status SetDisabled(std::string_view name, bool disabled);
  Status SetSecret(std::string_view name, std::string_view secret);
  Result<bool> Empty();

  // The account if `name` exists, is enabled and `secret` matches. Every failure is the
  // same KER-ATH-401, and an unknown name costs as much time as a wrong secret, so callers
  // learn nothing about which accounts exist.
  Result<Account> Verify(std::string_view name, std::string_view secret);

  // A fresh random secret (32 base64url characters, 192 bits).
  static std::string GenerateSecret(Env& env);
  // Validates a role name.
  static Status CheckRoles(const std::vector<std::string>& roles);

 private:
  AccountStore(store::Database& db, Env& env, PasswordHashSettings hashing, std::string dummy);
  Result<std::string> Hash(std::string_view secret);

  store::Database& db_;
  Env& env_;
  PasswordHashSettings hashing_;
  std::string dummy_hash_;  // verified against for unknown names
};

}  // namespace sijil::server

#endif  // SIJIL_SERVER_ACCOUNTS_H_
