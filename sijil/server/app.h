// App: the composition root behind `sijil serve`.
//
// From a validated Config it builds, in order, the data directory, logging, the database,
// the key store (a SoftHSM2 token under the data directory by default), the key manager,
// accounts and tokens, the components of the configured roles, the routes and the HTTP
// server. Each step that can fail stops startup with a Status whose message is one line
// naming the problem (a corrupt database file, a wrong HSM PIN, a missing token, a port in
// use...). No domain class reads configuration: App turns keys into settings structs.
//
// Thread-safety: Create/Start/Stop from one thread; once started, request handling runs on
// the HTTP worker threads and uses only thread-safe components.
#ifndef SIJIL_SERVER_APP_H_
#define SIJIL_SERVER_APP_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sijil/audit/audit_format.h"
#include "sijil/audit/audit_log.h"
#include "sijil/base/config.h"
#include "sijil/base/env.h"
#include "sijil/base/metrics.h"
#include "sijil/crypto/key_manager.h"
#include "sijil/crypto/key_store.h"
#include "sijil/crypto/pkcs11_key_store.h"
#include "sijil/http/server.h"
#include "sijil/ids/uin_pool.h"
#include "sijil/server/accounts.h"
#include "sijil/server/throttle.h"
#include "sijil/server/tokens.h"
#include "sijil/store/database.h"

namespace sijil::server {

// Declares the keys App reads (server.*, http.*, log.*, store.*, hsm.*, auth.*).
void DeclareServerConfig(ConfigSchema& schema);

// Roles a process can run; "all" means every one.
inline const std::vector<std::string>& KnownServerRoles() {
  static const std::vector<std::string> roles = {"all", "ids", "keys"};
  return roles;
}

// Account roles the routes check.
inline constexpr char kRoleAdmin[] = "ADMIN";
inline constexpr char kRoleRegistrationProcessor[] = "REGISTRATION_PROCESSOR";
inline constexpr char kRoleIdRepository[] = "ID_REPOSITORY";

struct FirstStartCredentials {
  std::string user;
  std::string password;
};

class App {
 public:
  // Opens every component. `env` must outlive the App.
  static Result<std::unique_ptr<App>> Create(const Config& config, Env& env);
  ~App();

  // Binds and serves. SIJ-HTP-010 when the address is taken.
  Status Start();
  // Graceful: stops accepting, finishes requests in flight, closes components.
  void Stop();

  uint16_t port() const;
  const std::string& host() const { return host_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  // Set when this start created the administrator account (print once, never stored).
  const std::optional<FirstStartCredentials>& first_start_credentials() const {
    return first_start_credentials_;
  }
  // Lines describing what runs, for the startup banner.
  std::vector<std::string> Describe() const;

  // For tests and commands.
  store::Database& database() { return *database_; }
  AccountStore& accounts() { return *accounts_; }
  Metrics& metrics() { return metrics_; }

 private:
  explicit App(Env& env);
  Status Init(const Config& config);
  Status AddRoutes();
  // Appends to the audit log; a failure is logged, not returned (see app.cc).
  void RecordAudit(const std::string& actor, const std::string& action, const std::string& subject,
                   audit::Outcome outcome, const std::string& details);

  Env& env_;
  std::filesystem::path data_dir_;
  std::string host_;
  std::vector<std::string> roles_;
  Metrics metrics_;
  std::unique_ptr<store::Database> database_;
  std::unique_ptr<crypto::KeyStore> key_store_;
  std::unique_ptr<crypto::KeyRepository> key_repository_;
  std::unique_ptr<crypto::KeyManager> key_manager_;
  std::unique_ptr<AccountStore> accounts_;
  std::unique_ptr<LoginThrottle> throttle_;
  std::unique_ptr<TokenService> tokens_;
  std::unique_ptr<crypto::Signer> audit_signer_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<ids::UinPool> uin_pool_;
  http::Router router_;
  http::HttpServerSettings http_settings_;
  std::unique_ptr<http::HttpServer> http_;
  std::optional<FirstStartCredentials> first_start_credentials_;
};

// Opens the database named by the configuration (store.url, default SQLite under the data
// directory). Shared with commands that work offline (`sijil users`).
Result<std::unique_ptr<store::Database>> OpenConfiguredDatabase(const Config& config, Env& env);

// How to reach the configured key store (hsm.*): the embedded SoftHSM2 token under
// <server.data_dir>/hsm with its PIN from hsm.pin / SIJIL_HSM_PIN or the generated pin file, or
// an external PKCS#11 module. Only with `may_create` (`sijil serve`) may a missing embedded
// token and its PIN be made; offline tools get SIJ-CRY-011 instead.
Result<crypto::Pkcs11Settings> ConfiguredHsmSettings(const Config& config, Env& env,
                                                     bool may_create);

}  // namespace sijil::server

#endif  // SIJIL_SERVER_APP_H_
