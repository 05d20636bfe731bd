// Entry point of the `sijil` command line. Command groups register themselves (command.h).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "sijil/server/command.h"

#ifndef SIJIL_VERSION
#define SIJIL_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  CLI::App app{
      "Sijil: a national population register (enrolment, deduplication, identity numbers,\n"
      "key management and identity authentication).",
      "sijil"};
  app.set_version_flag("--version", std::string("sijil ") + SIJIL_VERSION);
  sijil::cli::CommandContext ctx;
  app.add_option("-c,--config", ctx.config_path, "YAML configuration file");
  app.require_subcommand(1);
  app.fallthrough();
  sijil::cli::SetupAllCommands(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // CLI11 returns 0 for --help/--version; a usage error must not look like a negative answer.
    return rc == 0 ? 0 : 2;
  }
  std::fflush(stdout);
  return ctx.exit_code;
}
