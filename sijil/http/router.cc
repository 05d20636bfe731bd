#include "sijil/http/router.h"

#include <algorithm>

namespace sijil::http {
namespace {

Status BadRequest(std::string message) {
  return Status::InvalidArgument("SIJ-HTP-002", std::move(message));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsParam(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::string_view MethodName(Method method) {
  switch (method) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kPatch:
      return "PATCH";
    case Method::kDelete:
      return "DELETE";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kOther:
      return "OTHER";
  }
  return "OTHER";
}

bool Principal::HasRole(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::optional<std::string> Request::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

const std::string& Request::PathParam(std::string_view name) const {
  static const std::string kEmpty;
  auto it = path_params.find(std::string(name));
  return it == path_params.end() ? kEmpty : it->second;
}

std::optional<std::string> Request::Header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

Response Response::Json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response Response::Envelope(nlohmann::json response, int status) {
  Response r;
  r.status = status;
  r.envelope = true;
  r.envelope_response = std::move(response);
  return r;
}

Result<nlohmann::json> ParseJsonObject(const Request& request) {
  nlohmann::json j = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return BadRequest("the request body is not valid JSON");
  if (!j.is_object()) return BadRequest("the request body must be a JSON object");
  return j;
}

RouteOptions RouteOptions::Public(std::string envelope_id) {
  RouteOptions o;
  o.access = Access::kPublic;
  o.envelope_id = std::move(envelope_id);
  return o;
}

RouteOptions RouteOptions::Authenticated(std::string envelope_id) {
  RouteOptions o;
  o.access = Access::kAuthenticated;
  o.envelope_id = std::move(envelope_id);
  return o;
}

RouteOptions RouteOptions::Roles(std::vector<std::string> roles, std::string envelope_id) {
  RouteOptions o;
  o.access = Access::kRoles;
  o.roles = std::move(roles);
  o.envelope_id = std::move(envelope_id);
  return o;
}

Result<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) {
        return BadRequest("bad percent-encoding in the request target");
      }
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return BadRequest("bad percent-encoding in the request target");
      char decoded = static_cast<char>(hi * 16 + lo);
      if (decoded == '\0') return BadRequest("an encoded NUL in the request target");
      out += decoded;
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::vector<std::string>> SplitPath(std::string_view path) {
  if (path.empty() || path.front() != '/') return BadRequest("the request target must be a path");
  std::vector<std::string> segments;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    std::string_view raw =
        path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (slash == std::string_view::npos && raw.empty()) break;  // trailing slash or "/"
    SIJIL_ASSIGN_OR_RETURN(std::string seg, PercentDecode(raw, false));
    segments.push_back(std::move(seg));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return segments;
}

Result<std::multimap<std::string, std::string>> ParseQuery(std::string_view query) {
  std::multimap<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    std::string_view pair =
        query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      SIJIL_ASSIGN_OR_RETURN(std::string key, PercentDecode(pair.substr(0, eq), true));
      std::string value;
      if (eq != std::string_view::npos) {
        SIJIL_ASSIGN_OR_RETURN(value, PercentDecode(pair.substr(eq + 1), true));
      }
      out.emplace(std::move(key), std::move(value));
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return out;
}

Status Router::Add(Method method, std::string pattern, RouteOptions options, Handler handler) {
  auto segments = SplitPath(pattern);
  if (!segments.ok() || !handler) {
    return Status::Internal("SIJ-HTP-020", "bad route pattern " + pattern);
  }
  for (const std::string& s : *segments) {
    if (s.empty() || (s.find_first_of("{}") != std::string::npos && !IsParam(s))) {
      return Status::Internal("SIJ-HTP-020", "bad route pattern " + pattern);
    }
  }
  for (const Route& r : routes_) {
    if (r.method == method && r.segments == *segments) {
      return Status::Internal("SIJ-HTP-020", "route declared twice: " + pattern);
    }
  }
  routes_.push_back(Route{method, std::move(pattern), std::move(options), std::move(handler),
                          std::move(segments).value()});
  return Status::Ok();
}

Router::Match Router::Find(Method method, const std::vector<std::string>& segments) const {
  Match best;
  int best_literals = -1;
  for (const Route& r : routes_) {
    if (r.segments.size() != segments.size()) continue;
    int literals = 0;
    bool ok = true;
    for (size_t i = 0; i < segments.size() && ok; ++i) {
      if (IsParam(r.segments[i])) {
        ok = !segments[i].empty();
      } else {
        ok = r.segments[i] == segments[i];
        ++literals;
      }
    }
    if (!ok) continue;
    bool method_ok = r.method == method || (method == Method::kHead && r.method == Method::kGet);
    if (std::find(best.allowed.begin(), best.allowed.end(), r.method) == best.allowed.end()) {
      best.allowed.push_back(r.method);
    }
    if (method_ok && literals > best_literals) {
      best_literals = literals;
      best.route = &r;
    }
  }
  if (best.route != nullptr) {
    for (size_t i = 0; i < segments.size(); ++i) {
      const std::string& s = best.route->segments[i];
      if (IsParam(s)) best.params[s.substr(1, s.size() - 2)] = segments[i];
    }
  }
  return best;
}

}  // namespace sijil::http
