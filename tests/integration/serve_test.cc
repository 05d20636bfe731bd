// Integration tests of `sijil serve` and `sijil users`: the real binary, a real SQLite file,
// a real SoftHSM2 token in a temporary data directory, and HTTP over loopback on an
// ephemeral port. Every endpoint in docs/api.md is exercised here, as is every startup
// failure that must stop the server with one line naming the problem.
#include <signal.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include <gtest/gtest.h>

#include "sijil/base/env.h"
#include "sijil/ids/identifiers.h"
#include "tests/integration/process.h"

namespace sijil::testing {
namespace {

using std::chrono::seconds;
using Json = nlohmann::json;

// Fast password hashing and quiet logs: the tests measure behaviour, not cost.
std::map<std::string, std::string> TestEnv(std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> env = {{"SIJIL_AUTH_HASH_MEMORY_KIB", "8"},
                                            {"SIJIL_AUTH_HASH_OPS", "1"},
                                            {"SIJIL_LOG_LEVEL", "warn"},
                                            {"SIJIL_HTTP_SHUTDOWN_GRACE_MS", "3000"}};
  for (auto& [k, v] : extra) env[k] = v;
  return env;
}

int CountLines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

class Server {
 public:
  Server(const std::filesystem::path& data_dir, std::vector<std::string> extra_args = {},
         std::map<std::string, std::string> env = {}) {
    std::vector<std::string> argv = {SijilBinary(),     "serve",    "--data-dir",
                                     data_dir.string(), "--listen", "127.0.0.1:0"};
    for (auto& a : extra_args) argv.push_back(a);
    process_ = std::make_unique<ChildProcess>(argv, TestEnv(env));
    auto api = process_->WaitForLine("  API:", seconds(120));
    if (!api) return;
    port_ = static_cast<uint16_t>(std::stoi(api->substr(api->rfind(':') + 1)));
    if (process_->out().find("password:") != std::string::npos) {
      auto line = process_->WaitForLine("password:", seconds(5));
      password_ = line->substr(line->find(':') + 1);
      password_.erase(0, password_.find_first_not_of(' '));
    }
    process_->WaitForLine("Stop with", seconds(10));
  }

  bool started() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  const std::string& password() const { return password_; }
  ChildProcess& process() { return *process_; }

  int Stop() {
    process_->Signal(SIGTERM);
    return process_->Wait(seconds(60));
  }

 private:
  std::unique_ptr<ChildProcess> process_;
  uint16_t port_ = 0;
  std::string password_;
};

std::string Login(uint16_t port, const std::string& user, const std::string& password,
                  int* status = nullptr) {
  Json body = {{"id", "mosip.io.userId.pwd"},
               {"version", "v1"},
               {"request", {{"userName", user}, {"password", password}}}};
  HttpResult r = HttpRequest(port, "POST", "/v1/authmanager/authenticate/useridPwd", body.dump(),
                             {{"Content-Type", "application/json"}});
  if (status) *status = r.status;
  if (r.status != 200) return "";
  return Json::parse(r.body)["response"]["token"];
}

std::map<std::string, std::string> Bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

std::string ErrorCode(const HttpResult& r) {
  Json j = Json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j["errors"].is_array()) return "(no error: " + r.body + ")";
  return j["errors"][0]["errorCode"];
}

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Create("sijil-serve-");
    ASSERT_TRUE(dir.ok());
    tmp_ = std::make_unique<TempDir>(std::move(dir).value());
    data_ = tmp_->path() / "var";
  }
  std::unique_ptr<TempDir> tmp_;
  std::filesystem::path data_;
};

