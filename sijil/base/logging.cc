#include "sijil/base/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>

namespace sijil {
namespace {

thread_local std::string tls_request_id;

struct State {
  std::mutex mu;
  std::shared_ptr<spdlog::logger> logger;
  std::atomic<int> level{static_cast<int>(LogLevel::kInfo)};
  std::atomic<bool> json{true};
};

State& GetState() {
  static auto* state = [] {
    auto* s = new State();
    s->logger = std::make_shared<spdlog::logger>("sijil",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
    s->logger->set_pattern("%v");
    s->logger->set_level(spdlog::level::trace);
    return s;
  }();
  return *state;
}

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      return "off";
  }
  return "info";
}

std::string TimeNow() {
  // Logging is the one place that reads the real clock directly: a log line's time is when
  // it was written, also under a simulated Env.
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::string JsonLine(std::string_view time, LogLevel level, std::string_view component,
                     std::string_view message, const std::vector<LogField>& fields) {
  nlohmann::ordered_json line;
  if (!time.empty()) line["time"] = time;
  line["level"] = LevelName(level);
  line["component"] = component;
  line["msg"] = message;
  if (!tls_request_id.empty()) line["request_id"] = tls_request_id;
  for (const auto& [key, value] : fields) line[key] = value;
  // Replace invalid UTF-8 rather than throw: a log line must never take the process down.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string TextLine(std::string_view time, LogLevel level, std::string_view component,
                     std::string_view message, const std::vector<LogField>& fields) {
  std::string out;
  out.append(time).append(" ").append(LevelName(level)).append(" [");
  out.append(component).append("] ").append(message);
  if (!tls_request_id.empty()) out.append(" request_id=").append(tls_request_id);
  for (const auto& [key, value] : fields) {
    out.append(" ").append(key).append("=");
    out.append(value.is_string()
                   ? value.get<std::string>()
                   : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return out;
}

}  // namespace

Result<LogLevel> ParseLogLevel(std::string_view text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warn") return LogLevel::kWarn;
  if (text == "error") return LogLevel::kError;
  if (text == "off") return LogLevel::kOff;
  return Status::InvalidArgument("SIJ-LOG-002", "unknown log level " + std::string(text));
}

Status InitLogging(const LoggingSettings& settings) {
  State& state = GetState();
  std::shared_ptr<spdlog::logger> logger;
  try {
    spdlog::sink_ptr sink;
    if (settings.file.empty()) {
      sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(settings.file, false);
    }
    logger = std::make_shared<spdlog::logger>("sijil", sink);
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::trace);
    logger->flush_on(spdlog::level::warn);
  } catch (const std::exception& e) {
    return Status::InvalidArgument("SIJ-LOG-001", "cannot open log file " + settings.file);
  }
  std::lock_guard<std::mutex> lock(state.mu);
  state.logger = std::move(logger);
  state.level = static_cast<int>(settings.level);
  state.json = settings.json;
  return Status::Ok();
}

void FlushLogs() {
  State& state = GetState();
  std::shared_ptr<spdlog::logger> logger;
  {
    std::lock_guard<std::mutex> lock(state.mu);
    logger = state.logger;
  }
  try {
    logger->flush();
  } catch (...) {
  }
}

bool LogEnabled(LogLevel level) {
  return level != LogLevel::kOff && static_cast<int>(level) >= GetState().level.load();
}

void Log(LogLevel level, std::string_view component, std::string_view message,
         const std::vector<LogField>& fields) {
  if (!LogEnabled(level)) return;
  State& state = GetState();
  std::string time = TimeNow();
  std::string line = state.json ? JsonLine(time, level, component, message, fields)
                                : TextLine(time, level, component, message, fields);
  std::shared_ptr<spdlog::logger> logger;
  {
    std::lock_guard<std::mutex> lock(state.mu);
    logger = state.logger;
  }
  try {
    logger->log(spdlog::level::info, spdlog::string_view_t(line));
  } catch (...) {
    // Nowhere left to report a failing sink; dropping the line is the only safe choice.
  }
}

ScopedRequestId::ScopedRequestId(std::string request_id)
    : previous_(std::exchange(tls_request_id, std::move(request_id))) {}

ScopedRequestId::~ScopedRequestId() { tls_request_id = std::move(previous_); }

const std::string& CurrentRequestId() { return tls_request_id; }

std::string FormatLogLineForTest(LogLevel level, std::string_view component,
                                 std::string_view message, const std::vector<LogField>& fields) {
  return JsonLine("", level, component, message, fields);
}

}  // namespace sijil
