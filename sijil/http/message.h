// HTTP request and response values as handlers see them, independent of Boost.Beast.
//
// A Request is parsed and validated by the server before a handler runs: the path is
// percent-decoded per segment, the query string is decoded, header names are lower case,
// and the body is within the configured limit. A handler returns Result<Response>; a failed
// Status is turned into MOSIP's error envelope by the server (see envelope.h), so handlers
// never format errors themselves.
//
// Thread-safety: plain values; a Request is only touched by the thread serving it.
#ifndef SIJIL_HTTP_MESSAGE_H_
#define SIJIL_HTTP_MESSAGE_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sijil/base/result.h"

namespace sijil::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view MethodName(Method method);

// Who made the request, as established by an Authenticator from the bearer token.
struct Principal {
  std::string subject;             // account name
  std::vector<std::string> roles;  // e.g. "ADMIN", "REGISTRATION_PROCESSOR"
  bool HasRole(std::string_view role) const;
};

struct Request {
  Method method = Method::kGet;
  std::string method_text;  // as received
  std::string path;         // decoded, e.g. /v1/idgenerator/uin/validate/1234567890
  std::string route;        // the matched pattern, e.g. /v1/idgenerator/uin/validate/{uin}
  std::multimap<std::string, std::string> query;
  std::map<std::string, std::string> path_params;
  std::map<std::string, std::string> headers;  // lower-case names; repeated headers joined by ", "
  std::string body;
  std::string remote_address;  // peer IP, for throttling and the audit log
  std::string request_id;
  std::optional<Principal> principal;

  // First value of query parameter `name`, if present.
  std::optional<std::string> Query(std::string_view name) const;
  // The path parameter `name` of the matched route ("" if the route has none by that name).
  const std::string& PathParam(std::string_view name) const;
  // Header value by lower-case name, if present.
  std::optional<std::string> Header(std::string_view lower_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the server wraps `envelope_response` in MOSIP's envelope (id, version,
  // responsetime, response, errors) using the route's envelope id.
  bool envelope = false;
  nlohmann::json envelope_response;

  static Response Json(int status, const nlohmann::json& body);
  static Response Text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  // A success in MOSIP's envelope with `response` as its "response" member.
  static Response Envelope(nlohmann::json response, int status = 200);
};

// Parses the request body as a JSON object; SIJ-HTP-002 (400) if it is not one.
Result<nlohmann::json> ParseJsonObject(const Request& request);

}  // namespace sijil::http

#endif  // SIJIL_HTTP_MESSAGE_H_
