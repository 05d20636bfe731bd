// Shared plumbing of `sijil biometrics eval --modality M`: the fingerprint FVC evaluation
// lives in biometrics_match_cmd.cc; every other modality registers a handler here from its
// own command file (so modalities can be added without editing the others), and prints its
// figures through PrintMatcherEvaluation, with the same field names as the fingerprint eval.
// Registration happens during static initialisation; lookups are single-threaded.
#ifndef SIJIL_SERVER_COMMANDS_BIOMETRICS_EVAL_H_
#define SIJIL_SERVER_COMMANDS_BIOMETRICS_EVAL_H_

#include <CLI/CLI.hpp>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sijil/base/result.h"
#include "sijil/base/status.h"
#include "sijil/biometrics/det.h"
#include "sijil/biometrics/matcher_eval.h"

namespace sijil::cli {

// The `sijil biometrics` command group (fingerprint, iris and face records), shared by the
// biometrics command files: the first to set up creates it, the others add to it.
CLI::App* BiometricsGroup(CLI::App& root);

struct ModalityEvalArgs {
  std::string modality;
  std::string db;
  std::string out;  // folder for <db>_det.csv and <db>_det.png
  size_t max_impostors = 0;
  bool json = false;
  std::string det_label;  // follows the database name in the DET plot's title (default: modality)
};

// Runs the evaluation and returns the process exit code.
using ModalityEvalFn = int (*)(const ModalityEvalArgs& args);

struct ModalityEvalRegistration {
  ModalityEvalRegistration(const char* modality, ModalityEvalFn fn);
};
// nullptr when no handler is registered for `modality`.
ModalityEvalFn FindModalityEval(const std::string& modality);

// The DET curve of `rates` written as <out>/<name><suffix>.csv and .png, where <name> is the
// database folder's own name; `label` follows the name in the plot's title.
struct DetFiles {
  std::filesystem::path csv;
  std::filesystem::path png;
};
Result<DetFiles> WriteDetFiles(const std::string& db, const std::string& out,
                               const std::string& suffix, const std::string& label,
                               const biometrics::ErrorRates& rates);

// The error-rate fields every eval prints: eer, fmr100, fmr1000, fmr10000, zero_fmr (fractions)
// and eer_threshold (on the calibrated score scale).
nlohmann::json ErrorRatesJson(const biometrics::ErrorRates& rates);

// Files of a modality's evaluation folder are named <identity>_<sample>.<ext>: the identity
// is everything before the last underscore; empty when there is none (or nothing before it).
std::string SampleIdentity(const std::filesystem::path& file);

// Mean and standard deviation of the engine's raw genuine and impostor scores, as the JSON
// fields genuine_<name>_mean, genuine_<name>_sd, impostor_<name>_mean, impostor_<name>_sd
// (e.g. name "hd" for iris Hamming distances, "cosine" for face similarities).
nlohmann::json RawScoreFields(const biometrics::MatcherEvaluation& ev, const std::string& name);

// Writes the DET curve files and prints the figures (one JSON object with --json); returns
// the exit code (2 when the files cannot be written). `extra` fields are added to the JSON.
int PrintMatcherEvaluation(const ModalityEvalArgs& args, const biometrics::MatcherEvaluation& ev,
                           const nlohmann::json& extra = nlohmann::json::object());

// `sijil biometrics synth` serves several modalities. The fingerprint generator
// (biometrics_synth_cmd.cc) owns the subcommand and its --seed, --out and --json; another
// modality adds its own count option (e.g. --iris N) in a Setup registered after it and
// registers a handler here. The subcommand's callback runs the handler whose option was given
// (RunSynthHandlers), or the fingerprint generator when none was.
struct SynthHandler {
  std::string option;                 // e.g. "--iris": selects this handler
  std::function<int(CLI::App&)> run;  // reads its options from the subcommand; exit code
};
void AddSynthHandler(SynthHandler handler);
// The options every generator shares, as given to the `synth` subcommand: --seed (when given,
// else `seed` is left alone), --out and --json.
void ReadSynthCommon(CLI::App& synth, uint64_t* seed, std::string* out, bool* json);
// The exit code of the handler whose option `synth` was given, 2 (with a message) when
// several were given, nullopt when none was.
std::optional<int> RunSynthHandlers(CLI::App& synth, bool json);

// Iris half of `sijil biometrics match A B` (biometrics_iris_cmd.cc): true when `path` holds
// a stored iris code ("SIC\0") or an ISO/IEC 19794-6 record ("IIR\0"); RunIrisMatch
// extracts records through the iris pipeline and compares. Exit status: 0 match, 1 no
// match, 2 error.
bool IsIrisInput(const std::string& path);
int RunIrisMatch(const std::string& a, const std::string& b, double fmr, bool json);

// {"error": code, "message": message} with --json, else "error: ..." on stderr.
void PrintEvalError(const Status& status, bool json);

}  // namespace sijil::cli

#endif  // SIJIL_SERVER_COMMANDS_BIOMETRICS_EVAL_H_
