// `sijil names match|eval|frequencies`: demographic name matching from the command line.
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <iostream>
#include <string>

#include "sijil/base/env.h"
#include "sijil/names/demographic_matcher.h"
#include "sijil/names/evaluation.h"
#include "sijil/names/name_match.h"
#include "sijil/server/command.h"

namespace sijil::cli {
namespace {

using names::CompiledName;
using names::NameScores;

struct MatchOptions {
  std::string a, b;
  std::string batch;
  bool json = false;
  int threshold = -1;
};

nlohmann::json Describe(const CompiledName& c) {
  nlohmann::json keys = nlohmann::json::array();
  nlohmann::json skeletons = nlohmann::json::array();
  for (const names::NameUnit& u : c.units) {
    keys.push_back(u.KeysDisplay());
    skeletons.push_back(u.skeleton);
  }
  return {
      {"normalized", c.normalized}, {"latin", c.latin}, {"skeletons", skeletons}, {"keys", keys}};
}

int MatchOne(const names::DemographicMatcher& m, const std::string& a, const std::string& b,
             bool json, bool verbose) {
  Result<CompiledName> ca = names::CompileName(a);
  Result<CompiledName> cb = names::CompileName(b);
  Result<NameScores> s = m.MatchName(a, b);
  if (!ca.ok() || !cb.ok() || !s.ok()) {
    Status st = !ca.ok() ? ca.status() : !cb.ok() ? cb.status() : s.status();
    if (json) {
      std::cout << nlohmann::json{{"error", st.code()}, {"message", st.message()}}.dump() << "\n";
    } else {
      std::cerr << "sijil names match: " << st << "\n";
    }
    return 2;
  }
  if (json) {
    nlohmann::json j = {{"exact", s->exact},
                        {"partial", s->partial},
                        {"phonetic", s->phonetic},
                        {"similarity", s->similarity},
                        {"match", s->match}};
    if (verbose) {
      j["a"] = Describe(*ca);
      j["b"] = Describe(*cb);
    }
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    for (const auto& [label, c] : {std::pair{"A", &*ca}, std::pair{"B", &*cb}}) {
      std::cout << label << ": normalised \"" << c->normalized << "\"  latin \"" << c->latin
                << "\"  keys";
      for (const names::NameUnit& u : c->units) std::cout << " " << u.KeysDisplay();
      std::cout << "\n";
    }
    std::cout << "exact " << s->exact << "  partial " << s->partial << "  phonetic " << s->phonetic
              << "  similarity " << s->similarity << "  match " << (s->match ? "yes" : "no")
              << "\n";
  }
  return 0;
}

int RunBatch(const names::DemographicMatcher& m, const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "sijil names match: cannot read " << path << "\n";
    return 2;
  }
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    size_t tab = line.find('\t');
    if (tab == std::string::npos) {
      std::cout << nlohmann::json{{"line", line_no},
                                  {"error", "SIJ-NAM-050"},
                                  {"message", "expected two tab-separated names"}}
                       .dump()
                << "\n";
      continue;
    }
    Result<NameScores> s = m.MatchName(line.substr(0, tab), line.substr(tab + 1));
    if (!s.ok()) {
      std::cout << nlohmann::json{{"line", line_no},
                                  {"error", s.status().code()},
                                  {"message", s.status().message()}}
                       .dump()
                << "\n";
      continue;
    }
    std::cout << nlohmann::json{{"line", line_no},
                                {"exact", s->exact},
                                {"partial", s->partial},
                                {"phonetic", s->phonetic},
                                {"similarity", s->similarity},
                                {"match", s->match}}
                     .dump()
              << "\n";
  }
  return 0;
}

double Round(double x, int digits) {
  double f = std::pow(10.0, digits);
  return std::round(x * f) / f;
}

struct EvalOptions {
  size_t population = 10000;
  uint64_t seed = 7;
  double duplicates = 5;
  bool json = false;
  double match_threshold = NAN;
  double possible_threshold = NAN;
  size_t explain = 0;
};

nlohmann::json ExampleJson(const names::EvaluationReport::Example& x) {
  const names::FieldWeights& w = x.score.fields;
  return {{"a", x.a},
          {"b", x.b},
          {"weight", Round(x.score.weight, 2)},
          {"decision", names::MatchDecisionName(x.score.decision)},
          {"variations", x.variations},
          {"fields",
           {{"given", Round(w.given, 2)},
            {"family", Round(w.family, 2)},
            {"father", Round(w.father, 2)},
            {"mother", Round(w.mother, 2)},
            {"birth_date", Round(w.birth_date, 2)},
            {"sex", Round(w.sex, 2)},
            {"birth_place", Round(w.birth_place, 2)},
            {"address", Round(w.address, 2)},
            {"phone", Round(w.phone, 2)},
            {"document", Round(w.document, 2)}}}};
}