TEST_F(ServeTest, EndToEndWithEveryEndpoint) {
  Server server(data_);
  ASSERT_TRUE(server.started()) << server.process().err();
  ASSERT_FALSE(server.password().empty()) << server.process().out();
  EXPECT_TRUE(std::filesystem::exists(data_ / "sijil.db"));
  EXPECT_TRUE(std::filesystem::exists(data_ / "hsm" / "softhsm2.conf"));
  uint16_t port = server.port();

  // /health: public, checks the store and the key store.
  HttpResult health = HttpRequest(port, "GET", "/health");
  EXPECT_EQ(health.status, 200);
  Json h = Json::parse(health.body);
  EXPECT_EQ(h["status"], "UP");
  EXPECT_EQ(h["components"]["store"]["status"], "UP");
  EXPECT_EQ(h["components"]["keystore"]["status"], "UP");

  // Anonymous calls to anything else are refused.
  HttpResult anon = HttpRequest(port, "GET", "/v1/idgenerator/uin/validate/2345678906");
  EXPECT_EQ(anon.status, 401);
  EXPECT_EQ(ErrorCode(anon), "KER-ATH-401");
  Json anon_body = Json::parse(anon.body);
  EXPECT_TRUE(std::regex_match(anon_body["responsetime"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));

  // Login: wrong password, then the right one.
  int status = 0;
  EXPECT_EQ(Login(port, "admin", "wrong-password-here", &status), "");
  EXPECT_EQ(status, 401);
  std::string token = Login(port, "admin", server.password(), &status);
  ASSERT_EQ(status, 200);
  ASSERT_FALSE(token.empty());

  // Service-account login shape (MOSIP clientidsecretkey) with a user's credentials works too.
  HttpResult client_login = HttpRequest(
      port, "POST", "/v1/authmanager/authenticate/clientidsecretkey",
      Json{{"request", {{"clientId", "admin"}, {"secretKey", server.password()}}}}.dump(),
      {{"Content-Type", "application/json"}});
  EXPECT_EQ(client_login.status, 200);

  // UIN validation.
  HttpResult valid =
      HttpRequest(port, "GET", "/v1/idgenerator/uin/validate/2345678906", "", Bearer(token));
  RunResult generated = RunProcess({SijilBinary(), "ids", "generate", "uin"});
  ASSERT_EQ(generated.status, 0) << generated.err;
  std::string uin = generated.out.substr(0, generated.out.find('\n'));
  valid = HttpRequest(port, "GET", "/v1/idgenerator/uin/validate/" + uin, "", Bearer(token));
  EXPECT_EQ(valid.status, 200) << valid.body;
  EXPECT_EQ(Json::parse(valid.body)["response"]["status"], "VALID");
  EXPECT_EQ(Json::parse(valid.body)["id"], "mosip.kernel.uin.validate");
  HttpResult short_uin =
      HttpRequest(port, "GET", "/v1/idgenerator/uin/validate/12345", "", Bearer(token));
  EXPECT_EQ(short_uin.status, 400);
  EXPECT_EQ(ErrorCode(short_uin), "KER-IDV-203");

  // UIN allocation: idempotent per reference, each UIN valid and issued once.
  auto allocate = [&](const std::string& reference) {
    return HttpRequest(
        port, "POST", "/v1/idgenerator/uin", Json{{"request", {{"reference", reference}}}}.dump(),
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
  };
  HttpResult first = allocate("10001100010000120260101120000");
  ASSERT_EQ(first.status, 200) << first.body;
  std::string issued = Json::parse(first.body)["response"]["uin"];
  EXPECT_TRUE(ids::ValidateUin(issued).ok()) << issued;
  HttpResult repeat = allocate("10001100010000120260101120000");
  EXPECT_EQ(Json::parse(repeat.body)["response"]["uin"], issued);
  HttpResult other = allocate("10001100010000220260101120000");
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_NE(Json::parse(other.body)["response"]["uin"], issued);
  HttpResult anon_allocate = HttpRequest(port, "POST", "/v1/idgenerator/uin", "{}");
  EXPECT_EQ(anon_allocate.status, 401);

  // Certificates.
  HttpResult cert =
      HttpRequest(port, "GET", "/v1/keymanager/certificate?applicationId=KERNEL&referenceId=SIGN",
                  "", Bearer(token));
  ASSERT_EQ(cert.status, 200) << cert.body;
  std::string pem = Json::parse(cert.body)["response"]["certificate"];
  EXPECT_TRUE(pem.starts_with("-----BEGIN CERTIFICATE-----")) << pem;
  HttpResult again =
      HttpRequest(port, "GET", "/v1/keymanager/certificate?applicationId=KERNEL&referenceId=SIGN",
                  "", Bearer(token));
  EXPECT_EQ(Json::parse(again.body)["response"]["certificate"], pem);  // same key, not a new one
  HttpResult no_app = HttpRequest(port, "GET", "/v1/keymanager/certificate", "", Bearer(token));
  EXPECT_EQ(no_app.status, 400);
  EXPECT_EQ(ErrorCode(no_app), "SIJ-SRV-020");
  HttpResult bad_app =
      HttpRequest(port, "GET", "/v1/keymanager/certificate?applicationId=NOPE", "", Bearer(token));
  EXPECT_EQ(bad_app.status, 400);

  // /metrics: public, Prometheus text, counts what happened above.
  HttpResult metrics = HttpRequest(port, "GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.headers["content-type"].find("text/plain"), std::string::npos);
  EXPECT_NE(metrics.body.find("sijil_http_requests_total{code=\"200\",method=\"GET\","
                              "route=\"/v1/idgenerator/uin/validate/{uin}\"}"),
            std::string::npos)
      << metrics.body;
  EXPECT_EQ(metrics.body.find(uin), std::string::npos);  // identifiers never become labels

  // Bad requests get 4xx with a code; the server keeps serving.
  // The oversized body is announced but not sent: the server answers from the header and
  // closes, and a client still writing 2 MiB would race that close (EPIPE).
  std::string big = RawRequest(port,
                               "POST /v1/authmanager/authenticate/useridPwd HTTP/1.1\r\n"
                               "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
                               "Content-Length: " +
                                   std::to_string(2 << 20) + "\r\n\r\n{\"request\":");
  EXPECT_TRUE(big.starts_with("HTTP/1.1 413")) << big;
  EXPECT_NE(big.find("SIJ-HTP-001"), std::string::npos) << big;
  std::string garbage = RawRequest(port, "BLAH\r\n\r\n");
  EXPECT_TRUE(garbage.starts_with("HTTP/1.1 400")) << garbage;
  HttpResult bad_json = HttpRequest(port, "POST", "/v1/authmanager/authenticate/useridPwd",
                                    "{\"request\":", {{"Content-Type", "application/json"}});
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(HttpRequest(port, "GET", "/health").status, 200);

  EXPECT_EQ(server.Stop(), 0) << server.process().err();
}

TEST_F(ServeTest, RestartKeepsAccountsAndKeys) {
  std::string password, pem;
  {
    Server first(data_);
    ASSERT_TRUE(first.started()) << first.process().err();
    password = first.password();
    std::string token = Login(first.port(), "admin", password);
    pem = Json::parse(HttpRequest(first.port(), "GET",
                                  "/v1/keymanager/certificate?applicationId=KERNEL", "",
                                  Bearer(token))
                          .body)["response"]["certificate"];
    EXPECT_EQ(first.Stop(), 0);
  }
  Server second(data_);
  ASSERT_TRUE(second.started()) << second.process().err();
  EXPECT_EQ(second.password(), "");  // credentials are printed at first start only
  EXPECT_EQ(second.process().out().find(password), std::string::npos);
  std::string token = Login(second.port(), "admin", password);
  ASSERT_FALSE(token.empty());
  HttpResult cert = HttpRequest(
      second.port(), "GET", "/v1/keymanager/certificate?applicationId=KERNEL", "", Bearer(token));
  EXPECT_EQ(Json::parse(cert.body)["response"]["certificate"], pem);
  EXPECT_EQ(second.Stop(), 0);
}

TEST_F(ServeTest, OfflineToolsReadTheServersConfiguration) {
  {
    Server server(data_);
    ASSERT_TRUE(server.started()) << server.process().err();
    ASSERT_FALSE(Login(server.port(), "admin", server.password()).empty());
    EXPECT_EQ(server.Stop(), 0);
  }
  // The tools find the data directory through the same configuration file as `serve`.
  const std::filesystem::path config = tmp_->path() / "sijil.yaml";
  ASSERT_TRUE(
      Env::Default().WriteFileAtomic(config, "server:\n  data_dir: " + data_.string() + "\n").ok());
  RunResult verify =
      RunProcess({SijilBinary(), "-c", config.string(), "audit", "verify", "--json"}, TestEnv());
  ASSERT_EQ(verify.status, 0) << verify.out << verify.err;
  Json report = Json::parse(verify.out);
  EXPECT_TRUE(report["intact"].get<bool>());
  EXPECT_GE(report["entries"].get<int64_t>(), 1);  // the login above

  RunResult keys =
      RunProcess({SijilBinary(), "-c", config.string(), "keys", "list", "--json"}, TestEnv());
  ASSERT_EQ(keys.status, 0) << keys.out << keys.err;
  bool kernel = false;
  const Json listed = Json::parse(keys.out);
  for (const Json& k : listed["keys"]) kernel |= k["application_id"] == "KERNEL";
  EXPECT_TRUE(kernel) << keys.out;

  // Pointed elsewhere, they refuse instead of making an empty key store there.
  const std::string elsewhere = (tmp_->path() / "elsewhere").string();
  RunResult missing =
      RunProcess({SijilBinary(), "audit", "verify", "--data-dir", elsewhere}, TestEnv());
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("no key store in"), std::string::npos) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(elsewhere));
}

TEST_F(ServeTest, RepeatedLoginFailuresAreThrottled) {
  Server server(data_, {}, {{"SIJIL_AUTH_MAX_FAILURES_PER_ACCOUNT", "3"}});
  ASSERT_TRUE(server.started()) << server.process().err();
  int status = 0;
  for (int i = 0; i < 3; ++i) {
    Login(server.port(), "admin", "not-the-password", &status);
    EXPECT_EQ(status, 401);
  }
  Json body = {{"request", {{"userName", "admin"}, {"password", server.password()}}}};
  HttpResult locked = HttpRequest(server.port(), "POST", "/v1/authmanager/authenticate/useridPwd",
                                  body.dump(), {{"Content-Type", "application/json"}});
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(ErrorCode(locked), "SIJ-SRV-003");
  EXPECT_EQ(server.Stop(), 0);
}

TEST_F(ServeTest, UsersCommandsAndRoles) {
  {
    Server server(data_);  // creates the data directory and the administrator
    ASSERT_TRUE(server.started()) << server.process().err();
    EXPECT_EQ(server.Stop(), 0);
  }
  auto users = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {SijilBinary(), "users"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--data-dir");
    argv.push_back(data_.string());
    return RunProcess(argv, TestEnv());
  };
  RunResult add = users({"add", "regproc", "--service", "--roles", "REGISTRATION_PROCESSOR"});
  ASSERT_EQ(add.status, 0) << add.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(add.out, m, std::regex("secret:  (\\S+)")));
  std::string secret = m[1];
  EXPECT_EQ(users({"add", "regproc"}).status, 1);  // exists
  RunResult bad_role = users({"add", "x", "--roles", "lower"});
  EXPECT_EQ(bad_role.status, 2);
  EXPECT_EQ(CountLines(bad_role.err), 1);

  RunResult list = users({"list", "--json"});
  ASSERT_EQ(list.status, 0) << list.err;
  Json accounts = Json::parse(list.out)["accounts"];
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[1]["name"], "regproc");
  EXPECT_EQ(accounts[1]["kind"], "service");

  Server server(data_);
  ASSERT_TRUE(server.started()) << server.process().err();
  HttpResult login =
      HttpRequest(server.port(), "POST", "/v1/authmanager/authenticate/clientidsecretkey",
                  Json{{"request", {{"clientId", "regproc"}, {"secretKey", secret}}}}.dump(),
                  {{"Content-Type", "application/json"}});
  ASSERT_EQ(login.status, 200) << login.body;
  std::string token = Json::parse(login.body)["response"]["token"];
  EXPECT_EQ(HttpRequest(server.port(), "GET", "/v1/keymanager/certificate?applicationId=KERNEL", "",
                        Bearer(token))
                .status,
            200);
  // Disabling takes effect on the running server at once.
  ASSERT_EQ(users({"disable", "regproc"}).status, 0);
  HttpResult after = HttpRequest(
      server.port(), "GET", "/v1/keymanager/certificate?applicationId=KERNEL", "", Bearer(token));
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(users({"disable", "nobody"}).status, 1);
  ASSERT_EQ(users({"roles", "regproc", "ID_REPOSITORY"}).status, 0);
  EXPECT_EQ(server.Stop(), 0);
}

