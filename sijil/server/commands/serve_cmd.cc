// `sijil serve`: runs the platform (every role in one process by default) until SIGTERM or
// SIGINT, then shuts down gracefully. `sijil config keys|check`: the configuration schema.
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "sijil/base/config.h"
#include "sijil/base/env.h"
#include "sijil/base/logging.h"
#include "sijil/ids/generator.h"
#include "sijil/server/app.h"
#include "sijil/server/command.h"

namespace sijil::cli {
namespace {

// The server's keys are declared by the server module; this file links them into the
// process-wide schema. Other command files declare their own keys the same way.
ConfigKeys kServerKeys(&server::DeclareServerConfig);

int g_stop_pipe[2] = {-1, -1};

void OnStopSignal(int signo) {
  unsigned char byte = static_cast<unsigned char>(signo);
  // write() is async-signal-safe; a full pipe means a stop is already pending.
  [[maybe_unused]] ssize_t n = write(g_stop_pipe[1], &byte, 1);
}

int WaitForStopSignal() {
  unsigned char byte = 0;
  for (;;) {
    ssize_t n = read(g_stop_pipe[0], &byte, 1);
    if (n == 1) return byte;
    if (n < 0 && errno == EINTR) continue;
    return SIGTERM;
  }
}

struct ServeFlags {
  std::string data_dir;
  std::string listen;
  std::string roles;
};

// "HOST:PORT", "[V6]:PORT" or ":PORT".
bool SplitListen(const std::string& listen, std::string* host, std::string* port) {
  if (listen.starts_with("[")) {
    size_t close = listen.find("]:");
    if (close == std::string::npos) return false;
    *host = listen.substr(1, close - 1);
    *port = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos) return false;
    *host = listen.substr(0, colon);
    *port = listen.substr(colon + 1);
  }
  return !port->empty();
}

std::string UrlHost(const std::string& host) {
  if (host == "0.0.0.0") return "127.0.0.1";
  if (host == "::") return "[::1]";
  if (host.find(':') != std::string::npos) return "[" + host + "]";
  return host;
}

void PrintBanner(server::App& app, Env& env) {
  std::string base = "http://" + UrlHost(app.host()) + ":" + std::to_string(app.port());
  std::cout << "Sijil " << SIJIL_VERSION << " is running.\n"
            << "  API:      " << base << "\n"
            << "  health:   " << base << "/health\n"
            << "  metrics:  " << base << "/metrics\n";
  for (const std::string& line : app.Describe()) std::cout << "  " << line << "\n";
  std::string user = "admin";
  std::string password = "<password>";
  if (const auto& creds = app.first_start_credentials()) {
    user = creds->user;
    password = creds->password;
    std::cout << "\nAdministrator account created. The password is shown only this once:\n"
              << "  user:     " << user << "\n"
              << "  password: " << password << "\n";
  } else {
    std::cout << "\nLog in with an account from `sijil users list` (the administrator's password\n"
                 "was printed at first start; `sijil users reset-secret admin` sets a new one).\n";
  }
  std::string uin = ids::GenerateUin(env).value_or("2345678906");
  std::cout << "\nTry it:\n"
            << "  curl -s " << base << "/health\n"
            << "  TOKEN=$(curl -s -X POST " << base << "/v1/authmanager/authenticate/useridPwd \\\n"
            << "      -H 'Content-Type: application/json' \\\n"
            << "      -d '{\"request\":{\"userName\":\"" << user << "\",\"password\":\"" << password
            << "\"}}' \\\n"
            << "    | sed -n 's/.*\"token\":\"\\([^\"]*\\)\".*/\\1/p')\n"
            << "  curl -s -X POST -H \"Authorization: Bearer $TOKEN\" " << base
            << "/v1/idgenerator/uin\n"
            << "  curl -s -H \"Authorization: Bearer $TOKEN\" " << base
            << "/v1/idgenerator/uin/validate/" << uin << "\n"
            << "  curl -s -H \"Authorization: Bearer $TOKEN\" '" << base
            << "/v1/keymanager/certificate?applicationId=KERNEL&referenceId=SIGN'\n"
            << "\nStop with Ctrl-C (or SIGTERM): requests in flight finish first.\n";
  std::cout.flush();
}

int Serve(CommandContext& ctx, const ServeFlags& flags) {
  auto config = Config::LoadFromProcess(ConfigSchema::Global(), ctx.config_path);
  if (!config.ok()) {
    std::cerr << "sijil serve: " << config.status().message() << "\n";
    return 2;
  }
  auto apply = [&](std::string_view key, const std::string& value, const char* flag) {
    if (value.empty()) return true;
    Status s = config->Set(key, value, flag);
    if (!s.ok()) std::cerr << "sijil serve: " << s.message() << "\n";
    return s.ok();
  };
  if (!apply("server.data_dir", flags.data_dir, "--data-dir")) return 2;
  if (!flags.listen.empty()) {
    std::string host, port;
    if (!SplitListen(flags.listen, &host, &port)) {
      std::cerr << "sijil serve: --listen expects HOST:PORT, got \"" << flags.listen << "\"\n";
      return 2;
    }
    if (!host.empty() && !apply("http.host", host, "--listen")) return 2;
    if (!apply("http.port", port, "--listen")) return 2;
  }
  if (!apply("server.roles", flags.roles, "--roles")) return 2;

  // Stop signals go through a self-pipe: libraries linked into the binary start threads
  // before main (OpenBLAS does), so masking signals here cannot cover every thread, but a
  // process-wide handler runs on whichever thread receives the signal.
  if (pipe(g_stop_pipe) != 0) {
    std::cerr << "sijil serve: cannot create the signal pipe\n";
    return 2;
  }
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);

