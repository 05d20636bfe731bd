#include "sijil/http/server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/logging.h"
#include "sijil/http/envelope.h"

namespace sijil::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr char kComponent[] = "http";

Method ToMethod(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get:
      return Method::kGet;
    case bhttp::verb::head:
      return Method::kHead;
    case bhttp::verb::post:
      return Method::kPost;
    case bhttp::verb::put:
      return Method::kPut;
    case bhttp::verb::patch:
      return Method::kPatch;
    case bhttp::verb::delete_:
      return Method::kDelete;
    case bhttp::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

bool IsHttpParseError(const beast::error_code& ec) {
  return &ec.category() == &bhttp::make_error_code(bhttp::error::bad_target).category();
}

// A client-supplied request id is kept only if it is a short token, so it cannot inject
// anything into log lines.
bool AcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string JoinRoles(const std::vector<std::string>& roles) {
  std::string out;
  for (size_t i = 0; i < roles.size(); ++i) out += (i ? ", " : "") + roles[i];
  return out;
}

class Session;

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServerSettings settings, const Router& router, Env& env, Metrics& metrics,
       Authenticator* authenticator)
      : settings_(std::move(settings)),
        router_(router),
        env_(env),
        authenticator_(authenticator),
        requests_(metrics.CounterFamily("sijil_http_requests_total",
                                        "HTTP requests answered, by method, route and status")),
        latency_(metrics.HistogramFamily("sijil_http_request_duration_seconds",
                                         "Time from a complete request to its response")),
        rejected_(metrics.CounterFamily(
            "sijil_http_rejected_requests_total",
            "Requests refused before routing (too large, malformed, timed out)")),
        in_flight_(metrics.Gauge("sijil_http_in_flight_requests", "Requests being handled")),
        connections_(metrics.Gauge("sijil_http_open_connections", "Open client connections")),
        ioc_(std::max(1, settings_.threads)),
        acceptor_(net::make_strand(ioc_)),
        accept_retry_(acceptor_.get_executor()) {}

  ~Impl() { Stop(); }

  Status Start();
  void Stop();
  uint16_t port() const { return port_; }
  size_t open_connections() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sessions_.size();
  }

  // Runs the whole pipeline for one parsed request; never throws.
  Response Process(Request& request, const RouteOptions** options_out);
  void CountRejected(std::string_view reason) {
    rejected_.Add({{"reason", std::string(reason)}}).Increment();
  }
  void Observe(const Request& request, int status, std::chrono::nanoseconds elapsed,
               size_t bytes_out);

  void Register(const std::shared_ptr<Session>& session);
  void Unregister(Session* session);

  const HttpServerSettings& settings() const { return settings_; }
  bool stopping() const { return stopping_.load(); }
  Env& env() { return env_; }
  prometheus::Gauge& in_flight() { return in_flight_; }

 private:
  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);

  HttpServerSettings settings_;
  const Router& router_;
  Env& env_;
  Authenticator* authenticator_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Gauge& in_flight_;
  prometheus::Gauge& connections_;

  mutable std::mutex mu_;
  std::condition_variable drained_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  std::atomic<bool> stopping_{false};
  bool running_ = false;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;

  // Destroyed before the members above: pending handlers own sessions, whose destructors
  // unregister under mu_.
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, HttpServer::Impl& server)
      : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }
  ~Session() { server_.Unregister(this); }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::DoRead, shared_from_this()));
  }

  // Runs on the session's strand when the server stops: an idle connection is closed now,
  // one with a request under way is closed after its response.
  void OnStop() {
    if (busy_ || (parser_ && parser_->got_some())) {
      closing_ = true;
    } else {
      Close();
    }
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

 private:
  void DoRead() {
    if (closing_ || server_.stopping()) {
      Close();
      return;
    }
    parser_.emplace();
    parser_->body_limit(server_.settings().max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(server_.settings().max_header_bytes));
    stream_.expires_after(server_.settings().read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t bytes) {
    if (ec) {
      if (ec == bhttp::error::body_limit) {
        return Reject(
            "body_limit",
            Status::ResourceExhausted(
                "SIJ-HTP-001", "the request body exceeds " +
                                   std::to_string(server_.settings().max_body_bytes) + " bytes"));
      }
      if (ec == bhttp::error::header_limit) {
        return Reject(
            "header_limit",
            Status::InvalidArgument(
                "SIJ-HTP-006", "the request line and headers exceed " +
                                   std::to_string(server_.settings().max_header_bytes) + " bytes"));
      }
      if (ec == beast::error::timeout) {
        // The stream has already closed the socket; nothing can be sent.
        if (parser_ && parser_->got_some()) server_.CountRejected("timeout");
        return Close();
      }
      if (ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message &&
          IsHttpParseError(ec)) {
        return Reject("malformed", Status::InvalidArgument(
                                       "SIJ-HTP-002", "malformed HTTP request: " + ec.message()));
      }
      return Close();
    }
    busy_ = true;
    auto start = server_.env().MonotonicNow();
    bhttp::request<bhttp::string_body> msg = parser_->release();
    parser_.reset();

    Request request;
    request.method = ToMethod(msg.method());
    request.method_text = std::string(msg.method_string());
    request.remote_address = remote_;
    for (const auto& field : msg) {
      auto raw_name = field.name_string();
      std::string name = ToLower(std::string_view(raw_name.data(), raw_name.size()));
      auto [it, inserted] = request.headers.emplace(name, std::string(field.value()));
      if (!inserted) it->second += ", " + std::string(field.value());
    }
    std::string target(msg.target());
    size_t q = target.find('?');
    request.path = target.substr(0, q);
    std::string query = q == std::string::npos ? "" : target.substr(q + 1);
    request.body = std::move(msg.body());
    bool keep_alive = msg.keep_alive();

    const RouteOptions* options = nullptr;
    Response response;
    {
      auto parsed_query = ParseQuery(query);
      if (!parsed_query.ok()) {
        request.request_id = NewRequestId(request);
        response = ErrorResponse(parsed_query.status(), "sijil", "v1", server_.env().Now());
      } else {
        request.query = std::move(parsed_query).value();
        server_.in_flight().Increment();
        response = server_.Process(request, &options);
        server_.in_flight().Decrement();
      }
    }
    Send(request, std::move(response), keep_alive && !server_.stopping() && !closing_,
         request.method == Method::kHead, start);
  }

  std::string NewRequestId(const Request& request) {
    auto given = request.Header("x-request-id");
    if (given && AcceptableRequestId(*given)) return *given;
    uint8_t bytes[8];
    server_.env().RandomBytes(bytes);
    return HexEncode(bytes, /*upper=*/false);
  }

  // Answers a request that could not be parsed, then closes the connection.
  void Reject(std::string_view reason, const Status& status) {
    server_.CountRejected(reason);
    busy_ = true;
    Request request;
    request.remote_address = remote_;
    request.request_id = NewRequestId(request);
    {
      ScopedRequestId id(request.request_id);
      LogWarn(kComponent, "request rejected",
              {{"reason", std::string(reason)}, {"code", status.code()}, {"remote", remote_}});
    }
    Send(request, ErrorResponse(status, "sijil", "v1", server_.env().Now()), false, false,
         server_.env().MonotonicNow());
  }

  void Send(const Request& request, Response response, bool keep_alive, bool head,
            std::chrono::steady_clock::time_point start) {
    res_ = {};
    res_.version(11);
    res_.result(static_cast<unsigned>(response.status));
    res_.set(bhttp::field::content_type, response.content_type);
    res_.set(bhttp::field::cache_control, "no-store");
    if (!request.request_id.empty()) res_.set("X-Request-Id", request.request_id);
    for (auto& [name, value] : response.headers) res_.set(name, value);
    res_.keep_alive(keep_alive);
    size_t size = response.body.size();
    res_.body() = std::move(response.body);
    res_.prepare_payload();
    if (head) res_.body().clear();
    server_.Observe(request, response.status, server_.env().MonotonicNow() - start, size);
    stream_.expires_after(server_.settings().write_timeout);
    bhttp::async_write(
        stream_, res_,
        beast::bind_front_handler(&Session::OnWrite, shared_from_this(), !keep_alive));
  }

  void OnWrite(bool close, beast::error_code ec, size_t) {
    busy_ = false;
    if (ec || close || closing_) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return Close();
    }
    DoRead();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  HttpServer::Impl& server_;
  std::string remote_;
  bool busy_ = false;
  bool closing_ = false;
};

}  // namespace