int RunEval(const EvalOptions& o) {
  names::PopulationOptions p;
  p.count = o.population;
  p.seed = o.seed;
  p.duplicate_rate = o.duplicates / 100.0;
  names::MatcherSettings settings;
  if (!std::isnan(o.match_threshold)) settings.match_threshold = o.match_threshold;
  if (!std::isnan(o.possible_threshold)) settings.possible_match_threshold = o.possible_threshold;
  Result<names::EvaluationReport> r = names::EvaluateMatcher(p, settings, o.explain);
  if (!r.ok()) {
    std::cerr << "sijil names eval: " << r.status() << "\n";
    return 2;
  }
  const names::EvaluationReport& e = *r;
  if (o.json) {
    nlohmann::json j = {{"records", e.records},
                        {"seed", o.seed},
                        {"duplicates_percent", o.duplicates},
                        {"true_pairs", e.true_pairs},
                        {"candidate_pairs", e.candidate_pairs},
                        {"pairs_completeness", Round(e.pairs_completeness, 5)},
                        {"reduction_ratio", Round(e.reduction_ratio, 7)},
                        {"mean_candidates", Round(e.mean_candidates, 2)},
                        {"match_threshold", settings.match_threshold},
                        {"possible_match_threshold", settings.possible_match_threshold},
                        {"precision", Round(e.precision, 5)},
                        {"recall", Round(e.recall, 5)},
                        {"f1", Round(e.f1, 5)},
                        {"recall_with_review", Round(e.recall_with_review, 5)},
                        {"possible_match_pairs", e.possible_true + e.possible_false},
                        {"pairs_per_second", std::round(e.pairs_per_second)},
                        {"pairs_per_second_wall", std::round(e.pairs_per_second_wall)},
                        {"scoring_cpu_seconds", Round(e.scoring_cpu_seconds, 3)},
                        {"compile_seconds", Round(e.compile_seconds, 3)},
                        {"blocking_seconds", Round(e.blocking_seconds, 3)},
                        {"scoring_seconds", Round(e.scoring_seconds, 3)},
                        {"missed_variations", e.missed_variations},
                        {"planted_variations", e.planted_variations}};
    if (o.explain > 0) {
      for (const auto* list : {&e.false_matches, &e.missed}) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& x : *list) arr.push_back(ExampleJson(x));
        j[list == &e.missed ? "missed" : "false_matches"] = arr;
      }
    }
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "records            " << e.records << " (" << e.true_pairs << " true pairs)\n"
              << "blocking           " << e.candidate_pairs << " candidate pairs, "
              << Round(e.mean_candidates, 1) << " per record, pairs completeness "
              << Round(e.pairs_completeness, 4) << "\n"
              << "automatic match    precision " << Round(e.precision, 4) << ", recall "
              << Round(e.recall, 4) << ", F1 " << Round(e.f1, 4) << " (threshold "
              << settings.match_threshold << " bits)\n"
              << "with human review  recall " << Round(e.recall_with_review, 4) << ", "
              << e.possible_true + e.possible_false << " pairs to review\n"
              << "speed              " << std::round(e.pairs_per_second)
              << " pair scores per CPU-second on one thread ("
              << std::round(e.pairs_per_second_wall) << " per wall second; compile "
              << Round(e.compile_seconds, 2) << " s, blocking " << Round(e.blocking_seconds, 2)
              << " s)\n";
    std::cout << "missed duplicates by variation:";
    for (const auto& [v, n] : e.missed_variations) std::cout << " " << v << "=" << n;
    std::cout << "\n";
  }
  return 0;
}

void SetupNames(CLI::App& root, CommandContext& ctx) {
  CLI::App* names_cmd =
      root.add_subcommand("names", "Demographic name matching (Arabic, French-Latin, Amazigh)");
  names_cmd->require_subcommand(1);

  auto match = std::make_shared<MatchOptions>();
  CLI::App* m = names_cmd->add_subcommand(
      "match", "Compare two names: normalised forms, phonetic keys, MOSIP scores");
  m->add_option("a", match->a, "First name (the request)");
  m->add_option("b", match->b, "Second name (the stored one)");
  m->add_option("--batch", match->batch,
                "Read tab-separated name pairs from FILE; one JSON object per line");
  m->add_flag("--json", match->json, "Print one JSON object");
  m->add_option("--threshold", match->threshold,
                "Similarity (0-100) at which two names match (default 85)")
      ->check(CLI::Range(0, 100));
  m->callback([match, &ctx] {
    names::MatcherSettings settings;
    if (match->threshold >= 0) settings.name_match_threshold = match->threshold;
    auto matcher = names::NewDemographicMatcher(settings);
    if (!match->batch.empty()) {
      ctx.exit_code = RunBatch(*matcher, match->batch);
      return;
    }
    if (match->a.empty() && match->b.empty()) {
      std::cerr << "sijil names match: give two names or --batch FILE\n";
      ctx.exit_code = 2;
      return;
    }
    ctx.exit_code = MatchOne(*matcher, match->a, match->b, match->json, true);
  });

  auto eval = std::make_shared<EvalOptions>();
  CLI::App* e = names_cmd->add_subcommand(
      "eval", "Blocking + scoring on a synthetic population with planted duplicates");
  e->add_option("--population", eval->population, "Records, duplicates included")
      ->check(CLI::Range(2, 10'000'000));
  e->add_option("--seed", eval->seed, "Population seed (default 7)");
  e->add_option("--duplicates", eval->duplicates, "Planted duplicates, percent (default 5)")
      ->check(CLI::Range(0.0, 50.0));
  e->add_option("--match-threshold", eval->match_threshold, "Automatic-match threshold, bits");
  e->add_option("--possible-threshold", eval->possible_threshold, "Possible-match threshold, bits");
  e->add_option("--explain", eval->explain,
                "With --json, list up to N false matches and N missed pairs with field weights");
  e->add_flag("--json", eval->json, "Print one JSON object");
  e->callback([eval, &ctx] { ctx.exit_code = RunEval(*eval); });

  CLI::App* f = names_cmd->add_subcommand(
      "frequencies", "Print the built-in name-frequency table (role, key, count per million)");
  f->callback([&ctx] {
    std::cout << names::NameFrequencyTable::Default().ToTsv();
    ctx.exit_code = 0;
  });
}

SIJIL_REGISTER_COMMAND(300, "names", SetupNames);

}  // namespace
}  // namespace sijil::cli
