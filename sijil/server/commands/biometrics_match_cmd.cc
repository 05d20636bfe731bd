// `sijil biometrics match A B` and `sijil biometrics eval --db DIR`: 1:1 fingerprint
// comparison of two minutiae records, and the FVC-protocol accuracy evaluation on the given
// templates (--templates) or on our own extraction from the images (--images).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <thread>
#include <vector>

#include "sijil/base/env.h"
#include "sijil/biometrics/det.h"
#include "sijil/biometrics/eval.h"
#include "sijil/biometrics/finger_extractor.h"
#include "sijil/biometrics/finger_matcher.h"
#include "sijil/biometrics/finger_minutiae_record.h"
#include "sijil/server/command.h"
#include "sijil/server/commands/biometrics_eval.h"
#include "sijil/server/commands/biometrics_face.h"

namespace sijil::cli {
namespace {

using namespace sijil::biometrics;

struct MatchArgs {
  std::string a, b;
  double fmr = 1e-4;
  bool json = false;
  std::string config_path;
  std::string face_models;
};

struct EvalArgs {
  size_t max_impostors = 0;
  std::string db;
  bool templates = false;
  bool images = false;
  int dpi = 500;
  std::string impostors = "fvc";
  std::string out = ".";
  bool json = false;
  std::string modality = "finger";
  std::string config_path;
  std::string face_models;
};

void PrintError(const Status& s, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"error", s.code()}, {"message", s.message()}}.dump() << "\n";
  } else {
    std::cerr << "error: " << s.ToString() << "\n";
  }
}

Result<FingerTemplate> LoadRecord(const std::string& path) {
  SIJIL_ASSIGN_OR_RETURN(std::string raw, Env::Default().ReadFile(path));
  auto t = ParseFingerTemplate(AsBytes(raw));
  if (!t.ok()) return t.status().WithContext(path);
  return t;
}

int RunMatch(const MatchArgs& args) {
  if (IsIrisInput(args.a) || IsIrisInput(args.b)) {
    return RunIrisMatch(args.a, args.b, args.fmr, args.json);
  }
  if (IsFaceInput(args.a) || IsFaceInput(args.b)) {
    return RunFaceMatch({args.a, args.b, args.config_path, args.face_models, args.json});
  }
  if (!(args.fmr > 0 && args.fmr < 1)) {
    PrintError(Status::InvalidArgument("SIJ-BIO-030", "--fmr must be in (0, 1)"), args.json);
    return 2;
  }
  auto a = LoadRecord(args.a);
  if (!a.ok()) {
    PrintError(a.status(), args.json);
    return 2;
  }
  auto b = LoadRecord(args.b);
  if (!b.ok()) {
    PrintError(b.status(), args.json);
    return 2;
  }
  FingerMatcher matcher(*b);
  MatchDetails d = matcher.MatchWithDetails(PreparedFingerprint(*a));
  const double threshold = ThresholdForFmr(args.fmr);
  const bool match = d.score >= threshold;
  if (args.json) {
    std::cout << nlohmann::json{{"score", d.score},
                                {"threshold", threshold},
                                {"fmr", args.fmr},
                                {"match", match},
                                {"paired_minutiae", d.paired},
                                {"minutiae_a", a->minutiae.size()},
                                {"minutiae_b", b->minutiae.size()}}
                     .dump()
              << "\n";
  } else {
    std::printf("score %.2f threshold %.2f (FMR %g): %s\n", d.score, threshold, args.fmr,
                match ? "MATCH" : "NO MATCH");
    std::printf("paired minutiae %d of %zu and %zu\n", d.paired, a->minutiae.size(),
                b->minutiae.size());
  }
  return match ? 0 : 1;
}

// Mean and quantiles of a score distribution (nearest rank), to compare databases.
nlohmann::json Distribution(std::vector<double> v) {
  if (v.empty()) return nlohmann::json::object();
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  auto q = [&](double p) {
    return v[static_cast<size_t>(std::lround(p * static_cast<double>(v.size() - 1)))];
  };
  return {{"mean", sum / static_cast<double>(v.size())},
          {"p01", q(0.01)},
          {"p05", q(0.05)},
          {"p50", q(0.5)},
          {"p95", q(0.95)},
          {"p99", q(0.99)},
          {"max", v.back()}};
}

