// Helpers for integration tests that run the real `sijil` binary: start it as a child
// process with extra environment variables, read its output, signal it, wait for it, and
// talk HTTP to it. Test-only code; not thread-safe.
#ifndef SIJIL_TESTS_INTEGRATION_PROCESS_H_
#define SIJIL_TESTS_INTEGRATION_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sijil::testing {

// $SIJIL_BINARY_DIR/bin/sijil (set by ctest).
std::string SijilBinary();

class ChildProcess {
 public:
  // Starts `argv` (argv[0] is the program) with `env` added to this process's environment.
  // stdout and stderr are captured separately.
  ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env = {});
  ~ChildProcess();  // kills the child if still running

  // Reads stdout until a line contains `needle` or the child exits or `timeout` passes.
  // Returns the line, or nullopt.
  std::optional<std::string> WaitForLine(const std::string& needle,
                                         std::chrono::milliseconds timeout);
  void Signal(int signo);
  // Waits for exit (killing with SIGKILL after `timeout`) and returns the exit status
  // (128 + signal if killed), draining the remaining output.
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(60));

  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  void Pump(int timeout_ms);
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  size_t scanned_ = 0;
  std::optional<int> status_;
};

// Runs to completion and returns {exit status, stdout, stderr}.
struct RunResult {
  int status;
  std::string out;
  std::string err;
};
RunResult RunProcess(std::vector<std::string> argv, std::map<std::string, std::string> env = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(120));

// Runs `sijil` with `args` split at spaces, as a user would type them (no quoting: the tests
// pass no argument that contains a space). No shell is involved.
RunResult RunSijil(const std::string& args, std::map<std::string, std::string> env = {});
// Runs `sijil` with exactly these arguments (no shell, no splitting).
RunResult RunSijilArgv(std::vector<std::string> args,
                       std::chrono::milliseconds timeout = std::chrono::seconds(300));

// The last line of stdout parsed as the one JSON object a --json command prints. Records a
// test failure (showing stdout and stderr) and returns a discarded value when it is not JSON.
nlohmann::json LastJson(const RunResult& r);

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

// One HTTP/1.1 request on a fresh connection to 127.0.0.1:port.
HttpResult HttpRequest(uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {});
// Sends raw bytes and returns everything read until the server closes (or 10 s).
std::string RawRequest(uint16_t port, const std::string& bytes);

}  // namespace sijil::testing

#endif  // SIJIL_TESTS_INTEGRATION_PROCESS_H_
