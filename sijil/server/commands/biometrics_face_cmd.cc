// Face matching and evaluation for the `sijil biometrics` group (see biometrics_face.h),
// and the registration of the face engine's configuration keys.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "sijil/base/config.h"
#include "sijil/base/env.h"
#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/det.h"
#include "sijil/biometrics/face_engine.h"
#include "sijil/biometrics/face_eval.h"
#include "sijil/biometrics/face_image_record.h"
#include "sijil/biometrics/face_matcher.h"
#include "sijil/biometrics/face_synth.h"
#include "sijil/biometrics/image_codec.h"
#include "sijil/biometrics/matcher_eval.h"
#include "sijil/server/command.h"
#include "sijil/server/commands/biometrics_eval.h"
#include "sijil/server/commands/biometrics_face.h"

namespace sijil::cli {

using namespace sijil::biometrics;
using nlohmann::json;

namespace {

ConfigKeys kFaceKeys(&DeclareFaceConfig);

void PrintError(const Status& s, bool json_output) {
  if (json_output) {
    std::cout << json{{"error", s.code()}, {"message", s.message()}}.dump() << "\n";
  } else {
    std::cerr << "error: " << s.ToString() << "\n";
  }
}

struct FaceSetup {
  std::unique_ptr<FaceEngine> engine;
  FaceExtractOptions options;
  double threshold = 0;
};

// --face-models DIR stands for the three biometrics.face.* model keys, set as command-line
// overrides on top of the configuration file and SIJIL_* variables. Without `with_models`
// only the settings are read (comparing stored embeddings needs no model).
Result<FaceSetup> MakeEngine(const std::string& config_path, const std::string& models_dir,
                             bool with_models = true) {
  CommandContext ctx;
  ctx.config_path = config_path;
  const FaceModelPaths dir =
      models_dir.empty() ? FaceModelPaths{} : FaceModelPathsInDirectory(models_dir);
  SIJIL_ASSIGN_OR_RETURN(Config config,
                         LoadCommandConfig(ctx, {
                                                    {"biometrics.face.detector", dir.detector},
                                                    {"biometrics.face.landmarks", dir.landmarks},
                                                    {"biometrics.face.model", dir.embedding},
                                                }));
  FaceSetup setup;
  if (with_models) {
    SIJIL_ASSIGN_OR_RETURN(setup.engine, FaceEngine::Create(FaceModelPathsFromConfig(config)));
  }
  setup.options.min_detection_score =
      static_cast<float>(config.GetDouble("biometrics.face.min_detection_score"));
  setup.threshold = config.GetDouble("biometrics.face.threshold");
  return setup;
}

Result<Image> LoadFace(const std::string& path) {
  SIJIL_ASSIGN_OR_RETURN(std::string raw, Env::Default().ReadFile(path));
  const bool record = raw.size() >= 4 && raw.compare(0, 4, std::string("FAC\0", 4)) == 0;
  auto image = record ? FaceRecordImage(AsBytes(raw)) : DecodeFaceImageFile(AsBytes(raw));
  if (!image.ok()) return image.status().WithContext(path);
  return image;
}

json QualityJson(const FaceTemplate& t) {
  const FaceQuality& q = t.quality;
  return {{"score", q.score},
          {"inter_eye_pixels", q.inter_eye_pixels},
          {"roll_degrees", q.roll_degrees},
          {"yaw_degrees", q.yaw_degrees},
          {"pitch_ratio", q.pitch_ratio},
          {"sharpness", q.sharpness},
          {"brightness", q.brightness},
          {"contrast", q.contrast},
          {"clipped_fraction", q.clipped_fraction}};
}

json FaceJson(const FaceTemplate& t) {
  const FaceBox& b = t.detection.box;
  return {{"detected", t.detected},
          {"faces_found", t.faces_found},
          {"box", {b.x1, b.y1, b.x2, b.y2}},
          {"detector_score", b.score},
          {"quality", QualityJson(t)}};
}

// "SFE\0": a stored face embedding (face_matcher.h), not an image.
bool IsStoredFaceEmbedding(std::string_view raw) {
  return raw.size() >= 4 && raw.compare(0, 4, std::string_view("SFE\0", 4)) == 0;
}

}  // namespace

bool IsFaceInput(const std::string& path) {
  auto raw = Env::Default().ReadFile(path);
  if (!raw.ok() || raw->size() < 4) return false;
  if (raw->compare(0, 4, std::string("FAC\0", 4)) == 0) return true;
  if (IsStoredFaceEmbedding(*raw)) return true;
  if (raw->compare(0, 2, "P5") == 0) return true;
  switch (SniffImageCodec(AsBytes(*raw))) {
    case ImageCodec::kJpeg:
    case ImageCodec::kPng:
    case ImageCodec::kJpeg2000:
      return true;
    default:
      return false;
  }
}

int RunFaceMatch(const FaceMatchRequest& r) {
  // Stored embeddings (extract --modality face -o X.sfe) compare without the models; images
  // and face records go through detection, alignment and the embedding model first.
  const std::string* files[2] = {&r.a, &r.b};
  std::string raw[2];
  bool stored[2] = {false, false};
  for (int i = 0; i < 2; ++i) {
    auto bytes = Env::Default().ReadFile(*files[i]);
    if (!bytes.ok()) {
      PrintError(bytes.status(), r.json);
      return 2;
    }
    raw[i] = std::move(*bytes);
    stored[i] = IsStoredFaceEmbedding(raw[i]);
  }
  auto setup = MakeEngine(r.config_path, r.models_dir, !(stored[0] && stored[1]));
  if (!setup.ok()) {
    PrintError(setup.status(), r.json);
    return 2;
  }
  FaceTemplate t[2];
  for (int i = 0; i < 2; ++i) {
    if (stored[i]) {
      auto embedding = ParseFaceEmbedding(AsBytes(raw[i]));
      if (!embedding.ok()) {
        PrintError(embedding.status().WithContext(*files[i]), r.json);
        return 2;
      }
      t[i].embedding = std::move(*embedding);
      continue;
    }
    auto image = LoadFace(*files[i]);
    if (!image.ok()) {
      PrintError(image.status(), r.json);
      return 2;
    }
    auto extracted = setup->engine->Extract(*image, setup->options);
    if (!extracted.ok()) {
      PrintError(extracted.status().WithContext(*files[i]), r.json);
      return 2;
    }
    t[i] = std::move(*extracted);
  }
  if (t[0].embedding.size() != t[1].embedding.size()) {
    PrintError(InvalidBioInput(
                   "face embeddings of different sizes (" + std::to_string(t[0].embedding.size()) +
                   " and " + std::to_string(t[1].embedding.size()) + "): made by different models"),
               r.json);
    return 2;
  }
  const double score = FaceEngine::Compare(t[0], t[1]);
  const bool match = score >= setup->threshold;
  if (r.json) {
    auto side = [&](int i) {
      return stored[i] ? json{{"stored_embedding", true}} : FaceJson(t[i]);
    };
    std::cout << json{{"modality", "face"}, {"score", score}, {"threshold", setup->threshold},
                      {"match", match},     {"a", side(0)},   {"b", side(1)}}
                     .dump()
              << "\n";
  } else {
    std::printf("face cosine %.4f threshold %.4f: %s\n", score, setup->threshold,
                match ? "MATCH" : "NO MATCH");
    for (int i = 0; i < 2; ++i) {
      if (stored[i]) {
        std::printf("%s: stored embedding\n", files[i]->c_str());
        continue;
      }
      std::printf("%s: %s, quality %d (eyes %.0f px apart, yaw %.0f, roll %.0f)\n",
                  files[i]->c_str(), t[i].detected ? "face detected" : "no face detected",
                  t[i].quality.score, t[i].quality.inter_eye_pixels, t[i].quality.yaw_degrees,
                  t[i].quality.roll_degrees);
    }
  }
  return match ? 0 : 1;
}

int RunFaceExtract(const FaceExtractRequest& r) {
  auto setup = MakeEngine(r.config_path, r.models_dir);
  if (!setup.ok()) {
    PrintError(setup.status(), r.json);
    return 2;
  }
  auto image = LoadFace(r.input);
  if (!image.ok()) {
    PrintError(image.status(), r.json);
    return 2;
  }
  Env& env = Env::Default();
  const auto t0 = env.MonotonicNow();
  auto t = setup->engine->Extract(*image, setup->options);
  const double ms = std::chrono::duration<double, std::milli>(env.MonotonicNow() - t0).count();
  if (!t.ok()) {
    PrintError(t.status().WithContext(r.input), r.json);
    return 2;
  }
  if (!r.output.empty()) {
    const Bytes stored = SerializeFaceEmbedding(t->embedding);
    Status s = env.WriteFileAtomic(
        r.output, std::string_view(reinterpret_cast<const char*>(stored.data()), stored.size()),
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
            std::filesystem::perms::group_read);
    if (!s.ok()) {
      PrintError(s, r.json);
      return 2;
    }
  }
  if (r.json) {
    json j = FaceJson(*t);
    j["modality"] = "face";
    j["dimensions"] = t->embedding.size();
    j["extraction_ms"] = ms;
    std::cout << j.dump() << "\n";
  } else {
    std::printf(
        "%s, quality %d (eyes %.0f px apart, yaw %.0f, roll %.0f), %zu-d embedding, "
        "%.1f ms%s\n",
        t->detected ? "face detected" : "no face detected (whole image used)", t->quality.score,
        t->quality.inter_eye_pixels, t->quality.yaw_degrees, t->quality.roll_degrees,
        t->embedding.size(), ms, r.output.empty() ? "" : (", written to " + r.output).c_str());
  }
  return 0;
}

namespace {

bool IsStoredEmbedding(const std::filesystem::path& p) { return p.extension() == ".sfe"; }

// The <identity>_<sample>.sfe files directly in `dir`, checked to be stored embeddings;
// an empty list when there are none (or `dir` cannot be listed).
Result<std::vector<LabeledTemplate>> LoadStoredEmbeddings(const std::string& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && IsStoredEmbedding(it->path())) files.push_back(it->path());
  }
  std::vector<LabeledTemplate> out;
  if (ec) return out;  // the image loader reports a folder it cannot read
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    std::string id = SampleIdentity(p);
    if (id.empty()) {
      return InvalidBioInput(p.filename().string() +
                             ": stored embeddings must be named <identity>_<sample>.sfe");
    }
    SIJIL_ASSIGN_OR_RETURN(std::string raw, Env::Default().ReadFile(p));
    if (auto parsed = ParseFaceEmbedding(AsBytes(raw)); !parsed.ok()) {
      return parsed.status().WithContext(p.filename().string());
    }
    out.push_back({std::move(id), p.filename().string(), Bytes(raw.begin(), raw.end())});
  }
  return out;
}

