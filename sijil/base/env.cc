#include "sijil/base/env.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace sijil {
namespace {

Status IoError(const std::string& what, const std::filesystem::path& path, int err) {
  return Status::Internal("SIJ-ENV-001", what + " " + path.string() + ": " + std::strerror(err));
}

class RealEnv final : public Env {
 public:
  std::chrono::system_clock::time_point Now() override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point MonotonicNow() override {
    return std::chrono::steady_clock::now();
  }
  void SleepFor(std::chrono::nanoseconds duration) override {
    std::this_thread::sleep_for(duration);
  }
  void RandomBytes(std::span<uint8_t> out) override {
    if (out.empty()) return;
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
      std::fprintf(stderr, "fatal: the OS random generator failed\n");
      std::abort();
    }
  }
};

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t SplitMix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

uint64_t Env::RandomUint64() {
  uint64_t v;
  RandomBytes(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&v), sizeof v));
  return v;
}

uint64_t Env::RandomUniform(uint64_t bound) {
  if (bound <= 1) return 0;
  // Reject the top partial block so every residue is equally likely.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
  for (;;) {
    uint64_t v = RandomUint64();
    if (v < limit) return v % bound;
  }
}

Result<std::string> Env::ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) {
      return Status::NotFound("SIJ-ENV-002", "no such file: " + path.string());
    }
    return IoError("cannot open", path, errno);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return IoError("cannot read", path, errno);
  return ss.str();
}

Status Env::WriteFileAtomic(const std::filesystem::path& path, std::string_view data,
                            std::filesystem::perms mode) {
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(RandomUint64() % 1000000);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return IoError("cannot create", tmp, errno);
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return IoError("cannot write", tmp, err);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return IoError("cannot fsync", tmp, err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return IoError("cannot rename onto", path, err);
  }
  // Persist the rename itself.
  std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Status Env::CreateDirectories(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return IoError("cannot create directory", path, ec.value());
  return Status::Ok();
}

bool Env::FileExists(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

Status Env::RemoveAll(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return IoError("cannot remove", path, ec.value());
  return Status::Ok();
}

Env& Env::Default() {
  static RealEnv* env = new RealEnv();
  return *env;
}

SimulatedEnv::SimulatedEnv(uint64_t seed)
    : SimulatedEnv(seed, std::chrono::system_clock::time_point(std::chrono::seconds(1767225600))) {
}  // 2026-01-01T00:00:00Z

SimulatedEnv::SimulatedEnv(uint64_t seed, std::chrono::system_clock::time_point start)
    : wall_(start), mono_(std::chrono::steady_clock::time_point(std::chrono::hours(1))) {
  uint64_t s = seed;
  for (auto& word : state_) word = SplitMix(s);
}

std::chrono::system_clock::time_point SimulatedEnv::Now() {
  std::lock_guard<std::mutex> lock(mu_);
  return wall_;
}

std::chrono::steady_clock::time_point SimulatedEnv::MonotonicNow() {
  std::lock_guard<std::mutex> lock(mu_);
  return mono_;
}

void SimulatedEnv::SleepFor(std::chrono::nanoseconds duration) { Advance(duration); }

void SimulatedEnv::Advance(std::chrono::nanoseconds duration) {
  std::lock_guard<std::mutex> lock(mu_);
  wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(duration);
  mono_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(duration);
}

void SimulatedEnv::SetNow(std::chrono::system_clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  wall_ = now;
}

void SimulatedEnv::RandomBytes(std::span<uint8_t> out) {
  std::lock_guard<std::mutex> lock(mu_);
  // xoshiro256**: fast, good statistical quality, and reproducible from the seed.
  size_t i = 0;
  while (i < out.size()) {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    for (int b = 0; b < 8 && i < out.size(); ++b)
      out[i++] = static_cast<uint8_t>(result >> (8 * b));
  }
}

Result<TempDir> TempDir::Create(std::string_view prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string templ =
      std::string(base && *base ? base : "/tmp") + "/" + std::string(prefix) + "XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    return IoError("cannot create temp dir", templ, errno);
  }
  return TempDir(std::filesystem::path(templ));
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

TempDir::~TempDir() {
  if (!path_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
}

}  // namespace sijil
