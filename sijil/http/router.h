// Router: maps (method, path) to a handler and its access rule.
//
// Patterns are absolute paths whose segments are literals or `{name}` parameters that match
// one non-empty segment: `/v1/idgenerator/uin/validate/{uin}`. A literal segment wins over a
// parameter at the same position, so `/v1/x/new` and `/v1/x/{id}` can coexist. Every route
// says who may call it: public (no credentials: only /health and /metrics), any
// authenticated caller, or callers holding one of a list of roles (ADMIN holds every role).
//
// Thread-safety: routes are added during setup; after the server starts the router is
// read-only and Match() is safe from any thread.
#ifndef SIJIL_HTTP_ROUTER_H_
#define SIJIL_HTTP_ROUTER_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sijil/base/result.h"
#include "sijil/http/message.h"

namespace sijil::http {

using Handler = std::function<Result<Response>(Request&)>;

// The role that passes every role check.
inline constexpr std::string_view kAdminRole = "ADMIN";

struct RouteOptions {
  enum class Access { kPublic, kAuthenticated, kRoles };
  Access access = Access::kAuthenticated;
  std::vector<std::string> roles;  // for kRoles: any one suffices
  // MOSIP envelope "id" for this route's responses, e.g. "mosip.kernel.uin.validate".
  std::string envelope_id = "sijil";
  std::string envelope_version = "v1";

  static RouteOptions Public(std::string envelope_id = "sijil");
  static RouteOptions Authenticated(std::string envelope_id);
  static RouteOptions Roles(std::vector<std::string> roles, std::string envelope_id);
};

struct Route {
  Method method;
  std::string pattern;
  RouteOptions options;
  Handler handler;
  std::vector<std::string> segments;  // parsed pattern
};

class Router {
 public:
  // Adds a route. A malformed pattern or a duplicate (method, pattern) is a programming
  // error: fails with SIJ-HTP-020.
  Status Add(Method method, std::string pattern, RouteOptions options, Handler handler);

  struct Match {
    const Route* route = nullptr;               // null if nothing matched
    std::map<std::string, std::string> params;  // decoded path parameters
    std::vector<Method> allowed;                // methods the path supports (for 405)
  };
  // Matches a decoded path split into segments (see SplitPath).
  Match Find(Method method, const std::vector<std::string>& segments) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Splits an origin-form target's path ("/a/b%2Fc/") into percent-decoded segments
// (["a", "b/c"]); a trailing slash is ignored. Fails (SIJ-HTP-002) on a bad escape, an
// encoded NUL, or a path not starting with '/'.
Result<std::vector<std::string>> SplitPath(std::string_view path);

// Decodes `a=1&b=x+y` into pairs; SIJ-HTP-002 on a bad escape.
Result<std::multimap<std::string, std::string>> ParseQuery(std::string_view query);

// Percent-decoding; `plus_is_space` for query strings.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace sijil::http

#endif  // SIJIL_HTTP_ROUTER_H_
