// Env: the seam through which Sijil reads time, draws randomness and touches files.
//
// Production code takes an `Env&` instead of calling clocks, rand() or the filesystem
// directly, so tests can substitute SimulatedEnv (a manual clock and a seeded generator)
// and fault-injecting wrappers. All implementations are thread-safe.
#ifndef SIJIL_BASE_ENV_H_
#define SIJIL_BASE_ENV_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "sijil/base/result.h"
#include "sijil/base/status.h"

namespace sijil {

class Env {
 public:
  virtual ~Env() = default;

  // Wall-clock time (UTC). May jump; use MonotonicNow() for durations.
  virtual std::chrono::system_clock::time_point Now() = 0;
  // Monotonic time for timeouts and measurements.
  virtual std::chrono::steady_clock::time_point MonotonicNow() = 0;
  // Blocks the caller (the simulated env advances its clock instead).
  virtual void SleepFor(std::chrono::nanoseconds duration) = 0;

  // Fills `out` with random bytes: the OS CSPRNG in production, a seeded deterministic
  // stream in SimulatedEnv. Never fails (aborts if the OS generator is unusable, since
  // continuing without randomness would be unsafe).
  virtual void RandomBytes(std::span<uint8_t> out) = 0;
  uint64_t RandomUint64();
  // Uniform in [0, bound), without modulo bias. `bound` must be > 0.
  uint64_t RandomUniform(uint64_t bound);

  // Filesystem. Errors carry code SIJ-ENV-001 (I/O) or SIJ-ENV-002 (not found).
  virtual Result<std::string> ReadFile(const std::filesystem::path& path);
  // Writes to a temporary sibling, fsyncs, and renames over `path`, so readers see either
  // the old or the new content. `mode` is applied to the new file (default owner-only).
  virtual Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data,
                                 std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                                               std::filesystem::perms::owner_write);
  virtual Status CreateDirectories(const std::filesystem::path& path);
  virtual bool FileExists(const std::filesystem::path& path);
  virtual Status RemoveAll(const std::filesystem::path& path);

  // The process-wide real environment.
  static Env& Default();
};

// A deterministic Env for tests: the clock only moves when told (or by SleepFor), and
// randomness is a seeded stream. Files are the real filesystem (use TempDir).
class SimulatedEnv final : public Env {
 public:
  // Starts at 2026-01-01T00:00:00Z unless told otherwise.
  explicit SimulatedEnv(uint64_t seed = 42);
  SimulatedEnv(uint64_t seed, std::chrono::system_clock::time_point start);

  std::chrono::system_clock::time_point Now() override;
  std::chrono::steady_clock::time_point MonotonicNow() override;
  void SleepFor(std::chrono::nanoseconds duration) override;
  void RandomBytes(std::span<uint8_t> out) override;

  // Moves both clocks forward.
  void Advance(std::chrono::nanoseconds duration);
  // Sets the wall clock (the monotonic clock is unaffected).
  void SetNow(std::chrono::system_clock::time_point now);

 private:
  std::mutex mu_;
  std::chrono::system_clock::time_point wall_;
  std::chrono::steady_clock::time_point mono_;
  uint64_t state_[4];
};

// A directory removed (recursively) when the object is destroyed. For tests and scratch work.
class TempDir {
 public:
  // Creates a fresh directory under $TMPDIR (or /tmp) named <prefix>XXXXXX.
  static Result<TempDir> Create(std::string_view prefix = "sijil-");
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace sijil

#endif  // SIJIL_BASE_ENV_H_
