#include "sijil/server/command.h"

#include <algorithm>
#include <tuple>
#include <vector>

namespace sijil::cli {
namespace {

struct Entry {
  int order;
  const char* name;
  CommandSetup setup;
};

std::vector<Entry>& Registry() {
  static auto* entries = new std::vector<Entry>();
  return *entries;
}

}  // namespace

CommandRegistration::CommandRegistration(int order, const char* name, CommandSetup setup) {
  Registry().push_back({order, name, setup});
}

void SetupAllCommands(CLI::App& root, CommandContext& ctx) {
  std::vector<Entry> entries = Registry();
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.order, a.name) < std::tie(b.order, b.name);
  });
  for (const Entry& e : entries) e.setup(root, ctx);
}

CLI::App* GetOrAddSubcommand(CLI::App& parent, const std::string& name,
                             const std::string& description) {
  for (CLI::App* sub : parent.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == name) return sub;
  }
  CLI::App* sub = parent.add_subcommand(name, description);
  sub->require_subcommand(0, 1);
  return sub;
}

Result<Config> LoadCommandConfig(
    const CommandContext& ctx,
    std::initializer_list<std::pair<std::string_view, std::string>> overrides) {
  SIJIL_ASSIGN_OR_RETURN(Config config,
                         Config::LoadFromProcess(ConfigSchema::Global(), ctx.config_path));
  for (const auto& [key, value] : overrides) {
    if (!value.empty()) SIJIL_RETURN_IF_ERROR(config.Set(key, value, "command line"));
  }
  return config;
}

}  // namespace sijil::cli
