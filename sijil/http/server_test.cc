#include "sijil/http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <thread>

#include "sijil/base/logging.h"
#include "sijil/http/envelope.h"

namespace sijil::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Accepts "good-<subject>-<ROLE>" tokens.
class TestAuthenticator : public Authenticator {
 public:
  Result<Principal> Authenticate(std::string_view token) override {
    if (!token.starts_with("good-")) {
      return Status::Unauthenticated("KER-ATH-401", "invalid or expired token");
    }
    std::string rest(token.substr(5));
    size_t dash = rest.find('-');
    return Principal{rest.substr(0, dash), {rest.substr(dash + 1)}};
  }
};

// A blocking client on one connection.
class Client {
 public:
  explicit Client(uint16_t port) : stream_(ioc_) {
    stream_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    stream_.expires_after(std::chrono::seconds(10));
  }

  bhttp::response<bhttp::string_body> Send(bhttp::verb verb, std::string target,
                                           std::string body = "", std::string token = "") {
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
    req.body() = std::move(body);
    req.prepare_payload();
    bhttp::write(stream_, req);
    return Read();
  }

  void WriteRaw(std::string_view bytes) { net::write(stream_.socket(), net::buffer(bytes)); }

  bhttp::response<bhttp::string_body> Read() {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1 << 24);
    if (head_) parser.skip(true);
    bhttp::read(stream_, buffer_, parser);
    return parser.release();
  }

  // True if the server closed the connection.
  bool Closed() {
    char c;
    beast::error_code ec;
    stream_.socket().read_some(net::buffer(&c, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

  bool head_ = false;

 private:
  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

nlohmann::json Body(const bhttp::response<bhttp::string_body>& res) {
  return nlohmann::json::parse(res.body());
}

std::string ErrorCode(const bhttp::response<bhttp::string_body>& res) {
  return Body(res)["errors"][0]["errorCode"];
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router_
                    .Add(Method::kGet, "/health", RouteOptions::Public(),
                         [](Request&) -> Result<Response> {
                           return Response::Json(200, {{"status", "UP"}});
                         })
                    .ok());
    ASSERT_TRUE(router_
                    .Add(Method::kGet, "/v1/echo/{word}", RouteOptions::Authenticated("echo"),
                         [](Request& r) -> Result<Response> {
                           return Response::Envelope({{"word", r.PathParam("word")},
                                                      {"q", r.Query("q").value_or("")},
                                                      {"who", r.principal->subject}});
                         })
                    .ok());
    ASSERT_TRUE(router_
                    .Add(Method::kPost, "/v1/issue",
                         RouteOptions::Roles({"REGISTRATION_PROCESSOR"}, "issue"),
                         [](Request& r) -> Result<Response> {
                           auto j = ParseJsonObject(r);
                           if (!j.ok()) return j.status();
                           return Response::Envelope({{"got", (*j)["n"]}});
                         })
                    .ok());
    ASSERT_TRUE(router_
                    .Add(Method::kGet, "/v1/fail", RouteOptions::Public("fail"),
                         [](Request&) -> Result<Response> {
                           return Status::InvalidArgument("KER-IDV-203", "UIN length is invalid");
                         })
                    .ok());
    ASSERT_TRUE(router_
                    .Add(Method::kGet, "/v1/throw", RouteOptions::Public(),
                         [](Request&) -> Result<Response> { throw std::runtime_error("boom"); })
                    .ok());
    ASSERT_TRUE(router_
                    .Add(Method::kGet, "/v1/slow", RouteOptions::Public(),
                         [this](Request&) -> Result<Response> {
                           slow_started_ = true;
                           std::this_thread::sleep_for(std::chrono::milliseconds(300));
                           return Response::Text(200, "done");
                         })
                    .ok());
    ASSERT_TRUE(InitLogging({LogLevel::kError}).ok());
    settings_.port = 0;
    settings_.max_body_bytes = 1024;
    settings_.max_header_bytes = 2048;
    settings_.threads = 2;
    StartServer();
  }

  void StartServer() {
    server_ = std::make_unique<HttpServer>(settings_, router_, env_, metrics_, &auth_);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  Router router_;
  SimulatedEnv env_{7};
  Metrics metrics_;
  TestAuthenticator auth_;
  HttpServerSettings settings_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::atomic<bool> slow_started_{false};
};

TEST_F(ServerTest, PublicRouteAndKeepAlive) {
  Client c(port_);
  auto r1 = c.Send(bhttp::verb::get, "/health");
  EXPECT_EQ(r1.result_int(), 200);
  EXPECT_EQ(Body(r1)["status"], "UP");
  EXPECT_EQ(r1[bhttp::field::content_type], "application/json");
  EXPECT_EQ(r1["X-Request-Id"].size(), 16u);
  auto r2 = c.Send(bhttp::verb::get, "/health");  // same connection
  EXPECT_EQ(r2.result_int(), 200);
  EXPECT_NE(r1["X-Request-Id"], r2["X-Request-Id"]);
}

TEST_F(ServerTest, ClientRequestIdIsEchoedWhenSafe) {
  Client c(port_);
  c.WriteRaw("GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc-123\r\n\r\n");
  EXPECT_EQ(c.Read()["X-Request-Id"], "abc-123");
  c.WriteRaw("GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\"b{}\r\n\r\n");
  EXPECT_NE(c.Read()["X-Request-Id"], "a\"b{}");
}

TEST_F(ServerTest, EnvelopeWithPathAndQueryParameters) {
  Client c(port_);
  auto r = c.Send(bhttp::verb::get, "/v1/echo/hello%20world?q=a+b", "", "good-alice-X");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  auto j = Body(r);
  EXPECT_EQ(j["id"], "echo");
  EXPECT_EQ(j["version"], "v1");
  EXPECT_EQ(j["responsetime"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(j["response"]["word"], "hello world");
  EXPECT_EQ(j["response"]["q"], "a b");
  EXPECT_EQ(j["response"]["who"], "alice");
  EXPECT_TRUE(j["errors"].is_null());
}

TEST_F(ServerTest, AuthenticationAndRoles) {
  Client c(port_);
  auto none = c.Send(bhttp::verb::get, "/v1/echo/x");
  EXPECT_EQ(none.result_int(), 401);
  EXPECT_EQ(ErrorCode(none), "KER-ATH-401");
  EXPECT_EQ(Body(none)["id"], "echo");
  auto bad = c.Send(bhttp::verb::get, "/v1/echo/x", "", "forged");
  EXPECT_EQ(bad.result_int(), 401);
  auto wrong_role = c.Send(bhttp::verb::post, "/v1/issue", R"({"n":1})", "good-bob-OPERATOR");
  EXPECT_EQ(wrong_role.result_int(), 403);
  EXPECT_EQ(ErrorCode(wrong_role), "KER-ATH-403");
  auto right =
      c.Send(bhttp::verb::post, "/v1/issue", R"({"n":1})", "good-rp-REGISTRATION_PROCESSOR");
  EXPECT_EQ(right.result_int(), 200);
  EXPECT_EQ(Body(right)["response"]["got"], 1);
  auto admin = c.Send(bhttp::verb::post, "/v1/issue", R"({"n":2})", "good-root-ADMIN");
  EXPECT_EQ(admin.result_int(), 200);
  auto bad_json = c.Send(bhttp::verb::post, "/v1/issue", "{nope", "good-root-ADMIN");
  EXPECT_EQ(bad_json.result_int(), 400);
  EXPECT_EQ(ErrorCode(bad_json), "SIJ-HTP-002");
}

TEST_F(ServerTest, NotFoundAndMethodNotAllowed) {
  Client c(port_);
  auto nf = c.Send(bhttp::verb::get, "/nope");
  EXPECT_EQ(nf.result_int(), 404);
  EXPECT_EQ(ErrorCode(nf), "SIJ-HTP-003");
  auto na = c.Send(bhttp::verb::delete_, "/health");
  EXPECT_EQ(na.result_int(), 405);
  EXPECT_EQ(ErrorCode(na), "SIJ-HTP-004");
  EXPECT_EQ(na[bhttp::field::allow], "GET");
}

TEST_F(ServerTest, HandlerStatusAndExceptionBecomeEnvelopes) {
  Client c(port_);
  auto f = c.Send(bhttp::verb::get, "/v1/fail");
  EXPECT_EQ(f.result_int(), 400);
  EXPECT_EQ(Body(f)["id"], "fail");
  EXPECT_EQ(ErrorCode(f), "KER-IDV-203");
  EXPECT_EQ(Body(f)["errors"][0]["message"], "UIN length is invalid");
  auto t = c.Send(bhttp::verb::get, "/v1/throw");
  EXPECT_EQ(t.result_int(), 500);
  EXPECT_EQ(ErrorCode(t), "SIJ-HTP-007");
  EXPECT_EQ(Body(t)["errors"][0]["message"], "internal error");  // no exception text leaks
  EXPECT_EQ(c.Send(bhttp::verb::get, "/health").result_int(), 200);
}

TEST_F(ServerTest, OversizedBodyIs413) {
  Client c(port_);
  auto r = c.Send(bhttp::verb::post, "/v1/issue", std::string(4096, 'x'), "good-root-ADMIN");
  EXPECT_EQ(r.result_int(), 413);
  EXPECT_EQ(ErrorCode(r), "SIJ-HTP-001");
  EXPECT_TRUE(c.Closed());
}

TEST_F(ServerTest, OversizedHeadersAre431) {
  Client c(port_);
  c.WriteRaw("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
  auto r = c.Read();
  EXPECT_EQ(r.result_int(), 431);
  EXPECT_EQ(ErrorCode(r), "SIJ-HTP-006");
}

TEST_F(ServerTest, MalformedRequestsAre400) {
  for (std::string raw : {std::string("NOT HTTP AT ALL\r\n\r\n"),
                          std::string("GET /health HTTP/1.1\r\nBad Header\r\n\r\n"),
                          std::string("POST /v1/issue HTTP/1.1\r\nContent-Length: zz\r\n\r\n"),
                          std::string("GET /health HTTP/9.9\r\n\r\n")}) {
    Client c(port_);
    c.WriteRaw(raw);
    auto r = c.Read();
    EXPECT_EQ(r.result_int(), 400) << raw;
    EXPECT_EQ(ErrorCode(r), "SIJ-HTP-002") << raw;
  }
  Client c(port_);
  auto bad_escape = c.Send(bhttp::verb::get, "/v1/echo/%zz");
  EXPECT_EQ(bad_escape.result_int(), 400);
  auto bad_query = c.Send(bhttp::verb::get, "/health?x=%G0");
  EXPECT_EQ(bad_query.result_int(), 400);
  auto absolute = c.Send(bhttp::verb::get, "http://example.com/health");
  EXPECT_EQ(absolute.result_int(), 400);
  EXPECT_EQ(c.Send(bhttp::verb::get, "/health").result_int(), 200);
}

TEST_F(ServerTest, HeadHasNoBody) {
  Client c(port_);
  c.head_ = true;
  auto r = c.Send(bhttp::verb::head, "/health");
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_TRUE(r.body().empty());
}

TEST_F(ServerTest, PortInUseNamesTheAddress) {
  HttpServerSettings s = settings_;
  s.port = port_;
  HttpServer second(s, router_, env_, metrics_, &auth_);
  Status st = second.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), "SIJ-HTP-010");
  EXPECT_NE(st.message().find("127.0.0.1:" + std::to_string(port_)), std::string::npos);
  EXPECT_NE(st.message().find("in use"), std::string::npos) << st.message();
  HttpServerSettings bad = settings_;
  bad.host = "localhost.invalid";
  EXPECT_EQ(HttpServer(bad, router_, env_, metrics_, &auth_).Start().code(), "SIJ-HTP-011");
}

TEST_F(ServerTest, GracefulStopFinishesInFlightRequest) {
  auto client = std::async(std::launch::async, [this] {
    Client c(port_);
    return c.Send(bhttp::verb::get, "/v1/slow");
  });
  Client idle(port_);  // an idle keep-alive connection must not hold up shutdown
  ASSERT_EQ(idle.Send(bhttp::verb::get, "/health").result_int(), 200);
  while (!slow_started_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server_->Stop();
  auto r = client.get();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "done");
  EXPECT_FALSE(r.keep_alive());
  EXPECT_TRUE(idle.Closed());
  EXPECT_EQ(server_->open_connections(), 0u);
  // No longer accepting.
  net::io_context ioc;
  tcp::socket s(ioc);
  beast::error_code ec;
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
  EXPECT_TRUE(ec) << "connected after stop";
}

TEST_F(ServerTest, MetricsCountRequests) {
  Client c(port_);
  c.Send(bhttp::verb::get, "/health");
  c.Send(bhttp::verb::get, "/nope");
  std::string text = metrics_.Render();
  EXPECT_NE(text.find(R"(sijil_http_requests_total{code="200",method="GET",route="/health"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(route="unmatched")"), std::string::npos);
  EXPECT_EQ(text.find("/nope"), std::string::npos);  // raw paths never become labels
}

}  // namespace
}  // namespace sijil::http
