#include "sijil/server/app.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "sijil/audit/audit_log.h"
#include "sijil/base/logging.h"
#include "sijil/crypto/errors.h"
#include "sijil/crypto/pkcs11_key_store.h"
#include "sijil/crypto/sql_key_repository.h"
#include "sijil/http/envelope.h"
#include "sijil/ids/identifiers.h"
#include "sijil/ids/uin_pool.h"

namespace sijil::server {
namespace {

constexpr char kComponent[] = "server";
constexpr char kErrConfig[] = "SIJ-SRV-001";
constexpr char kErrDataDir[] = "SIJ-SRV-002";
constexpr char kErrMissingParameter[] = "SIJ-SRV-020";

// MOSIP's application ids (key_policy_def) plus Sijil's own; certificates are served only
// for these, so a caller cannot make the key manager create keys for arbitrary names.
const std::vector<std::string>& KnownApplicationIds() {
  static const std::vector<std::string> ids = {"ROOT",
                                               "REGISTRATION",
                                               "PRE_REGISTRATION",
                                               "REGISTRATION_PROCESSOR",
                                               "ID_REPO",
                                               "KERNEL",
                                               "PMS",
                                               "RESIDENT",
                                               "ADMIN_SERVICES",
                                               "DIGITAL_CARD",
                                               "COMPLIANCE_TOOLKIT",
                                               "IDA"};
  return ids;
}

bool HasRole(const std::vector<std::string>& roles, std::string_view role) {
  return std::find(roles.begin(), roles.end(), "all") != roles.end() ||
         std::find(roles.begin(), roles.end(), role) != roles.end();
}

Status Prefix(const Status& s, std::string_view what) {
  if (s.ok()) return s;
  return Status(s.kind(), s.code(), std::string(what) + ": " + s.message());
}

}  // namespace

void DeclareServerConfig(ConfigSchema& s) {
  s.String("server.data_dir", "./var",
           "Directory for the embedded database, the SoftHSM2 token and other state", NonEmpty())
      .StringList("server.roles", {"all"}, "Components this process runs (all, ids, keys)",
                  [](const ConfigValue& v) -> std::string {
                    const auto& list = std::get<std::vector<std::string>>(v);
                    if (list.empty()) return "a non-empty list of roles";
                    for (const std::string& r : list) {
                      const auto& known = KnownServerRoles();
                      if (std::find(known.begin(), known.end(), r) == known.end()) {
                        return "roles among all, ids, keys";
                      }
                    }
                    return "";
                  })
      .String("server.admin_user", "admin",
              "Name of the administrator account created at first start", NonEmpty())
      .String("http.host", "127.0.0.1", "IP address to listen on", NonEmpty())
      .Int("http.port", 8080, 0, 65535, "TCP port to listen on (0: any free port)")
      .Int("http.threads", 2, 1, 256, "HTTP worker threads")
      .Int("http.max_body_bytes", 1 << 20, 1024, int64_t{1} << 30,
           "Largest request body accepted (larger: 413)")
      .Int("http.max_header_bytes", 16 << 10, 1024, 1 << 20,
           "Largest request line plus headers accepted (larger: 431)")
      .Int("http.read_timeout_ms", 30000, 100, 3600000,
           "Time allowed to receive a request, including keep-alive idle time")
      .Int("http.write_timeout_ms", 30000, 100, 3600000, "Time allowed to send a response")
      .Int("http.shutdown_grace_ms", 10000, 0, 600000,
           "On SIGTERM, how long requests in flight may take to finish")
      .String("log.level", "info", "Log level", OneOf({"debug", "info", "warn", "error", "off"}))
      .String("log.format", "json", "Log line format", OneOf({"json", "text"}))
      .String("log.file", "", "Log file (empty: standard error)")
      .String("store.url", "",
              "Database URL: sqlite:PATH or postgresql://... (empty: sqlite:<data_dir>/sijil.db)")
      .Bool("hsm.embedded", true,
            "Run a private SoftHSM2 store under <data_dir>/hsm (false: use hsm.module as is)")
      .String("hsm.module", "/usr/lib/softhsm/libsofthsm2.so", "PKCS#11 module", NonEmpty())
      .String("hsm.token_label", "sijil", "Label of the token holding Sijil's keys", NonEmpty())
      .Secret("hsm.pin",
              "Token user PIN (embedded default: generated at first start into "
              "<data_dir>/hsm/pin)")
      .Secret("hsm.so_pin", "Token security-officer PIN, used only when creating the token")
      .Int("auth.token_ttl_s", 900, 30, 86400, "Lifetime of bearer tokens, seconds")
      .Int("auth.max_failures_per_account", 5, 1, 1000,
           "Failed logins for one account before it is locked out")
      .Int("auth.max_failures_per_source", 20, 1, 100000,
           "Failed logins from one address before it is locked out")
      .Int("auth.failure_window_s", 300, 1, 86400, "Window in which failed logins are counted")
      .Int("auth.lockout_s", 300, 1, 86400, "How long a lockout lasts, seconds")
      .Int("auth.hash_memory_kib", 65536, 8, 4 << 20, "Argon2id memory per password hash, KiB")
      .Int("auth.hash_ops", 2, 1, 32, "Argon2id passes per password hash")
      .Int("ids.pool.low_water_mark", 10000, 1, int64_t{1} << 32,
           "Refill the UIN pool when fewer UINs than this are available")
      .Int("ids.pool.refill_count", 20000, 1, int64_t{1} << 32, "UINs one refill adds")
      .Int("audit.checkpoint_every", 1000, 0, int64_t{1} << 32,
           "Sign an audit checkpoint every this many entries (0: on demand only)");
}

Result<std::unique_ptr<store::Database>> OpenConfiguredDatabase(const Config& config, Env& env) {
  std::string url = config.GetString("store.url");
  if (url.empty()) {
    std::filesystem::path dir(config.GetString("server.data_dir"));
    SIJIL_RETURN_IF_ERROR(Prefix(env.CreateDirectories(dir), "data directory"));
    url = "sqlite:" + (dir / "sijil.db").string();
  }
  auto db = store::OpenDatabase(url, env);
  if (!db.ok()) return Prefix(db.status(), "database");
  return db;
}

Result<crypto::Pkcs11Settings> ConfiguredHsmSettings(const Config& config, Env& env,
                                                     bool may_create) {
  crypto::Pkcs11Settings hsm;
  hsm.module_path = config.GetString("hsm.module");
  hsm.token_label = config.GetString("hsm.token_label");
  hsm.pin = config.GetString("hsm.pin");
  hsm.so_pin = config.GetString("hsm.so_pin");
  if (!config.GetBool("hsm.embedded")) {
    if (hsm.pin.empty()) {
      return Status::FailedPrecondition(kErrConfig,
                                        "HSM PIN not configured: set hsm.pin or SIJIL_HSM_PIN");
    }
    return hsm;
  }
  const std::filesystem::path data_dir(config.GetString("server.data_dir"));
  const std::filesystem::path dir = data_dir / "hsm";
  const bool first_start = !env.FileExists(dir / "softhsm2.conf");
  if (first_start && !may_create) {
    // Only `sijil serve` makes the token; a tool pointed at the wrong directory must not
    // quietly create an empty one there.
    return Status::FailedPrecondition(crypto::kErrHsmToken,
                                      "no key store in " + dir.string() +
                                          " (start `sijil serve --data-dir " + data_dir.string() +
                                          "` once first, or set server.data_dir)");
  }
  hsm.softhsm_dir = dir.string();
  if (may_create) SIJIL_RETURN_IF_ERROR(Prefix(env.CreateDirectories(dir), "HSM directory"));
  if (!hsm.pin.empty()) return hsm;
  // The embedded default keeps a generated PIN next to the token so `./run` works with no
  // configuration; production sets hsm.pin (SIJIL_HSM_PIN) and keeps it elsewhere.
  const std::filesystem::path pin_file = dir / "pin";
  if (env.FileExists(pin_file)) {
    SIJIL_ASSIGN_OR_RETURN(hsm.pin, env.ReadFile(pin_file));
    while (!hsm.pin.empty() && (hsm.pin.back() == '\n' || hsm.pin.back() == '\r')) {
      hsm.pin.pop_back();
    }
  } else if (first_start) {
    hsm.pin = AccountStore::GenerateSecret(env);
    SIJIL_RETURN_IF_ERROR(Prefix(env.WriteFileAtomic(pin_file, hsm.pin + "\n"), "HSM PIN"));
  } else {
    return Status::FailedPrecondition(kErrConfig,
                                      "HSM PIN not configured: set hsm.pin or "
                                      "SIJIL_HSM_PIN (" +
                                          pin_file.string() + " is missing)");
  }
  return hsm;
}

App::App(Env& env) : env_(env) {}

App::~App() { Stop(); }

Result<std::unique_ptr<App>> App::Create(const Config& config, Env& env) {
  std::unique_ptr<App> app(new App(env));
  SIJIL_RETURN_IF_ERROR(app->Init(config));
  return app;
}

Status App::Init(const Config& config) {
  data_dir_ = std::filesystem::path(config.GetString("server.data_dir"));
  roles_ = config.GetStringList("server.roles");
  host_ = config.GetString("http.host");

  // Logging first, so the rest of startup is recorded where the operator asked.
  LoggingSettings log;
  SIJIL_ASSIGN_OR_RETURN(log.level, ParseLogLevel(config.GetString("log.level")));
  log.json = config.GetString("log.format") == "json";
  log.file = config.GetString("log.file");
  SIJIL_RETURN_IF_ERROR(InitLogging(log));

  if (Status s = env_.CreateDirectories(data_dir_); !s.ok()) {
    return Status::FailedPrecondition(
        kErrDataDir, "data directory " + data_dir_.string() + " cannot be created: " + s.message());
  }

  SIJIL_ASSIGN_OR_RETURN(database_, OpenConfiguredDatabase(config, env_));
  if (Status s = database_->Ping(); !s.ok()) return Prefix(s, "database");

  // Key store: the embedded SoftHSM2 token, or an external PKCS#11 module.
  SIJIL_ASSIGN_OR_RETURN(crypto::Pkcs11Settings hsm,
                         ConfiguredHsmSettings(config, env_, /*may_create=*/true));
  auto key_store = crypto::Pkcs11KeyStore::Open(hsm, env_);
  if (!key_store.ok()) return key_store.status();
  key_store_ = std::move(key_store).value();

  auto repository = crypto::SqlKeyRepository::Open(*database_);
  if (!repository.ok()) return Prefix(repository.status(), "key tables");
  key_repository_ = std::move(repository).value();
  crypto::KeyManagerSettings key_settings;
  key_settings.base_algorithms["KERNEL/AUTH_TOKEN"] = crypto::KeyAlgorithm::kEcP256;
  auto key_manager = crypto::KeyManager::Create(key_settings, *key_store_, *key_repository_, env_);
  if (!key_manager.ok()) return Prefix(key_manager.status(), "key manager");
  key_manager_ = std::move(key_manager).value();

  PasswordHashSettings hashing;
  hashing.ops_limit = static_cast<uint64_t>(config.GetInt("auth.hash_ops"));
  hashing.mem_limit = static_cast<size_t>(config.GetInt("auth.hash_memory_kib")) * 1024;
  SIJIL_ASSIGN_OR_RETURN(accounts_, AccountStore::Open(*database_, env_, hashing));
  ThrottleSettings throttle;
  throttle.max_failures_per_account =
      static_cast<int>(config.GetInt("auth.max_failures_per_account"));
  throttle.max_failures_per_source =
      static_cast<int>(config.GetInt("auth.max_failures_per_source"));
  throttle.window = std::chrono::seconds(config.GetInt("auth.failure_window_s"));
  throttle.lockout = std::chrono::seconds(config.GetInt("auth.lockout_s"));
  throttle_ = std::make_unique<LoginThrottle>(throttle, env_);
  TokenSettings token_settings;
  token_settings.ttl = std::chrono::seconds(config.GetInt("auth.token_ttl_s"));
  tokens_ = std::make_unique<TokenService>(token_settings, *key_manager_, *accounts_, env_);
  // Make the token key now, so the first login does not pay for it.
  if (auto cert =
          key_manager_->GetCertificate(token_settings.application_id, token_settings.reference_id);
      !cert.ok()) {
    return Prefix(cert.status(), "key manager");
  }

  // The audit log signs its checkpoints with a key that never leaves the HSM.
  SIJIL_ASSIGN_OR_RETURN(audit::AuditKey audit_key, audit::EnsureAuditKey(*key_store_));
  audit_signer_ =
      std::make_unique<crypto::KeyStoreSigner>(*key_store_, audit_key.label, audit_key.algorithm);
  SIJIL_ASSIGN_OR_RETURN(Bytes subject_key, audit::DeriveSubjectKey(*audit_signer_));
  audit::AuditLogSettings audit_settings;
  audit_settings.checkpoint_every = config.GetInt("audit.checkpoint_every");
  auto audit_log = audit::AuditLog::Open(*database_, env_, *audit_signer_, audit_key.label,
                                         std::move(subject_key), audit_settings);
  if (!audit_log.ok()) return Prefix(audit_log.status(), "audit log");
  audit_ = std::move(audit_log).value();

  if (HasRole(roles_, "ids")) {
    ids::UinPoolSettings pool_settings;
    pool_settings.low_water_mark = config.GetInt("ids.pool.low_water_mark");
    pool_settings.refill_count = config.GetInt("ids.pool.refill_count");
    auto pool = ids::UinPool::Open(*database_, env_, pool_settings);
    if (!pool.ok()) return Prefix(pool.status(), "UIN pool");
    uin_pool_ = std::move(pool).value();
  }

  SIJIL_ASSIGN_OR_RETURN(bool empty, accounts_->Empty());
  if (empty) {
    FirstStartCredentials creds{config.GetString("server.admin_user"),
                                AccountStore::GenerateSecret(env_)};
    SIJIL_RETURN_IF_ERROR(
        Prefix(accounts_->Add(creds.user, AccountKind::kUser, creds.password, {kRoleAdmin}),
               "administrator account"));
    LogInfo(kComponent, "administrator account created", {{"account", creds.user}});
    first_start_credentials_ = std::move(creds);
  }

  SIJIL_RETURN_IF_ERROR(AddRoutes());

  http_settings_.host = host_;
  http_settings_.port = static_cast<uint16_t>(config.GetInt("http.port"));
  http_settings_.threads = static_cast<int>(config.GetInt("http.threads"));
  http_settings_.max_body_bytes = static_cast<size_t>(config.GetInt("http.max_body_bytes"));
  http_settings_.max_header_bytes = static_cast<size_t>(config.GetInt("http.max_header_bytes"));
  http_settings_.read_timeout = std::chrono::milliseconds(config.GetInt("http.read_timeout_ms"));
  http_settings_.write_timeout = std::chrono::milliseconds(config.GetInt("http.write_timeout_ms"));
  http_settings_.shutdown_grace =
      std::chrono::milliseconds(config.GetInt("http.shutdown_grace_ms"));
  http_ =
      std::make_unique<http::HttpServer>(http_settings_, router_, env_, metrics_, tokens_.get());
  return Status::Ok();
}

Status App::AddRoutes() {
  using http::Method;
  using http::Request;
  using http::Response;
  using http::RouteOptions;

  SIJIL_RETURN_IF_ERROR(router_.Add(
      Method::kGet, "/health", RouteOptions::Public("sijil.health"),
      [this](Request&) -> Result<Response> {
        nlohmann::json components;
        bool up = true;
        auto check = [&](const char* name, const Status& s) {
          if (s.ok()) {
            components[name] = {{"status", "UP"}};
          } else {
            up = false;
            components[name] = {{"status", "DOWN"}, {"errorCode", s.code()}};
          }
        };
        check("store", database_->Ping());
        check("keystore", key_manager_->Check());
        return Response::Json(up ? 200 : 503,
                              {{"status", up ? "UP" : "DOWN"}, {"components", components}});
      }));

  SIJIL_RETURN_IF_ERROR(router_.Add(
      Method::kGet, "/metrics", RouteOptions::Public(), [this](Request&) -> Result<Response> {
        return Response::Text(200, metrics_.Render(), "text/plain; version=0.0.4");
      }));

  // Login, in MOSIP authmanager's two shapes: operators send userName/password, programs
  // clientId/secretKey. Either kind of account may use either path.
  auto login = [this](const char* name_field, const char* secret_field) {
    return [this, name_field, secret_field](Request& request) -> Result<Response> {
      SIJIL_ASSIGN_OR_RETURN(nlohmann::json body, http::ParseJsonObject(request));
      const nlohmann::json* inner = body.contains("request") ? &body["request"] : &body;
      if (!inner->is_object() || !inner->contains(name_field) ||
          !(*inner)[name_field].is_string() || !inner->contains(secret_field) ||
          !(*inner)[secret_field].is_string()) {
        return Status::InvalidArgument(kErrMissingParameter, std::string("request.") + name_field +
                                                                 " and request." + secret_field +
                                                                 " are required strings");
      }
      std::string name = (*inner)[name_field];
      std::string secret = (*inner)[secret_field];
      if (Status s = throttle_->Check(name, request.remote_address); !s.ok()) {
        LogWarn(kComponent, "login throttled",
                {{"account", name}, {"remote", request.remote_address}});
        RecordAudit(name, "auth.login", name, audit::Outcome::kDenied, "throttled");
        return s;
      }
      auto account = accounts_->Verify(name, secret);
      if (!account.ok()) {
        if (account.status().kind() == StatusKind::kUnauthenticated) {
          throttle_->RecordFailure(name, request.remote_address);
        }
        LogWarn(kComponent, "login failed",
                {{"account", name},
                 {"remote", request.remote_address},
                 {"code", account.status().code()}});
        RecordAudit(name, "auth.login", name, audit::Outcome::kFailure, account.status().code());
        return account.status();
      }
      throttle_->RecordSuccess(name);
      SIJIL_ASSIGN_OR_RETURN(IssuedToken token, tokens_->Issue(*account));
      LogInfo(kComponent, "login", {{"account", name}, {"remote", request.remote_address}});
      RecordAudit(name, "auth.login", name, audit::Outcome::kSuccess, "");
      Response r = Response::Envelope({{"status", "success"},
                                       {"message", "authenticated"},
                                       {"token", token.token},
                                       {"tokenType", "Bearer"},
                                       {"expiresIn", tokens_->settings().ttl.count()},
                                       {"expiryTime", http::FormatResponseTime(token.expires_at)},
                                       {"roles", account->roles}});
      r.headers.emplace_back("Authorization", token.token);
      return r;
    };
  };
  SIJIL_RETURN_IF_ERROR(router_.Add(Method::kPost, "/v1/authmanager/authenticate/useridPwd",
                                    RouteOptions::Public("mosip.io.userId.pwd"),
                                    login("userName", "password")));
  SIJIL_RETURN_IF_ERROR(router_.Add(Method::kPost, "/v1/authmanager/authenticate/clientidsecretkey",
                                    RouteOptions::Public("mosip.io.clientId.pwd"),
                                    login("clientId", "secretKey")));

  if (HasRole(roles_, "ids")) {
    // Allocation: an optional request.reference (e.g. the registration id) makes the call
    // idempotent: repeating it returns the UIN already issued to that reference.
    SIJIL_RETURN_IF_ERROR(router_.Add(
        Method::kPost, "/v1/idgenerator/uin",
        RouteOptions::Roles({kRoleRegistrationProcessor, kRoleIdRepository},
                            "mosip.kernel.uin.allocate"),
        [this](Request& request) -> Result<Response> {
          std::string reference;
          if (!request.body.empty()) {
            SIJIL_ASSIGN_OR_RETURN(nlohmann::json body, http::ParseJsonObject(request));
            const nlohmann::json* inner = body.contains("request") ? &body["request"] : &body;
            if (inner->is_object() && inner->contains("reference")) {
              if (!(*inner)["reference"].is_string() ||
                  (*inner)["reference"].get<std::string>().size() > 128) {
                return Status::InvalidArgument(kErrMissingParameter,
                                               "request.reference must be a string of at most "
                                               "128 characters");
              }
              reference = (*inner)["reference"].get<std::string>();
            }
          }
          const std::string actor = request.principal ? request.principal->subject : "";
          Result<std::string> uin = uin_pool_->Allocate(reference);
          if (!uin.ok()) {
            RecordAudit(actor, "uin.allocate", reference, audit::Outcome::kError,
                        uin.status().code());
            return uin.status();
          }
          RecordAudit(actor, "uin.allocate", *uin, audit::Outcome::kSuccess, "");
          return Response::Envelope({{"uin", *uin}});
        }));
    SIJIL_RETURN_IF_ERROR(router_.Add(
        Method::kGet, "/v1/idgenerator/uin/validate/{uin}",
        RouteOptions::Authenticated("mosip.kernel.uin.validate"),
        [](Request& request) -> Result<Response> {
          SIJIL_RETURN_IF_ERROR(ids::ValidateUin(request.PathParam("uin")));
          return Response::Envelope({{"uin", request.PathParam("uin")}, {"status", "VALID"}});
        }));
  }

  if (HasRole(roles_, "keys")) {
    SIJIL_RETURN_IF_ERROR(router_.Add(
        Method::kGet, "/v1/keymanager/certificate",
        RouteOptions::Authenticated("mosip.kernel.keymanager.getCertificate"),
        [this](Request& request) -> Result<Response> {
          std::string app = request.Query("applicationId").value_or("");
          std::string ref = request.Query("referenceId").value_or("");
          if (app.empty()) {
            return Status::InvalidArgument(kErrMissingParameter,
                                           "query parameter applicationId is required");
          }
          const auto& known = KnownApplicationIds();
          if (std::find(known.begin(), known.end(), app) == known.end()) {
            return Status::InvalidArgument(crypto::kErrBadApplication,
                                           "unknown applicationId " + app.substr(0, 64));
          }
          SIJIL_ASSIGN_OR_RETURN(crypto::Certificate cert, key_manager_->GetCertificate(app, ref));
          return Response::Envelope({{"certificate", cert.Pem()},
                                     {"certSignRequest", nullptr},
                                     {"issuedAt", http::FormatResponseTime(cert.not_before())},
                                     {"expiryAt", http::FormatResponseTime(cert.not_after())},
                                     {"timestamp", http::FormatResponseTime(env_.Now())}});
        }));
  }
  return Status::Ok();
}

void App::RecordAudit(const std::string& actor, const std::string& action,
                      const std::string& subject, audit::Outcome outcome,
                      const std::string& details) {
  audit::AuditEvent event{actor.empty() ? "anonymous" : actor.substr(0, 128), action, subject,
                          outcome, details};
  if (auto seq = audit_->Record(event); !seq.ok()) {
    // The request's own outcome stands; a failing audit log is an operational alarm.
    LogError(kComponent, "audit log write failed",
             {{"action", action}, {"code", seq.status().code()}});
  }
}

Status App::Start() {
  Status s = http_->Start();
  if (!s.ok()) return s;
  if (uin_pool_) uin_pool_->StartBackgroundRefill();
  LogInfo(kComponent, "started",
          {{"data_dir", data_dir_.string()}, {"port", http_->port()}, {"roles", roles_}});
  return Status::Ok();
}

void App::Stop() {
  if (http_) http_->Stop();
  if (uin_pool_) uin_pool_->StopBackgroundRefill();
}

uint16_t App::port() const { return http_ ? http_->port() : 0; }

std::vector<std::string> App::Describe() const {
  std::vector<std::string> out;
  out.push_back("data directory: " + std::filesystem::absolute(data_dir_).string());
  out.push_back("key store: " + key_store_->Describe());
  std::string roles;
  for (const auto& r : roles_) roles += (roles.empty() ? "" : ",") + r;
  out.push_back("roles: " + roles);
  return out;
}

}  // namespace sijil::server
