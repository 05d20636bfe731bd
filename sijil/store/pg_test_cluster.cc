#include "sijil/store/pg_test_cluster.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace sijil::store {
namespace {

Status ClusterError(std::string message) {
  return Status::Unavailable("SIJ-STO-016", std::move(message));
}

// Single-quotes `s` for /bin/sh.
std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string LogTail(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.size() > 600) text = "..." + text.substr(text.size() - 600);
  return text;
}

// Starts a process that waits for this one to end (its stdin is a pipe whose only writer is
// this process) and then stops the server and removes the directory. A test binary that
// crashes or is killed by a timeout therefore leaves no server behind. Returns the pipe's
// write end, or -1 if the watchdog could not start (the cluster still works).
int StartWatchdog(const std::string& stop_command, const std::filesystem::path& dir) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
  const std::string script =
      "cat >/dev/null; " + stop_command + " >/dev/null 2>&1; rm -rf " + ShellQuote(dir.string());
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::setsid();
    ::dup2(fds[0], 0);
    ::execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[0]);
  return fds[1];
}

}  // namespace

std::filesystem::path PgTestCluster::BinDir() {
  if (const char* dir = std::getenv("SIJIL_PG_BIN"); dir != nullptr && *dir != '\0') return dir;
  return "/usr/lib/postgresql/15/bin";
}

bool PgTestCluster::Available() {
  const auto bin = BinDir();
  return ::access((bin / "initdb").c_str(), X_OK) == 0 &&
         ::access((bin / "pg_ctl").c_str(), X_OK) == 0;
}

Status PgTestCluster::Run(const std::string& command, std::string_view step) const {
  std::string full = command;
  if (::geteuid() == 0 && !command.starts_with("runuser ")) {
    full = "runuser -u postgres -- " + command;
  }
  full += " >>" + ShellQuote((dir() / "commands.log").string()) + " 2>&1";
  const int rc = std::system(full.c_str());
  if (rc != 0) {
    std::string detail = LogTail(dir() / "commands.log");
    std::string server = LogTail(dir() / "server.log");
    return ClusterError("PostgreSQL test cluster: " + std::string(step) + " failed (status " +
                        std::to_string(WIFEXITED(rc) ? WEXITSTATUS(rc) : rc) + "): " + detail +
                        (server.empty() ? "" : "\nserver log: " + server));
  }
  return Status::Ok();
}

Result<std::unique_ptr<PgTestCluster>> PgTestCluster::Start() {
  if (!Available()) {
    return ClusterError("PostgreSQL binaries not found in " + BinDir().string());
  }
  SIJIL_ASSIGN_OR_RETURN(TempDir dir, TempDir::Create("sijil-pg-"));
  if (::geteuid() == 0) {
    struct passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) return ClusterError("running as root but there is no 'postgres' user");
    if (::chown(dir.path().c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return ClusterError("cannot hand " + dir.path().string() + " to the postgres user");
    }
  }
  std::unique_ptr<PgTestCluster> cluster(new PgTestCluster(std::move(dir)));
  const std::string bin = BinDir().string();
  const std::string d = cluster->dir().string();
  SIJIL_RETURN_IF_ERROR(
      cluster->Run(ShellQuote(bin + "/initdb") + " -D " + ShellQuote(d + "/data") +
                       " -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync --no-instructions",
                   "initdb"));
  const std::string server_options = "-c listen_addresses='' -k " + d +
                                     " -c fsync=off -c synchronous_commit=off"
                                     " -c full_page_writes=off -c max_connections=200";
  SIJIL_RETURN_IF_ERROR(cluster->Run(
      ShellQuote(bin + "/pg_ctl") + " -D " + ShellQuote(d + "/data") + " -l " +
          ShellQuote(d + "/server.log") + " -w -t 60 -o " + ShellQuote(server_options) + " start",
      "pg_ctl start"));
  cluster->running_ = true;
  cluster->watchdog_fd_ = StartWatchdog(cluster->StopCommand(), cluster->dir());
  return cluster;
}

PgTestCluster::~PgTestCluster() {
  if (running_) (void)Run(StopCommand(), "pg_ctl stop");
  if (watchdog_fd_ >= 0) ::close(watchdog_fd_);
}

std::string PgTestCluster::StopCommand() const {
  std::string command = ShellQuote(BinDir().string() + "/pg_ctl") + " -D " +
                        ShellQuote(dir().string() + "/data") + " -m immediate -w stop";
  if (::geteuid() == 0) command = "runuser -u postgres -- " + command;
  return command;
}

std::string PgTestCluster::ConnInfo(std::string_view dbname) const {
  return "host=" + dir().string() + " user=postgres dbname=" + std::string(dbname);
}

Result<std::string> PgTestCluster::CreateDatabase() {
  const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(next_db_++);
  PGconn* conn = PQconnectdb(ConnInfo().c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    return ClusterError("cannot connect to the test cluster: " + message);
  }
  // A schema is as isolated as a database for tests (each connection's search_path points at
  // it) and takes milliseconds to create, where CREATE DATABASE takes about half a second.
  PGresult* res = PQexec(conn, ("CREATE SCHEMA " + name).c_str());
  const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  std::string message = ok ? "" : PQresultErrorMessage(res);
  PQclear(res);
  PQfinish(conn);
  if (!ok) return ClusterError("cannot create a test database: " + message);
  return ConnInfo() + " options='-c search_path=" + name + "'";
}

}  // namespace sijil::store