  Env& env = Env::Default();
  auto app = server::App::Create(*config, env);
  if (!app.ok()) {
    std::cerr << "sijil serve: " << app.status().message() << " [" << app.status().code() << "]\n";
    FlushLogs();
    return 2;
  }
  if (Status s = (*app)->Start(); !s.ok()) {
    std::cerr << "sijil serve: " << s.message() << " [" << s.code() << "]\n";
    FlushLogs();
    return 2;
  }
  PrintBanner(**app, env);
  int signal_number = WaitForStopSignal();
  LogInfo("server", "stopping", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*app)->Stop();
  app->reset();
  FlushLogs();
  return 0;
}

void SetupServe(CLI::App& root, CommandContext& ctx) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = root.add_subcommand(
      "serve", "Run the platform's HTTP API (every role in one process by default)");
  cmd->add_option("--data-dir", flags->data_dir,
                  "Directory for the database and the SoftHSM2 token (server.data_dir)");
  cmd->add_option("--listen", flags->listen, "HOST:PORT to listen on (http.host, http.port)");
  cmd->add_option("--roles", flags->roles,
                  "Comma-separated roles to run: all, ids, keys (server.roles)");
  cmd->callback([&ctx, flags] { ctx.exit_code = Serve(ctx, *flags); });

  CLI::App* config_cmd = GetOrAddSubcommand(root, "config", "Inspect the configuration");
  CLI::App* keys = config_cmd->add_subcommand("keys", "List every configuration key");
  auto json = std::make_shared<bool>(false);
  keys->add_flag("--json", *json, "Print one JSON object");
  keys->callback([&ctx, json] {
    const ConfigSchema& schema = ConfigSchema::Global();
    if (*json) {
      nlohmann::ordered_json out = nlohmann::ordered_json::object();
      for (const ConfigKeySpec* spec : schema.Keys()) {
        out[spec->name] = {{"type", ConfigTypeName(spec->type)},
                           {"env", ConfigSchema::EnvName(spec->name)},
                           {"help", spec->help},
                           {"secret", spec->secret}};
      }
      std::cout << out.dump() << "\n";
    } else {
      for (const ConfigKeySpec* spec : schema.Keys()) {
        std::cout << spec->name << " (" << ConfigTypeName(spec->type) << ", "
                  << ConfigSchema::EnvName(spec->name) << ")\n    " << spec->help << "\n";
      }
    }
    ctx.exit_code = 0;
  });
  CLI::App* check = config_cmd->add_subcommand(
      "check", "Load the configuration (-c FILE and SIJIL_* variables) and print every value");
  check->callback([&ctx] {
    auto config = Config::LoadFromProcess(ConfigSchema::Global(), ctx.config_path);
    if (!config.ok()) {
      std::cerr << "sijil config: " << config.status().message() << "\n";
      ctx.exit_code = 1;
      return;
    }
    for (const std::string& line : config->Describe()) std::cout << line << "\n";
    ctx.exit_code = 0;
  });
}

SIJIL_REGISTER_COMMAND(10, "serve", SetupServe);

}  // namespace
}  // namespace sijil::cli