// CPU time of the calling thread, in seconds.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Extracts a template from every <finger>_<impression>.tif under `dir` with our extractor, one
// image per thread on every core, as an enrolment service would. OpenCV's own worker pool is
// switched off meanwhile, so each image's time is the CPU time of the one thread that
// extracted it: what a core spends per image, with no idle spinning of pool threads counted
// and no other load on the machine either. `ms_per_image` receives one figure per image.
Result<FvcDatabase> LoadFvcImages(const std::string& dir, int dpi,
                                  std::vector<double>* ms_per_image) {
  const FingerExtractor extractor;
  std::mutex mu;
  auto extract = [&](const std::filesystem::path& path) -> Result<FingerTemplate> {
    cv::Mat img;
    try {
      img = cv::imread(path.string(), cv::IMREAD_GRAYSCALE);
    } catch (const cv::Exception&) {
      img.release();
    }
    if (img.empty()) {
      return Status::InvalidArgument("IDA-BIA-011", "cannot decode image " + path.string());
    }
    const double c0 = ThreadCpuSeconds();
    Result<FingerTemplate> t = extractor.Extract(img, dpi);
    const double ms = 1e3 * (ThreadCpuSeconds() - c0);
    std::lock_guard lock(mu);
    ms_per_image->push_back(ms);
    return t;
  };
  const int cv_threads = cv::getNumThreads();
  cv::setNumThreads(1);
  auto db = LoadFvcWithExtractor(
      dir, ".tif", extract, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  cv::setNumThreads(cv_threads);
  return db;
}

int RunEval(const EvalArgs& args) {
  if (args.modality == "face") {
    return RunFaceEval({.db = args.db,
                        .out = args.out,
                        .config_path = args.config_path,
                        .models_dir = args.face_models,
                        .json = args.json,
                        .max_impostors = args.max_impostors});
  }
  Env& env = Env::Default();
  if (args.modality != "finger") {
    // Other modalities register their own handlers (biometrics_eval.h).
    ModalityEvalFn fn = FindModalityEval(args.modality);
    if (fn == nullptr) {
      PrintError(Status::InvalidArgument("SIJ-BIO-034",
                                         "no evaluation for modality \"" + args.modality + "\""),
                 args.json);
      return 2;
    }
    return fn(
        ModalityEvalArgs{args.modality, args.db, args.out, args.max_impostors, args.json, ""});
  }
  if (args.templates && args.images) {
    PrintError(
        Status::InvalidArgument("SIJ-BIO-031", "--templates and --images exclude each other"),
        args.json);
    return 2;
  }
  ImpostorSet impostors;
  if (args.impostors == "fvc") {
    impostors = ImpostorSet::kFvc;
  } else if (args.impostors == "all") {
    impostors = ImpostorSet::kAll;
  } else {
    PrintError(Status::InvalidArgument("SIJ-BIO-033", "--impostors must be fvc or all"), args.json);
    return 2;
  }
  if (args.dpi < 250 || args.dpi > 2000) {
    PrintError(Status::InvalidArgument("SIJ-BIO-034", "--dpi must be 250..2000"), args.json);
    return 2;
  }
  std::vector<double> extract_ms;
  auto db =
      args.images ? LoadFvcImages(args.db, args.dpi, &extract_ms) : LoadFvcTemplates(env, args.db);
  if (!db.ok()) {
    PrintError(db.status(), args.json);
    return 2;
  }
  FvcEvaluation fvc = EvaluateFvc(env, *db, impostors);
  // Printed like every other modality; the FVC-specific figures ride along as extra fields.
  MatcherEvaluation ev;
  ev.rates = fvc.rates;
  ev.genuine_scores = std::move(fvc.genuine_scores);
  ev.impostor_scores = std::move(fvc.impostor_scores);
  ev.identities = fvc.fingers;
  ev.samples = fvc.samples;
  ev.comparisons_per_second = fvc.comparisons_per_second;
  ev.comparisons_per_cpu_second = fvc.comparisons_per_cpu_second;
  ev.prepare_seconds_per_template = fvc.prepare_seconds_per_template;
  ev.mean_template_bytes = fvc.mean_template_bytes;
  nlohmann::json extra = {{"impostors_set", args.impostors},
                          {"fingers", fvc.fingers},
                          {"mean_minutiae", fvc.mean_minutiae},
                          {"genuine_scores", Distribution(ev.genuine_scores)},
                          {"impostor_scores", Distribution(ev.impostor_scores)},
                          {"source", args.images ? "images" : "templates"}};
  if (args.images) {
    const nlohmann::json e = Distribution(extract_ms);
    extra["extract_ms_per_image"] = e.value("mean", 0.0);
    extra["extract_ms"] = e;
  }
  return PrintMatcherEvaluation({.modality = "finger",
                                 .db = args.db,
                                 .out = args.out,
                                 .json = args.json,
                                 .det_label = args.impostors + " impostors"},
                                ev, extra);
}

void SetupBiometricsMatch(CLI::App& root, CommandContext& ctx) {
  CLI::App* group = BiometricsGroup(root);

  auto match_args = std::make_shared<MatchArgs>();
  CLI::App* match = group->add_subcommand(
      "match",
      "Compare two fingerprint minutiae records (ISO/IEC 19794-2, ANSI 378), two iris codes or "
      "iris records (19794-6, eye or polar images), or two faces");
  match->add_option("A", match_args->a, "probe record")->required();
  match->add_option("B", match_args->b, "reference record")->required();
  match
      ->add_option("--fmr", match_args->fmr,
                   "false-match rate that sets the threshold (finger and iris; face decides at "
                   "biometrics.face.threshold)")
      ->capture_default_str();
  match->add_flag("--json", match_args->json, "print one JSON object");
  match->add_option("--face-models", match_args->face_models,
                    "folder with fr_detect/fr_landmark/fr_feature.onnx (else biometrics.face.*)");
  match->callback([&ctx, match_args] {
    match_args->config_path = ctx.config_path;
    ctx.exit_code = RunMatch(*match_args);
  });

  auto eval_args = std::make_shared<EvalArgs>();
  CLI::App* eval = group->add_subcommand(
      "eval",
      "Error rates of a folder of <identity>_<sample> samples: the FVC protocol for fingerprints, "
      "every genuine and impostor pair for iris and face");
  eval->add_option("--max-impostors", eval_args->max_impostors,
                   "iris/face: cap on impostor pairs, spread evenly (0: all)");
  eval->add_option("--db", eval_args->db, "database folder (like fvc2004/DB1_B)")->required();
  eval->add_flag("--templates", eval_args->templates, "use the .iso templates (default)");
  eval->add_flag("--images", eval_args->images, "extract templates from the .tif images");
  eval->add_option("--dpi", eval_args->dpi, "resolution of the images for --images")
      ->capture_default_str();
  eval->add_option("--impostors", eval_args->impostors,
                   "fvc: first impressions only; all: every cross-finger pair")
      ->capture_default_str();
  eval->add_option("--out", eval_args->out, "folder for <db>_det.csv and <db>_det.png")
      ->capture_default_str();
  eval->add_flag("--json", eval_args->json, "print one JSON object");
  eval->add_option("--modality", eval_args->modality,
                   "finger: FVC folder; face: one sub-folder of images per person, or "
                   "<identity>_<sample>.sfe stored embeddings; iris: <identity>_<sample> iris "
                   "codes or eye images")
      ->check(CLI::IsMember({"finger", "face", "iris"}))
      ->capture_default_str();
  eval->add_option("--face-models", eval_args->face_models,
                   "folder with fr_detect/fr_landmark/fr_feature.onnx (else biometrics.face.*)");
  eval->callback([&ctx, eval_args] {
    eval_args->config_path = ctx.config_path;
    ctx.exit_code = RunEval(*eval_args);
  });
}

SIJIL_REGISTER_COMMAND(400, "biometrics-match", SetupBiometricsMatch);

}  // namespace
}  // namespace sijil::cli
