// `sijil demo population`: a synthetic Moroccan population with planted duplicates and ground
// truth, for demos and scale tests.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <string>

#include "sijil/base/env.h"
#include "sijil/names/population.h"
#include "sijil/server/command.h"

namespace sijil::cli {
namespace {

struct PopulationCommand {
  size_t count = 1000;
  uint64_t seed = 1;
  std::string duplicates = "5%";
  std::string out = "population";
  bool json = false;
};

// "5%", "5" or "0.5%" → 0.05 / 0.05 / 0.005.
Result<double> ParsePercent(std::string text) {
  if (!text.empty() && text.back() == '%') text.pop_back();
  try {
    size_t used = 0;
    double v = std::stod(text, &used);
    if (used == text.size() && v >= 0 && v <= 50) return v / 100.0;
  } catch (const std::exception&) {
  }
  return Status::InvalidArgument("SIJ-NAM-040", "--duplicates must be a percentage from 0 to 50");
}

int Run(const PopulationCommand& c) {
  Result<double> rate = ParsePercent(c.duplicates);
  if (!rate.ok()) {
    std::cerr << "sijil demo population: " << rate.status() << "\n";
    return 2;
  }
  names::PopulationOptions o;
  o.count = c.count;
  o.seed = c.seed;
  o.duplicate_rate = *rate;
  Result<names::Population> pop = names::GeneratePopulation(o);
  if (!pop.ok()) {
    std::cerr << "sijil demo population: " << pop.status() << "\n";
    return 2;
  }
  Env& env = Env::Default();
  std::filesystem::path dir(c.out);
  if (Status s = env.CreateDirectories(dir); !s.ok()) {
    std::cerr << "sijil demo population: " << s << "\n";
    return 2;
  }
  std::string people, truth = "id\tperson\tduplicate_of\tvariations\n";
  size_t duplicates = 0;
  for (size_t i = 0; i < pop->records.size(); ++i) {
    people += names::RecordToJson(pop->records[i]);
    people += '\n';
    truth += pop->records[i].id + '\t' + std::to_string(pop->person[i]) + '\t' +
             pop->duplicate_of[i] + '\t' + pop->variations[i] + '\n';
    if (!pop->duplicate_of[i].empty()) ++duplicates;
  }
  constexpr auto kReadable = std::filesystem::perms::owner_read |
                             std::filesystem::perms::owner_write |
                             std::filesystem::perms::group_read;
  for (const auto& [name, data] : {std::pair{"people.jsonl", &people}, {"truth.tsv", &truth}}) {
    if (Status s = env.WriteFileAtomic(dir / name, *data, kReadable); !s.ok()) {
      std::cerr << "sijil demo population: " << s << "\n";
      return 2;
    }
  }
  nlohmann::json summary = {{"records", pop->records.size()},
                            {"duplicates", duplicates},
                            {"true_pairs", pop->TruePairs()},
                            {"seed", c.seed},
                            {"people", (dir / "people.jsonl").string()},
                            {"truth", (dir / "truth.tsv").string()}};
  if (c.json) {
    std::cout << summary.dump() << "\n";
  } else {
    std::cout << "wrote " << pop->records.size() << " people (" << duplicates
              << " planted duplicates) to " << (dir / "people.jsonl").string()
              << ", ground truth in " << (dir / "truth.tsv").string() << "\n";
  }
  return 0;
}

void SetupDemo(CLI::App& root, CommandContext& ctx) {
  CLI::App* demo = GetOrAddSubcommand(root, "demo", "Synthetic data for demonstrations");
  demo->require_subcommand(1);
  auto c = std::make_shared<PopulationCommand>();
  CLI::App* p = demo->add_subcommand(
      "population", "Write a synthetic Moroccan population with planted duplicates");
  p->add_option("--count", c->count, "Records, duplicates included (default 1000)")
      ->check(CLI::Range(1, 10'000'000));
  p->add_option("--seed", c->seed, "Seed (default 1): same seed, same population");
  p->add_option("--duplicates", c->duplicates, "Planted duplicates, e.g. 5% (default 5%)");
  p->add_option("--out", c->out, "Output directory (default ./population)");
  p->add_flag("--json", c->json, "Print a JSON summary");
  p->callback([c, &ctx] { ctx.exit_code = Run(*c); });
}

SIJIL_REGISTER_COMMAND(900, "demo", SetupDemo);

}  // namespace
}  // namespace sijil::cli
