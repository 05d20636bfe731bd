// MOSIP's JSON response envelope and the single mapping from Status to HTTP.
//
// MOSIP kernel services answer
//   {"id": "...", "version": "v1", "responsetime": "2026-01-01T00:00:00.000Z",
//    "metadata": null, "response": {...} | null, "errors": null | [{"errorCode", "message"}]}
// (mosip.md §4.2 for the authentication variant). Every JSON error Sijil sends goes through
// ErrorResponse(), and the HTTP status for a Status is chosen only by HttpStatusFor(), so
// clients see one consistent shape.
//
// Thread-safety: pure functions.
#ifndef SIJIL_HTTP_ENVELOPE_H_
#define SIJIL_HTTP_ENVELOPE_H_

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "sijil/base/status.h"
#include "sijil/http/message.h"

namespace sijil::http {

// `yyyy-MM-ddTHH:mm:ss.SSSZ` in UTC, as MOSIP's `responsetime`.
std::string FormatResponseTime(std::chrono::system_clock::time_point time);

// The HTTP status for a failed Status (400, 401, 403, 404, 409, 413, 429, 500, 501, 503,
// 504). A few codes override the kind: SIJ-HTP-001 is 413, SIJ-HTP-004 is 405, SIJ-HTP-005
// is 408, SIJ-HTP-006 is 431.
int HttpStatusFor(const Status& status);

nlohmann::ordered_json Envelope(std::string_view id, std::string_view version,
                                std::chrono::system_clock::time_point now, nlohmann::json response);

// A complete error response: status from HttpStatusFor, body the envelope with
// `errors: [{errorCode, message}]` and `response: null`.
Response ErrorResponse(const Status& status, std::string_view id, std::string_view version,
                       std::chrono::system_clock::time_point now);

}  // namespace sijil::http

#endif  // SIJIL_HTTP_ENVELOPE_H_