Status HttpServer::Impl::Start() {
  if (running_) return Status::FailedPrecondition("SIJ-HTP-012", "the server is already running");
  std::string where = settings_.host + ":" + std::to_string(settings_.port);
  beast::error_code ec;
  auto address = net::ip::make_address(settings_.host, ec);
  if (ec) {
    return Status::InvalidArgument("SIJ-HTP-011",
                                   "cannot listen on " + where + ": not an IP address");
  }
  tcp::endpoint endpoint(address, settings_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return Status::Unavailable("SIJ-HTP-010", "cannot listen on " + where + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint(ec).port();
  stopping_ = false;
  running_ = true;
  DoAccept();
  int n = std::max(1, settings_.threads);
  threads_.reserve(n);
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { ioc_.run(); });
  LogInfo(kComponent, "listening", {{"address", settings_.host}, {"port", port_}, {"threads", n}});
  return Status::Ok();
}

void HttpServer::Impl::Stop() {
  if (!running_) return;
  running_ = false;
  stopping_ = true;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
  });
  // Collect owners under the lock but post (and drop them) outside it: the last owner of a
  // session runs its destructor, which takes mu_.
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [ptr, weak] : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) {
    net::post(session->executor(), [session] { session->OnStop(); });
  }
  live.clear();
  std::unique_lock<std::mutex> lock(mu_);
  bool drained =
      drained_.wait_for(lock, settings_.shutdown_grace, [this] { return sessions_.empty(); });
  size_t left = sessions_.size();
  lock.unlock();
  if (!drained) {
    LogWarn(kComponent, "shutdown grace period over; closing remaining connections",
            {{"connections", left}});
  }
  ioc_.stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  LogInfo(kComponent, "stopped");
}

