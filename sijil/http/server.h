// HttpServer: an asynchronous HTTP/1.1 server on Boost.Beast/Asio.
//
// N worker threads run one io_context; each connection is served on its own strand with
// keep-alive. Limits protect the process from hostile clients: a maximum header size (431),
// body size (413), and a read timeout covering both the wait for the next request on a kept
// connection and the time to receive a whole request (408 if a request was under way). A
// malformed request gets 400 with an error code; the connection is then closed. No input
// can crash the server: handler exceptions become 500 SIJ-HTP-007.
//
// For each request the server assigns a request id (a client's X-Request-Id if it is a
// short token, else a random one), matches the route (404/405), authenticates the bearer
// token when the route is not public (401 KER-ATH-401) and checks roles (403 KER-ATH-403),
// runs the handler, wraps envelope responses, writes one access-log line and updates
// metrics (sijil_http_*).
//
// Stop() is graceful: it stops accepting, closes idle connections, lets requests being
// received or handled finish (bounded by `shutdown_grace`), then stops the threads.
//
// Thread-safety: Start() and Stop() are called from one controlling thread. The router,
// authenticator, env and metrics must outlive the server and be safe to use from the worker
// threads.
#ifndef SIJIL_HTTP_SERVER_H_
#define SIJIL_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sijil/base/env.h"
#include "sijil/base/metrics.h"
#include "sijil/base/status.h"
#include "sijil/http/router.h"

namespace sijil::http {

// Checks a bearer token. Implemented by the server module on top of the key manager.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The caller behind `token`, or Unauthenticated (KER-ATH-401) if the token is invalid,
  // expired or belongs to a disabled account.
  virtual Result<Principal> Authenticate(std::string_view token) = 0;
};

struct HttpServerSettings {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: an ephemeral port, see HttpServer::port()
  int threads = 2;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds write_timeout{30000};
  std::chrono::milliseconds shutdown_grace{10000};
};

class HttpServer {
 public:
  // `authenticator` may be null only if every route is public.
  HttpServer(HttpServerSettings settings, const Router& router, Env& env, Metrics& metrics,
             Authenticator* authenticator);
  ~HttpServer();  // Stop()s if running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the worker threads. Fails with SIJ-HTP-010 (address in use, permission
  // denied) or SIJ-HTP-011 (not an IP address), naming the address.
  Status Start();
  // The bound port (useful with port 0).
  uint16_t port() const;
  // Graceful shutdown; idempotent.
  void Stop();

  // Connections currently open.
  size_t open_connections() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sijil::http

#endif  // SIJIL_HTTP_SERVER_H_
