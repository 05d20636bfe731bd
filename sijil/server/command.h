// The `sijil` command-line registry.
//
// Each command group (ids, keys, audit, biometrics, names, ...) lives in its own file under
// sijil/server/commands/ and registers itself with SIJIL_REGISTER_COMMAND, so groups can be
// added without touching main.cc. Registration happens during static initialisation of the
// `sijil` executable; Setup functions run once, single-threaded, before parsing.
#ifndef SIJIL_SERVER_COMMAND_H_
#define SIJIL_SERVER_COMMAND_H_

#include <CLI/CLI.hpp>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "sijil/base/config.h"
#include "sijil/base/result.h"

namespace sijil::cli {

// State shared by all commands of one invocation.
struct CommandContext {
  // Path given by the global --config option (empty: defaults and SIJIL_* variables only).
  std::string config_path;
  // Process exit status; a command's callback sets it (0 success, 1 a negative answer such
  // as "invalid", 2 a usage or runtime error).
  int exit_code = 0;
};

// Adds a command group to `root`. The function keeps `ctx` by reference for its callbacks.
using CommandSetup = void (*)(CLI::App& root, CommandContext& ctx);

// Registers `setup`; groups are set up in ascending `order`, then by name, so `--help` lists
// them in a stable order.
struct CommandRegistration {
  CommandRegistration(int order, const char* name, CommandSetup setup);
};

// Calls every registered setup.
void SetupAllCommands(CLI::App& root, CommandContext& ctx);

// Returns the existing subcommand `name` of `parent`, or adds it with `description`. Lets
// several files contribute subcommands to one group (e.g. `sijil biometrics`).
CLI::App* GetOrAddSubcommand(CLI::App& parent, const std::string& name,
                             const std::string& description);

// Loads the configuration a command shares with `sijil serve` (the --config file, SIJIL_*
// variables) and applies command-line overrides given as {key, value}; empty values are
// skipped, so an option the user did not give leaves the configured value in place.
Result<Config> LoadCommandConfig(
    const CommandContext& ctx,
    std::initializer_list<std::pair<std::string_view, std::string>> overrides);

}  // namespace sijil::cli

#define SIJIL_CLI_CONCAT_INNER_(a, b) a##b
#define SIJIL_CLI_CONCAT_(a, b) SIJIL_CLI_CONCAT_INNER_(a, b)
#define SIJIL_REGISTER_COMMAND(order, name, setup)                                      \
  static ::sijil::cli::CommandRegistration SIJIL_CLI_CONCAT_(sijil_command_, __LINE__)( \
      order, name, setup)

#endif  // SIJIL_SERVER_COMMAND_H_
