// TokenService: short-lived bearer tokens for API callers.
//
// A token is a compact JWS (ES256 by default) made by the key manager's base key
// (KERNEL, AUTH_TOKEN), whose payload carries the issuer, the subject (account name), its
// roles, the issue and expiry times (seconds since the epoch, from Env) and a random token
// id. Verification accepts any key of that pair, so rotating the key does not log everyone
// out, and then looks the account up: a disabled account's tokens stop working at once, and
// the roles granted are those in the token that the account still holds.
//
// Thread-safety: thread-safe.
#ifndef SIJIL_SERVER_TOKENS_H_
#define SIJIL_SERVER_TOKENS_H_

#include <chrono>
#include <string>
#include <string_view>

#include "sijil/base/env.h"
#include "sijil/crypto/key_manager.h"
#include "sijil/http/server.h"
#include "sijil/server/accounts.h"

namespace sijil::server {

struct TokenSettings {
  std::chrono::seconds ttl{900};
  std::string issuer = "sijil";
  std::string application_id = "KERNEL";
  std::string reference_id = "AUTH_TOKEN";
};

struct IssuedToken {
  std::string token;
  std::chrono::system_clock::time_point expires_at;
};

class TokenService final : public http::Authenticator {
 public:
  // All references must outlive the service.
  TokenService(TokenSettings settings, crypto::KeyManager& keys, AccountStore& accounts, Env& env);

  Result<IssuedToken> Issue(const Account& account);

  // KER-ATH-401 for a malformed, forged or expired token or a disabled or deleted account;
  // the message says which (it reveals nothing the caller does not already hold).
  Result<http::Principal> Authenticate(std::string_view token) override;

  const TokenSettings& settings() const { return settings_; }

 private:
  TokenSettings settings_;
  crypto::KeyManager& keys_;
  AccountStore& accounts_;
  Env& env_;
};

}  // namespace sijil::server

#endif  // SIJIL_SERVER_TOKENS_H_
