// Logging: one JSON object per line (or a readable text line) through spdlog.
//
// Every line carries the time (UTC, milliseconds), the level, the component, the message,
// the request id of the request the calling thread is serving (set by ScopedRequestId, so
// a handler's log lines and the access log line share it) and optional structured fields.
// Messages and fields must never contain key material or personal data.
//
// Thread-safety: Log() and friends are safe from any thread. InitLogging() replaces the
// process-wide sink and must not race with itself; before it is called, lines go to stderr
// as JSON at level info.
#ifndef SIJIL_BASE_LOGGING_H_
#define SIJIL_BASE_LOGGING_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sijil/base/result.h"
#include "sijil/base/status.h"

namespace sijil {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };

struct LoggingSettings {
  LogLevel level = LogLevel::kInfo;
  bool json = true;  // false: "time level component message key=value ..."
  std::string file;  // empty: stderr; else appended to
};

// Parses "debug", "info", "warn", "error", "off".
Result<LogLevel> ParseLogLevel(std::string_view text);

// Installs the process-wide sink. Fails with SIJ-LOG-001 if the file cannot be opened.
Status InitLogging(const LoggingSettings& settings);

// Flushes buffered lines (before exit).
void FlushLogs();

using LogField = std::pair<std::string, nlohmann::json>;

void Log(LogLevel level, std::string_view component, std::string_view message,
         const std::vector<LogField>& fields = {});

inline void LogDebug(std::string_view component, std::string_view message,
                     const std::vector<LogField>& fields = {}) {
  Log(LogLevel::kDebug, component, message, fields);
}
inline void LogInfo(std::string_view component, std::string_view message,
                    const std::vector<LogField>& fields = {}) {
  Log(LogLevel::kInfo, component, message, fields);
}
inline void LogWarn(std::string_view component, std::string_view message,
                    const std::vector<LogField>& fields = {}) {
  Log(LogLevel::kWarn, component, message, fields);
}
inline void LogError(std::string_view component, std::string_view message,
                     const std::vector<LogField>& fields = {}) {
  Log(LogLevel::kError, component, message, fields);
}

// True if a line at `level` would be written (to skip building expensive fields).
bool LogEnabled(LogLevel level);

// Sets the calling thread's request id for its lifetime, restoring the previous one after.
class ScopedRequestId {
 public:
  explicit ScopedRequestId(std::string request_id);
  ~ScopedRequestId();
  ScopedRequestId(const ScopedRequestId&) = delete;
  ScopedRequestId& operator=(const ScopedRequestId&) = delete;

 private:
  std::string previous_;
};

// The calling thread's request id ("" outside a request).
const std::string& CurrentRequestId();

// Formats one line as InitLogging's JSON sink would (without time), for tests.
std::string FormatLogLineForTest(LogLevel level, std::string_view component,
                                 std::string_view message, const std::vector<LogField>& fields);

}  // namespace sijil

#endif  // SIJIL_BASE_LOGGING_H_
