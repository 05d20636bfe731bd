#include "sijil/http/envelope.h"

#include <gtest/gtest.h>

namespace sijil::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

TEST(EnvelopeTest, ResponseTimeFormat) {
  system_clock::time_point t{milliseconds(1767225600123)};  // 2026-01-01T00:00:00.123Z
  EXPECT_EQ(FormatResponseTime(t), "2026-01-01T00:00:00.123Z");
  EXPECT_EQ(FormatResponseTime(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
}

TEST(EnvelopeTest, StatusMapping) {
  EXPECT_EQ(HttpStatusFor(Status::InvalidArgument("KER-IDV-203", "x")), 400);
  EXPECT_EQ(HttpStatusFor(Status::Unauthenticated("KER-ATH-401", "x")), 401);
  EXPECT_EQ(HttpStatusFor(Status::PermissionDenied("KER-ATH-403", "x")), 403);
  EXPECT_EQ(HttpStatusFor(Status::NotFound("X", "x")), 404);
  EXPECT_EQ(HttpStatusFor(Status::AlreadyExists("X", "x")), 409);
  EXPECT_EQ(HttpStatusFor(Status::ResourceExhausted("X", "x")), 429);
  EXPECT_EQ(HttpStatusFor(Status::ResourceExhausted("SIJ-HTP-001", "x")), 413);
  EXPECT_EQ(HttpStatusFor(Status::InvalidArgument("SIJ-HTP-006", "x")), 431);
  EXPECT_EQ(HttpStatusFor(Status::Unavailable("X", "x")), 503);
  EXPECT_EQ(HttpStatusFor(Status::Internal("X", "x")), 500);
  EXPECT_EQ(HttpStatusFor(Status::DataLoss("X", "x")), 500);
}

TEST(EnvelopeTest, ErrorBodyIsMosipShaped) {
  system_clock::time_point t{milliseconds(1767225600123)};
  Response r = ErrorResponse(Status::InvalidArgument("KER-IDV-203", "UIN length is invalid"),
                             "mosip.kernel.uin.validate", "v1", t);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"id":"mosip.kernel.uin.validate","version":"v1",)"
                    R"("responsetime":"2026-01-01T00:00:00.123Z","metadata":null,"response":null,)"
                    R"("errors":[{"errorCode":"KER-IDV-203","message":"UIN length is invalid"}]})");
}

TEST(EnvelopeTest, SuccessEnvelope) {
  system_clock::time_point t{milliseconds(0)};
  auto e = Envelope("id", "v1", t, {{"uin", "2345678901"}});
  EXPECT_EQ(e["response"]["uin"], "2345678901");
  EXPECT_TRUE(e["errors"].is_null());
}

}  // namespace
}  // namespace sijil::http
