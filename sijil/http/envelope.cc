#include "sijil/http/envelope.h"

#include <cstdio>
#include <ctime>

namespace sijil::http {

std::string FormatResponseTime(std::chrono::system_clock::time_point time) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  auto secs = ms / 1000;
  auto frac = ms % 1000;
  if (frac < 0) {  // before 1970: floor, not truncate
    frac += 1000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(frac));
  return buf;
}

int HttpStatusFor(const Status& status) {
  if (status.ok()) return 200;
  const std::string& code = status.code();
  if (code == "SIJ-HTP-001") return 413;
  if (code == "SIJ-HTP-004") return 405;
  if (code == "SIJ-HTP-005") return 408;
  if (code == "SIJ-HTP-006") return 431;
  switch (status.kind()) {
    case StatusKind::kOk:
      return 200;
    case StatusKind::kInvalidArgument:
      return 400;
    case StatusKind::kNotFound:
      return 404;
    case StatusKind::kAlreadyExists:
    case StatusKind::kAborted:
    case StatusKind::kFailedPrecondition:
      return 409;
    case StatusKind::kPermissionDenied:
      return 403;
    case StatusKind::kUnauthenticated:
      return 401;
    case StatusKind::kResourceExhausted:
      return 429;
    case StatusKind::kDeadlineExceeded:
      return 504;
    case StatusKind::kUnavailable:
      return 503;
    case StatusKind::kUnimplemented:
      return 501;
    case StatusKind::kDataLoss:
    case StatusKind::kInternal:
      return 500;
  }
  return 500;
}

nlohmann::ordered_json Envelope(std::string_view id, std::string_view version,
                                std::chrono::system_clock::time_point now,
                                nlohmann::json response) {
  nlohmann::ordered_json out;
  out["id"] = id;
  out["version"] = version;
  out["responsetime"] = FormatResponseTime(now);
  out["metadata"] = nullptr;
  out["response"] = std::move(response);
  out["errors"] = nullptr;
  return out;
}

Response ErrorResponse(const Status& status, std::string_view id, std::string_view version,
                       std::chrono::system_clock::time_point now) {
  nlohmann::ordered_json body = Envelope(id, version, now, nullptr);
  nlohmann::ordered_json error;
  error["errorCode"] = status.code().empty() ? "SIJ-HTP-007" : status.code();
  error["message"] = status.message();
  body["errors"] = nlohmann::ordered_json::array({error});
  Response r;
  r.status = HttpStatusFor(status);
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace sijil::http