void HttpServer::Impl::DoAccept() {
  acceptor_.async_accept(net::make_strand(ioc_),
                         beast::bind_front_handler(&HttpServer::Impl::OnAccept, this));
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping_ || !acceptor_.is_open()) return;
  if (ec) {
    // Typically EMFILE: back off briefly instead of spinning, then keep accepting.
    LogWarn(kComponent, "accept failed", {{"error", ec.message()}});
    accept_retry_.expires_after(std::chrono::milliseconds(50));
    accept_retry_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !stopping_) DoAccept();
    });
    return;
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto session = std::make_shared<Session>(std::move(socket), *this);
  Register(session);
  session->Start();
  DoAccept();
}

void HttpServer::Impl::Register(const std::shared_ptr<Session>& session) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_[session.get()] = session;
  connections_.Increment();
}

void HttpServer::Impl::Unregister(Session* session) {
  std::lock_guard<std::mutex> lock(mu_);
  if (sessions_.erase(session) > 0) connections_.Decrement();
  if (sessions_.empty()) drained_.notify_all();
}

Response HttpServer::Impl::Process(Request& request, const RouteOptions** options_out) {
  static const RouteOptions kDefaultOptions;
  {
    auto given = request.Header("x-request-id");
    if (given && AcceptableRequestId(*given)) {
      request.request_id = *given;
    } else {
      uint8_t bytes[8];
      env_.RandomBytes(bytes);
      request.request_id = HexEncode(bytes, /*upper=*/false);
    }
  }
  ScopedRequestId scoped_id(request.request_id);
  const RouteOptions* options = &kDefaultOptions;
  *options_out = options;
  auto error = [&](const Status& s) {
    return ErrorResponse(s, options->envelope_id, options->envelope_version, env_.Now());
  };

  auto segments = SplitPath(request.path);
  if (!segments.ok()) {
    request.route = "invalid";
    return error(segments.status());
  }
  Router::Match match = router_.Find(request.method, *segments);
  if (match.route == nullptr) {
    if (match.allowed.empty()) {
      request.route = "unmatched";
      return error(Status::NotFound("SIJ-HTP-003", "no such endpoint"));
    }
    request.route = "method_not_allowed";
    std::string allow;
    for (Method m : match.allowed)
      allow += (allow.empty() ? "" : ", ") + std::string(MethodName(m));
    Response r = error(Status::InvalidArgument(
        "SIJ-HTP-004", request.method_text + " is not allowed here; allowed: " + allow));
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  const Route& route = *match.route;
  options = &route.options;
  *options_out = options;
  request.route = route.pattern;
  request.path_params = std::move(match.params);

  if (options->access != RouteOptions::Access::kPublic) {
    auto header = request.Header("authorization");
    std::string_view value = header ? std::string_view(*header) : std::string_view();
    constexpr std::string_view kBearer = "Bearer ";
    if (value.size() <= kBearer.size() || ToLower(value.substr(0, kBearer.size())) != "bearer ") {
      Response r = error(Status::Unauthenticated(
          "KER-ATH-401", "authentication required: send Authorization: Bearer <token>"));
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
    if (authenticator_ == nullptr) {
      return error(Status::Unauthenticated("KER-ATH-401", "this server accepts no tokens"));
    }
    Result<Principal> principal = authenticator_->Authenticate(value.substr(kBearer.size()));
    if (!principal.ok()) {
      Status s = principal.status();
      if (s.kind() != StatusKind::kUnauthenticated && s.kind() != StatusKind::kUnavailable) {
        s = Status::Unauthenticated("KER-ATH-401", "invalid or expired token");
      }
      Response r = error(s);
      if (r.status == 401)
        r.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return r;
    }
    request.principal = std::move(principal).value();
    if (options->access == RouteOptions::Access::kRoles &&
        !request.principal->HasRole(kAdminRole)) {
      bool allowed = false;
      for (const std::string& role : options->roles)
        allowed = allowed || request.principal->HasRole(role);
      if (!allowed) {
        return error(Status::PermissionDenied(
            "KER-ATH-403", "this endpoint needs one of the roles: " + JoinRoles(options->roles)));
      }
    }
  }

  Result<Response> result = Status::Internal("SIJ-HTP-007", "internal error");
  try {
    result = route.handler(request);
  } catch (const std::exception& e) {
    LogError(kComponent, "handler threw", {{"route", route.pattern}, {"what", e.what()}});
    result = Status::Internal("SIJ-HTP-007", "internal error");
  } catch (...) {
    LogError(kComponent, "handler threw", {{"route", route.pattern}});
    result = Status::Internal("SIJ-HTP-007", "internal error");
  }
  if (!result.ok()) {
    if (result.status().kind() == StatusKind::kInternal ||
        result.status().kind() == StatusKind::kDataLoss) {
      LogError(kComponent, "request failed",
               {{"route", route.pattern},
                {"code", result.status().code()},
                {"error", result.status().message()}});
    }
    return error(result.status());
  }
  Response response = std::move(result).value();
  if (response.envelope) {
    response.body = Envelope(options->envelope_id, options->envelope_version, env_.Now(),
                             std::move(response.envelope_response))
                        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    response.envelope = false;
    response.content_type = "application/json";
  }
  return response;
}

void HttpServer::Impl::Observe(const Request& request, int status, std::chrono::nanoseconds elapsed,
                               size_t bytes_out) {
  std::string route = request.route.empty() ? "rejected" : request.route;
  std::string method(MethodName(request.method));
  requests_.Add({{"method", method}, {"route", route}, {"code", std::to_string(status)}})
      .Increment();
  double seconds = std::chrono::duration<double>(elapsed).count();
  latency_.Add({{"route", route}}, Metrics::LatencyBuckets()).Observe(seconds);
  if (LogEnabled(LogLevel::kInfo)) {
    // The route pattern, not the path: paths carry identifiers (personal data).
    std::vector<LogField> fields = {{"method", method},
                                    {"route", route},
                                    {"status", status},
                                    {"duration_ms", seconds * 1000.0},
                                    {"bytes_in", request.body.size()},
                                    {"bytes_out", bytes_out},
                                    {"remote", request.remote_address}};
    if (request.principal) fields.emplace_back("subject", request.principal->subject);
    ScopedRequestId id(request.request_id);
    LogInfo(kComponent, "request", fields);
  }
}

HttpServer::HttpServer(HttpServerSettings settings, const Router& router, Env& env,
                       Metrics& metrics, Authenticator* authenticator)
    : impl_(std::make_unique<Impl>(std::move(settings), router, env, metrics, authenticator)) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Start() { return impl_->Start(); }
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Stop() { impl_->Stop(); }
size_t HttpServer::open_connections() const { return impl_->open_connections(); }

}  // namespace sijil::http
