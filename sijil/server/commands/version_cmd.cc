// `sijil version`: prints the version and the build's main library versions.
#include <openssl/opensslv.h>

#include <iostream>

#include "sijil/server/command.h"

namespace sijil::cli {
namespace {

void SetupVersion(CLI::App& root, CommandContext& ctx) {
  CLI::App* cmd = root.add_subcommand("version", "Print the version and library versions");
  cmd->callback([&ctx] {
    std::cout << "sijil " << SIJIL_VERSION << "\n"
              << "openssl " << OPENSSL_VERSION_STR << "\n";
    ctx.exit_code = 0;
  });
}

SIJIL_REGISTER_COMMAND(1000, "version", SetupVersion);

}  // namespace
}  // namespace sijil::cli