// --- Startup failures: exit status 2 and one line on stderr naming the problem. ---

void ExpectStartupFailure(const RunResult& r, const std::string& needle) {
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

RunResult ServeOnce(const std::filesystem::path& data, std::vector<std::string> extra = {},
                    std::map<std::string, std::string> env = {}) {
  std::vector<std::string> argv = {SijilBinary()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  for (const char* a : {"serve", "--listen", "127.0.0.1:0", "--data-dir"}) argv.push_back(a);
  argv.push_back(data.string());
  // A healthy start would run until signalled; these must exit by themselves.
  return RunProcess(argv, TestEnv(env), seconds(60));
}

TEST_F(ServeTest, MalformedConfigStopsStartup) {
  std::filesystem::path config = tmp_->path() / "sijil.yaml";
  std::ofstream(config) << "http:\n  port: [1\n";
  ExpectStartupFailure(ServeOnce(data_, {"-c", config.string()}), "malformed YAML");
  std::ofstream(config, std::ios::trunc) << "http:\n  prot: 8080\n";
  ExpectStartupFailure(ServeOnce(data_, {"-c", config.string()}),
                       "unknown configuration key http.prot");
  ExpectStartupFailure(ServeOnce(data_, {}, {{"SIJIL_HTTP_THREADS", "many"}}),
                       "http.threads (from SIJIL_HTTP_THREADS)");
  ExpectStartupFailure(ServeOnce(data_, {"-c", (tmp_->path() / "missing.yaml").string()}),
                       "missing.yaml");
}

TEST_F(ServeTest, CorruptDatabaseStopsStartup) {
  std::filesystem::create_directories(data_);
  std::ofstream(data_ / "sijil.db") << std::string(8192, 'Z');
  ExpectStartupFailure(ServeOnce(data_), "database");
}

TEST_F(ServeTest, HsmFailuresStopStartup) {
  {
    Server server(data_);
    ASSERT_TRUE(server.started()) << server.process().err();
    EXPECT_EQ(server.Stop(), 0);
  }
  ExpectStartupFailure(ServeOnce(data_, {}, {{"SIJIL_HSM_PIN", "not-the-pin"}}), "wrong PIN");
  std::filesystem::remove_all(data_ / "hsm" / "tokens");
  std::filesystem::create_directories(data_ / "hsm" / "tokens");
  ExpectStartupFailure(ServeOnce(data_), "token 'sijil' not found");
}

TEST_F(ServeTest, PortInUseStopsStartup) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor taken(
      ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  std::string port = std::to_string(taken.local_endpoint().port());
  std::vector<std::string> argv = {SijilBinary(),  "serve",    "--data-dir",
                                   data_.string(), "--listen", "127.0.0.1:" + port};
  RunResult r = RunProcess(argv, TestEnv(), seconds(60));
  ExpectStartupFailure(r, "cannot listen on 127.0.0.1:" + port + ": Address already in use");
}

TEST_F(ServeTest, BadListenFlag) {
  ExpectStartupFailure(RunProcess({SijilBinary(), "serve", "--listen", "nonsense"}, TestEnv()),
                       "--listen expects HOST:PORT");
}

}  // namespace
}  // namespace sijil::testing