// `eval --modality face` on stored embeddings: the face Matcher (cosine, Gaussian impostor
// calibration from biometrics.face.impostor_*), no detector or model involved.
int RunStoredFaceEval(const FaceEvalRequest& r, std::vector<LabeledTemplate> samples) {
  CommandContext ctx;
  ctx.config_path = r.config_path;
  auto config = LoadCommandConfig(ctx, {});
  if (!config.ok()) {
    PrintError(config.status(), r.json);
    return 2;
  }
  MatcherEvalOptions options;
  options.max_impostors = r.max_impostors;
  const std::unique_ptr<Matcher> matcher = NewFaceMatcher(FaceMatcherOptionsFromConfig(*config));
  auto ev = EvaluateMatcher(Env::Default(), *matcher, samples, options);
  if (!ev.ok()) {
    PrintError(ev.status(), r.json);
    return 2;
  }
  nlohmann::json extra = RawScoreFields(*ev, "cosine");
  extra["stored_embeddings"] = samples.size();
  return PrintMatcherEvaluation({"face", r.db, r.out, r.max_impostors, r.json, ""}, *ev, extra);
}

}  // namespace

int RunFaceEval(const FaceEvalRequest& r) {
  Env& env = Env::Default();
  {
    auto stored = LoadStoredEmbeddings(r.db);
    if (!stored.ok()) {
      PrintError(stored.status(), r.json);
      return 2;
    }
    if (!stored->empty()) return RunStoredFaceEval(r, std::move(*stored));
  }
  auto setup = MakeEngine(r.config_path, r.models_dir);
  if (!setup.ok()) {
    PrintError(setup.status(), r.json);
    return 2;
  }
  setup->options.whole_image_fallback = r.fallback;
  auto db = LoadFaceDatabase(env, *setup->engine, r.db, setup->options);
  if (!db.ok()) {
    PrintError(db.status(), r.json);
    return 2;
  }
  FaceEvaluation ev = EvaluateFace(env, *db);
  const ErrorRates& rates = ev.rates;

  Result<DetFiles> det = WriteDetFiles(r.db, r.out, "_face_det", "face", rates);
  if (!det.ok()) {
    PrintError(det.status(), r.json);
    return 2;
  }
  const std::filesystem::path& csv = det->csv;
  const std::filesystem::path& png = det->png;

  auto stats = [](const ScoreStats& s) {
    return json{{"mean", s.mean}, {"sd", s.sd}, {"min", s.min}, {"max", s.max}};
  };
  // Synthetic embeddings tuned to these distributions (for scale tests), and what they give.
  const FaceScoreTargets real{ev.genuine.mean, ev.genuine.sd, ev.impostor.mean, ev.impostor.sd};
  const FaceSynthParams synth = FitFaceSynth(real, /*seed=*/1);
  const FaceScoreTargets got = MeasureFaceSynth(FaceSynth(synth), 100, 10);
  if (r.json) {
    json j = ErrorRatesJson(rates);
    j.update({{"db", r.db},
              {"modality", "face"},
              {"threshold_fmr100", ev.threshold_fmr100},
              {"threshold_fmr1000", ev.threshold_fmr1000},
              {"genuine", ev.genuine_scores.size()},
              {"impostor", ev.impostor_scores.size()},
              {"genuine_pairs", "unordered"},
              {"genuine_scores", stats(ev.genuine)},
              {"impostor_scores", stats(ev.impostor)},
              {"subjects", db->subjects},
              {"images", db->images},
              {"detected", db->detected},
              {"fallback_whole_image", db->fallback},
              {"failed", db->failed},
              {"mean_quality", db->mean_quality},
              {"extract_ms_per_image", db->extract_seconds_per_image * 1e3},
              {"comparisons_per_second", ev.comparisons_per_second},
              {"comparisons_per_cpu_second", ev.comparisons_per_cpu_second},
              {"detected_only",
               {{"eer", ev.detected_only.eer},
                {"fmr100", ev.detected_only.fmr100},
                {"fmr1000", ev.detected_only.fmr1000},
                {"genuine", ev.detected_only_genuine},
                {"impostor", ev.detected_only_impostor}}},
              {"synthetic",
               {{"identity_dims", synth.identity_dims},
                {"shared_weight", synth.shared_weight},
                {"noise", synth.noise},
                {"noise_spread", synth.noise_spread},
                {"genuine_mean", got.genuine_mean},
                {"genuine_sd", got.genuine_sd},
                {"impostor_mean", got.impostor_mean},
                {"impostor_sd", got.impostor_sd}}},
              {"det_csv", csv.string()},
              {"det_png", png.string()}});
    std::cout << j.dump() << "\n";
  } else {
    std::printf("database        %s (%zu subjects, %zu images)\n", r.db.c_str(), db->subjects,
                db->images);
    std::printf("faces           %zu detected, %zu whole-image fallback, %zu failed\n",
                db->detected, db->fallback, db->failed);
    std::printf("genuine pairs   %zu (cosine mean %.3f sd %.3f)\n", ev.genuine_scores.size(),
                ev.genuine.mean, ev.genuine.sd);
    std::printf("impostor pairs  %zu (cosine mean %.3f sd %.3f)\n", ev.impostor_scores.size(),
                ev.impostor.mean, ev.impostor.sd);
    std::printf("EER             %.2f%% (threshold %.3f)\n", 100 * rates.eer, rates.eer_threshold);
    std::printf("FMR100          %.2f%% (threshold %.3f)\n", 100 * rates.fmr100,
                ev.threshold_fmr100);
    std::printf("FMR1000         %.2f%% (threshold %.3f)\n", 100 * rates.fmr1000,
                ev.threshold_fmr1000);
    std::printf("ZeroFMR         %.2f%%\n", 100 * rates.zero_fmr);
    std::printf("detected only   EER %.2f%%, FMR1000 %.2f%% (%zu genuine, %zu impostor pairs)\n",
                100 * ev.detected_only.eer, 100 * ev.detected_only.fmr1000,
                ev.detected_only_genuine, ev.detected_only_impostor);
    std::printf("extraction      %.1f ms per image\n", db->extract_seconds_per_image * 1e3);
    std::printf("comparisons/s   %.0f wall, %.0f per CPU second (one thread)\n",
                ev.comparisons_per_second, ev.comparisons_per_cpu_second);
    std::printf(
        "synthetic fit   k=%d b=%.3f noise=%.3f spread=%.3f: genuine %.3f sd %.3f, "
        "impostor %.3f sd %.3f\n",
        synth.identity_dims, synth.shared_weight, synth.noise, synth.noise_spread, got.genuine_mean,
        got.genuine_sd, got.impostor_mean, got.impostor_sd);
    std::printf("DET curve       %s, %s\n", csv.string().c_str(), png.string().c_str());
  }
  return 0;
}

