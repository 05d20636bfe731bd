// Registry and output of the per-modality `sijil biometrics eval` handlers.
#include "sijil/server/commands/biometrics_eval.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "sijil/base/env.h"
#include "sijil/biometrics/det.h"
#include "sijil/server/command.h"

namespace sijil::cli {
namespace {

std::vector<SynthHandler>& SynthHandlers() {
  static std::vector<SynthHandler> handlers;
  return handlers;
}

std::map<std::string, ModalityEvalFn>& Registry() {
  static std::map<std::string, ModalityEvalFn> registry;
  return registry;
}

}  // namespace

ModalityEvalRegistration::ModalityEvalRegistration(const char* modality, ModalityEvalFn fn) {
  Registry()[modality] = fn;
}

ModalityEvalFn FindModalityEval(const std::string& modality) {
  auto it = Registry().find(modality);
  return it == Registry().end() ? nullptr : it->second;
}

void AddSynthHandler(SynthHandler handler) { SynthHandlers().push_back(std::move(handler)); }

void ReadSynthCommon(CLI::App& synth, uint64_t* seed, std::string* out, bool* json) {
  if (const CLI::Option* o = synth.get_option_no_throw("--seed"); o != nullptr && o->count()) {
    *seed = o->as<uint64_t>();
  }
  *out = synth.get_option("--out")->as<std::string>();
  *json = synth.get_option("--json")->count() > 0;
}

std::optional<int> RunSynthHandlers(CLI::App& synth, bool json) {
  const SynthHandler* chosen = nullptr;
  std::string given;
  for (const SynthHandler& h : SynthHandlers()) {
    if (synth.count(h.option) == 0) continue;
    if (chosen != nullptr) {
      PrintEvalError(
          Status::InvalidArgument("BIO-401", "give only one of " + given + " and " + h.option),
          json);
      return 2;
    }
    chosen = &h;
    given = h.option;
  }
  if (chosen == nullptr) return std::nullopt;
  return chosen->run(synth);
}

CLI::App* BiometricsGroup(CLI::App& root) {
  return GetOrAddSubcommand(root, "biometrics",
                            "Fingerprint, iris and face records: extraction, matching, evaluation, "
                            "synthetic data");
}

void PrintEvalError(const Status& s, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"error", s.code()}, {"message", s.message()}}.dump() << "\n";
  } else {
    std::cerr << "error: " << s.ToString() << "\n";
  }
}

Result<DetFiles> WriteDetFiles(const std::string& db, const std::string& out,
                               const std::string& suffix, const std::string& label,
                               const biometrics::ErrorRates& rates) {
  Env& env = Env::Default();
  const std::filesystem::path dbpath(db);
  std::string name = dbpath.filename().string();
  if (name.empty()) name = dbpath.parent_path().filename().string();
  if (name.empty()) name = "db";
  DetFiles files{std::filesystem::path(out) / (name + suffix + ".csv"),
                 std::filesystem::path(out) / (name + suffix + ".png")};
  SIJIL_RETURN_IF_ERROR(env.CreateDirectories(out));
  SIJIL_RETURN_IF_ERROR(env.WriteFileAtomic(files.csv, biometrics::DetCsv(rates)));
  std::string png_bytes;
  biometrics::DetCurve curve{name + " (" + label + ")", &rates};
  SIJIL_RETURN_IF_ERROR(biometrics::RenderDetPng(std::span(&curve, 1), &png_bytes));
  SIJIL_RETURN_IF_ERROR(env.WriteFileAtomic(files.png, png_bytes));
  return files;
}

std::string SampleIdentity(const std::filesystem::path& file) {
  const std::string stem = file.stem().string();
  const size_t us = stem.rfind('_');
  return us == std::string::npos || us == 0 ? std::string() : stem.substr(0, us);
}

nlohmann::json RawScoreFields(const biometrics::MatcherEvaluation& ev, const std::string& name) {
  nlohmann::json j = nlohmann::json::object();
  auto add = [&](const std::string& side, const std::vector<double>& v) {
    if (v.empty()) return;
    double mean = 0, sq = 0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    for (double x : v) sq += (x - mean) * (x - mean);
    j[side + "_" + name + "_mean"] = mean;
    j[side + "_" + name + "_sd"] = std::sqrt(sq / static_cast<double>(v.size()));
  };
  add("genuine", ev.genuine_raw);
  add("impostor", ev.impostor_raw);
  return j;
}

nlohmann::json ErrorRatesJson(const biometrics::ErrorRates& r) {
  return {{"eer", r.eer},           {"fmr100", r.fmr100},     {"fmr1000", r.fmr1000},
          {"fmr10000", r.fmr10000}, {"zero_fmr", r.zero_fmr}, {"eer_threshold", r.eer_threshold}};
}

int PrintMatcherEvaluation(const ModalityEvalArgs& args, const biometrics::MatcherEvaluation& ev,
                           const nlohmann::json& extra) {
  using namespace sijil::biometrics;
  const ErrorRates& r = ev.rates;
  Result<DetFiles> det = WriteDetFiles(args.db, args.out, "_det",
                                       args.det_label.empty() ? args.modality : args.det_label, r);
  if (!det.ok()) {
    PrintEvalError(det.status(), args.json);
    return 2;
  }
  const std::filesystem::path& csv = det->csv;
  const std::filesystem::path& png = det->png;
  if (args.json) {
    nlohmann::json j = ErrorRatesJson(r);
    j.update({{"db", args.db},
              {"modality", args.modality},
              {"genuine", ev.genuine_scores.size()},
              {"impostor", ev.impostor_scores.size()},
              {"genuine_pairs", "unordered"},
              {"identities", ev.identities},
              {"samples", ev.samples},
              {"failed_comparisons", ev.failed},
              {"comparisons_per_second", ev.comparisons_per_second},
              {"comparisons_per_cpu_second", ev.comparisons_per_cpu_second},
              {"prepare_ms_per_template", ev.prepare_seconds_per_template * 1e3},
              {"mean_template_bytes", ev.mean_template_bytes},
              {"det_csv", csv.string()},
              {"det_png", png.string()}});
    for (const auto& [k, v] : extra.items()) j[k] = v;
    std::cout << j.dump() << "\n";
  } else {
    std::printf("database        %s (%s: %zu identities, %zu samples)\n", args.db.c_str(),
                args.modality.c_str(), ev.identities, ev.samples);
    std::printf("genuine pairs   %zu (unordered)\n", ev.genuine_scores.size());
    std::printf("impostor pairs  %zu\n", ev.impostor_scores.size());
    if (ev.failed > 0) std::printf("refused         %zu comparisons (scored 0)\n", ev.failed);
    std::printf("EER             %.2f%% (threshold %.2f)\n", 100 * r.eer, r.eer_threshold);
    std::printf("FMR100          %.2f%%\n", 100 * r.fmr100);
    std::printf("FMR1000         %.2f%%\n", 100 * r.fmr1000);
    std::printf("ZeroFMR         %.2f%%\n", 100 * r.zero_fmr);
    std::printf("comparisons/s   %.0f wall, %.0f per CPU second (one thread, prepared probes)\n",
                ev.comparisons_per_second, ev.comparisons_per_cpu_second);
    for (const auto& [k, v] : extra.items()) {
      std::printf("%-15s %s\n", k.c_str(),
                  v.is_string() ? v.get<std::string>().c_str() : v.dump().c_str());
    }
    std::printf("DET curve       %s, %s\n", csv.string().c_str(), png.string().c_str());
  }
  return 0;
}

}  // namespace sijil::cli
