#include "sijil/server/tokens.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "sijil/base/encoding.h"

namespace sijil::server {
namespace {

Status Invalid(std::string message) {
  return Status::Unauthenticated(kErrBadCredentials, std::move(message));
}

int64_t Seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

TokenService::TokenService(TokenSettings settings, crypto::KeyManager& keys, AccountStore& accounts,
                           Env& env)
    : settings_(std::move(settings)), keys_(keys), accounts_(accounts), env_(env) {}

Result<IssuedToken> TokenService::Issue(const Account& account) {
  auto now = env_.Now();
  auto expires = now + settings_.ttl;
  uint8_t id[12];
  env_.RandomBytes(id);
  nlohmann::json claims = {{"iss", settings_.issuer}, {"sub", account.name},
                           {"roles", account.roles},  {"iat", Seconds(now)},
                           {"exp", Seconds(expires)}, {"jti", Base64UrlEncode(id)}};
  std::string payload = claims.dump();
  crypto::JwsSignOptions options;
  options.typ = "JWT";
  options.include_x5c = false;  // keeps tokens short; verifiers look the key up by "kid"
  SIJIL_ASSIGN_OR_RETURN(
      std::string token,
      keys_.SignJws(settings_.application_id, settings_.reference_id, AsBytes(payload), options));
  // Truncate to whole seconds like the claim, so what callers see matches the token.
  return IssuedToken{std::move(token),
                     std::chrono::system_clock::time_point(std::chrono::seconds(Seconds(expires)))};
}

Result<http::Principal> TokenService::Authenticate(std::string_view token) {
  if (token.empty() || token.size() > 8192) return Invalid("invalid token");
  crypto::JwsVerifyOptions options;
  options.allowed = {crypto::SignatureAlgorithm::kEs256, crypto::SignatureAlgorithm::kRs256,
                     crypto::SignatureAlgorithm::kPs256, crypto::SignatureAlgorithm::kEdDsa};
  auto parsed = keys_.VerifyJws(settings_.application_id, settings_.reference_id, token, options);
  if (!parsed.ok()) {
    if (parsed.status().kind() == StatusKind::kUnavailable ||
        parsed.status().kind() == StatusKind::kInternal) {
      return parsed.status();  // our failure, not the caller's: do not call it a bad token
    }
    return Invalid("invalid token");
  }
  nlohmann::json claims =
      nlohmann::json::parse(AsChars(parsed->payload), nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object() || !claims.contains("sub") || !claims["sub"].is_string() ||
      !claims.contains("exp") || !claims["exp"].is_number_integer() || !claims.contains("roles") ||
      !claims["roles"].is_array() || claims.value("iss", "") != settings_.issuer) {
    return Invalid("invalid token");
  }
  if (claims["exp"].get<int64_t>() <= Seconds(env_.Now())) return Invalid("token expired");
  std::string subject = claims["sub"].get<std::string>();
  auto account = accounts_.Get(subject);
  if (!account.ok()) {
    if (account.status().kind() == StatusKind::kNotFound) return Invalid("account not found");
    return account.status();
  }
  if (account->disabled) return Invalid("account disabled");
  http::Principal principal;
  principal.subject = subject;
  for (const auto& role : claims["roles"]) {
    if (!role.is_string()) return Invalid("invalid token");
    std::string r = role.get<std::string>();
    if (std::find(account->roles.begin(), account->roles.end(), r) != account->roles.end()) {
      principal.roles.push_back(std::move(r));
    }
  }
  return principal;
}

}  // namespace sijil::server