namespace {

struct FaceSynthArgs {
  int identities = 0;
  int samples = 10;
  uint64_t seed = 1;
  // Cosine distributions to imitate: genuine mean and sd, impostor mean and sd. The defaults
  // are what the test models (scripts/fetch-models) produced on the AT&T faces.
  std::vector<double> targets = {0.778, 0.191, 0.064, 0.108};
  std::string out;
  bool json = false;
};

// `sijil biometrics synth --face N`: <identity>_<sample>.sfe stored embeddings whose genuine
// and impostor cosine distributions match the targets.
int RunFaceSynth(const FaceSynthArgs& args) {
  Env& env = Env::Default();
  auto fail = [&](const Status& s) {
    PrintError(s, args.json);
    return 2;
  };
  if (args.identities < 2) return fail(InvalidBioInput("--face needs at least 2 identities"));
  if (args.targets.size() != 4) {
    return fail(
        InvalidBioInput("--face-targets takes 4 numbers: genuine mean, sd, impostor "
                        "mean, sd"));
  }
  const FaceScoreTargets targets{args.targets[0], args.targets[1], args.targets[2],
                                 args.targets[3]};
  if (!(targets.genuine_mean > targets.impostor_mean) || targets.genuine_mean >= 1 ||
      targets.impostor_mean <= -1 || targets.genuine_sd <= 0 || targets.impostor_sd <= 0) {
    return fail(
        InvalidBioInput("--face-targets: need -1 < impostor mean < genuine mean < 1 and "
                        "positive spreads"));
  }
  if (Status st = env.CreateDirectories(args.out); !st.ok()) return fail(st);
  const auto t0 = env.MonotonicNow();
  const FaceSynthParams params = FitFaceSynth(targets, args.seed);
  const FaceSynth synth(params);
  size_t files = 0;
  for (int i = 1; i <= args.identities; ++i) {
    for (int k = 1; k <= args.samples; ++k) {
      const Bytes stored =
          SerializeFaceEmbedding(synth.Sample(static_cast<uint64_t>(i), static_cast<uint64_t>(k)));
      const std::filesystem::path p =
          std::filesystem::path(args.out) / (std::to_string(i) + "_" + std::to_string(k) + ".sfe");
      Status st = env.WriteFileAtomic(
          p, std::string_view(reinterpret_cast<const char*>(stored.data()), stored.size()));
      if (!st.ok()) return fail(st);
      ++files;
    }
  }
  const double secs = std::chrono::duration<double>(env.MonotonicNow() - t0).count();
  if (args.json) {
    std::cout << json{{"modality", "face"},
                      {"out", args.out},
                      {"identities", args.identities},
                      {"samples_per_identity", args.samples},
                      {"files", files},
                      {"seed", args.seed},
                      {"dimensions", params.dim},
                      {"targets",
                       {{"genuine_mean", targets.genuine_mean},
                        {"genuine_sd", targets.genuine_sd},
                        {"impostor_mean", targets.impostor_mean},
                        {"impostor_sd", targets.impostor_sd}}},
                      {"seconds", secs}}
                     .dump()
              << "\n";
  } else {
    std::printf(
        "wrote %zu face embeddings (%d identities x %d samples, seed %llu) to %s in "
        "%.2f s\n",
        files, args.identities, args.samples, static_cast<unsigned long long>(args.seed),
        args.out.c_str(), secs);
  }
  return 0;
}

void SetupBiometricsFaceSynth(CLI::App& root, CommandContext& /*ctx*/) {
  CLI::App* group = BiometricsGroup(root);
  // `synth` and its --seed, --out and --json belong to the fingerprint generator (registered
  // before this file); face adds --face N (see biometrics_eval.h).
  CLI::App* synth = GetOrAddSubcommand(*group, "synth", "Generate synthetic biometric data");
  auto args = std::make_shared<FaceSynthArgs>();
  synth->add_option("--face", args->identities,
                    "synthetic face identities instead of fingerprints: writes <i>_<s>.sfe "
                    "512-d embeddings");
  synth->add_option("--face-samples", args->samples, "samples per face identity")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  synth
      ->add_option("--face-targets", args->targets,
                   "cosine distributions to imitate: genuine mean, sd, impostor mean, sd "
                   "(default: the test models on AT&T)")
      ->expected(4);
  AddSynthHandler({"--face", [args](CLI::App& synth) {
                     ReadSynthCommon(synth, &args->seed, &args->out, &args->json);
                     return RunFaceSynth(*args);
                   }});
}

SIJIL_REGISTER_COMMAND(413, "biometrics-face-synth", SetupBiometricsFaceSynth);

}  // namespace

}  // namespace sijil::cli
