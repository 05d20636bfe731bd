// Shared plumbing of `sijil biometrics eval --modality M`: the fingerprint FVC evaluation
// lives in biometrics_match_cmd.cc; every other modality registers a handler here from its
// own command file (so modalities can be added without editing the others), and prints its
// figures through PrintMatcherEvaluation, with the same field names as the fingerprint eval.
// Registration happens during static initialisation; lookups are single-threaded.
#ifndef SIJIL_SERVER_COMMANDS_BIOMETRICS_EVAL_H_
#define SIJIL_SERVER_COMMANDS_BIOMETRICS_EVAL_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "sijil/base/status.h"
#include "sijil/biometrics/matcher_eval.h"

namespace sijil::cli {

struct ModalityEvalArgs {
  std::string modality;
  std::string db;
  std::string out;  // folder for <db>_det.csv and <db>_det.png
  size_t max_impostors = 0;
  bool json = false;
};

// Runs the evaluation and returns the process exit code.
using ModalityEvalFn = int (*)(const ModalityEvalArgs& args);

struct ModalityEvalRegistration {
  ModalityEvalRegistration(const char* modality, ModalityEvalFn fn);
};
// nullptr when no handler is registered for `modality`.
ModalityEvalFn FindModalityEval(const std::string& modality);

// Writes the DET curve files and prints the figures (one JSON object with --json); returns
// the exit code (2 when the files cannot be written). `extra` fields are added to the JSON.
int PrintMatcherEvaluation(const ModalityEvalArgs& args, const biometrics::MatcherEvaluation& ev,
                           const nlohmann::json& extra = nlohmann::json::object());

// `sijil biometrics synth` serves several modalities. The fingerprint generator
// (biometrics_synth_cmd.cc) owns the subcommand and its --seed, --out and --json; another
// modality adds its own count option (e.g. --iris N) in a Setup registered after it, runs
// from the subcommand's parse-complete callback when that option is given, and calls
// MarkSynthHandled() so that the fingerprint callback stands aside.
void MarkSynthHandled();
bool SynthHandled();

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
