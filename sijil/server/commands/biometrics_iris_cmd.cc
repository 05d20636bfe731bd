// `sijil biometrics synth --iris N` (synthetic iris codes) and the iris handler of
// `sijil biometrics eval --modality iris --db DIR`.
//
// Iris files are named <identity>_<sample>.<ext>: stored iris codes (.sic, see iris_code.h)
// are read as they are; eye images (.jp2, .png, .jpg, .bmp, .tif, .pgm) and ISO/IEC 19794-6
// records (.iso, first image) go through the iris pipeline (iris_pipeline.h). The identity
// is everything before the last underscore.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "sijil/base/env.h"
#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/image_codec.h"
#include "sijil/biometrics/iris_code.h"
#include "sijil/biometrics/iris_image_record.h"
#include "sijil/biometrics/iris_matcher.h"
#include "sijil/biometrics/iris_pipeline.h"
#include "sijil/biometrics/iris_polar.h"
#include "sijil/biometrics/matcher_eval.h"
#include "sijil/server/command.h"
#include "sijil/server/commands/biometrics_eval.h"

namespace sijil::cli {
namespace {

using namespace sijil::biometrics;

struct IrisSynthArgs {
  int identities = 0;
  int samples = 3;
  uint64_t seed = 1;
  double flip_rate = IrisSynthOptions{}.flip_rate;
  std::string out;
  bool json = false;
};

int RunIrisSynth(const IrisSynthArgs& args) {
  Env& env = Env::Default();
  if (args.identities <= 0) {
    PrintEvalError(Status::InvalidArgument("SIJ-BIO-035", "give --iris N (N >= 1 identities)"),
                   args.json);
    return 2;
  }
  if (!(args.flip_rate >= 0 && args.flip_rate <= 0.5)) {
    PrintEvalError(Status::InvalidArgument("SIJ-BIO-036", "--flip-rate must be in [0, 0.5]"),
                   args.json);
    return 2;
  }
  Status st = env.CreateDirectories(args.out);
  if (!st.ok()) {
    PrintEvalError(st, args.json);
    return 2;
  }
  // The seed alone determines the codes: a simulated Env is a seeded generator.
  SimulatedEnv rng(args.seed);
  IrisSynthOptions options;
  options.flip_rate = args.flip_rate;
  // Each capture is rotated against the identity by up to +-4 columns, so two captures
  // differ by at most 8: within the matcher's default rotation search.
  options.max_rotation = 4;
  IrisSynth synth(rng, options);
  const auto t0 = env.MonotonicNow();
  size_t files = 0;
  for (int i = 1; i <= args.identities; ++i) {
    const IrisCode identity = synth.NewIdentity();
    for (int s = 1; s <= args.samples; ++s) {
      const Bytes stored = SerializeIrisCode(synth.GenuineSample(identity));
      const std::filesystem::path p =
          std::filesystem::path(args.out) / (std::to_string(i) + "_" + std::to_string(s) + ".sic");
      st = env.WriteFileAtomic(
          p, std::string_view(reinterpret_cast<const char*>(stored.data()), stored.size()));
      if (!st.ok()) {
        PrintEvalError(st, args.json);
        return 2;
      }
      ++files;
    }
  }
  const double secs = std::chrono::duration<double>(env.MonotonicNow() - t0).count();
  if (args.json) {
    std::cout << nlohmann::json{{"modality", "iris"},
                                {"out", args.out},
                                {"identities", args.identities},
                                {"samples_per_identity", args.samples},
                                {"files", files},
                                {"seed", args.seed},
                                {"flip_rate", args.flip_rate},
                                {"seconds", secs}}
                     .dump()
              << "\n";
  } else {
    std::printf("wrote %zu iris codes (%d identities x %d samples, seed %llu) to %s in %.2f s\n",
                files, args.identities, args.samples, static_cast<unsigned long long>(args.seed),
                args.out.c_str(), secs);
  }
  return 0;
}

bool IsIrisFile(const std::filesystem::path& p) {
  const std::string e = p.extension().string();
  return e == ".sic" || e == ".iso" || e == ".jp2" || e == ".png" || e == ".jpg" || e == ".jpeg" ||
         e == ".bmp" || e == ".tif" || e == ".pgm";
}

// A stored iris code from any iris file: read, or extracted from the image.
Result<Bytes> IrisTemplateOf(const std::filesystem::path& p, const std::string& raw,
                             double* extract_seconds) {
  const auto bytes = AsBytes(raw);
  if (p.extension() == ".sic") return Bytes(raw.begin(), raw.end());
  Result<Image> image = Status::Internal("SIJ-BIO-037", "unreachable");
  bool polar = false;
  if (p.extension() == ".iso") {
    SIJIL_ASSIGN_OR_RETURN(IrisImageRecord rec, ParseIrisImageRecord(bytes));
    if (rec.representations.empty()) return MissingBioInput("iris record holds no image");
    // Unsegmented polar images (kind 16) are encoded as they are; others are eye images.
    const IrisImageRepresentation& rep = rec.representations.front();
    polar = rep.image_type == kIrisImageUnsegmentedPolar;
    image = polar ? DecodeIrisImage(rep) : DecodeIrisEyeImage(rep);
  } else if (p.extension() == ".pgm" || p.extension() == ".bmp" || p.extension() == ".tif") {
    cv::Mat m = cv::imdecode(
        cv::Mat(1, static_cast<int>(raw.size()), CV_8UC1, const_cast<char*>(raw.data())),
        cv::IMREAD_GRAYSCALE);
    if (m.empty()) return InvalidBioInput("cannot decode image");
    image = FromMat(m);
  } else {
    image = DecodeImage(bytes);
  }
  if (!image.ok()) return image.status();
  const auto t0 = std::chrono::steady_clock::now();
  SIJIL_ASSIGN_OR_RETURN(IrisExtraction x,
                         polar ? ExtractIrisFromPolar(*image) : ExtractIris(*image));
  *extract_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return SerializeIrisCode(x.code);
}

Result<std::vector<LabeledTemplate>> LoadIrisFolder(const std::string& dir, double* extract_seconds,
                                                    size_t* extracted) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && IsIrisFile(it->path())) files.push_back(it->path());
  }
  if (ec) return MissingBioInput("cannot list " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<LabeledTemplate> out;
  for (const auto& p : files) {
    std::string id = SampleIdentity(p);
    if (id.empty()) continue;
    SIJIL_ASSIGN_OR_RETURN(std::string raw, Env::Default().ReadFile(p));
    auto stored = IrisTemplateOf(p, raw, extract_seconds);
    if (!stored.ok()) return stored.status().WithContext(p.filename().string());
    if (p.extension() != ".sic") ++*extracted;
    out.push_back({std::move(id), p.filename().string(), std::move(*stored)});
  }
  if (out.empty()) {
    return MissingBioInput("no <identity>_<sample> iris codes, eye images or records in " + dir);
  }
  return out;
}

int RunIrisEval(const ModalityEvalArgs& args) {
  double extract_seconds = 0;
  size_t extracted = 0;
  auto samples = LoadIrisFolder(args.db, &extract_seconds, &extracted);
  if (!samples.ok()) {
    PrintEvalError(samples.status(), args.json);
    return 2;
  }
  auto matcher = NewIrisMatcher();
  if (!matcher.ok()) {
    PrintEvalError(matcher.status(), args.json);
    return 2;
  }
  MatcherEvalOptions options;
  options.max_impostors = args.max_impostors;
  auto ev = EvaluateMatcher(Env::Default(), **matcher, *samples, options);
  if (!ev.ok()) {
    PrintEvalError(ev.status(), args.json);
    return 2;
  }
  nlohmann::json extra = RawScoreFields(*ev, "hd");
  extra["images_extracted"] = extracted;
  if (extracted > 0) extra["extract_ms_per_image"] = 1e3 * extract_seconds / extracted;
  return PrintMatcherEvaluation(args, *ev, extra);
}

const ModalityEvalRegistration kIrisEval("iris", &RunIrisEval);

}  // namespace

bool IsIrisInput(const std::string& path) {
  auto raw = Env::Default().ReadFile(path);
  if (!raw.ok() || raw->size() < 4) return false;
  return LooksLikeIrisCode(AsBytes(*raw)) || raw->compare(0, 4, std::string("IIR\0", 4)) == 0;
}

int RunIrisMatch(const std::string& a, const std::string& b, double fmr, bool json) {
  if (!(fmr > 0 && fmr < 1)) {
    PrintEvalError(Status::InvalidArgument("SIJ-BIO-030", "--fmr must be in (0, 1)"), json);
    return 2;
  }
  double seconds = 0;
  Bytes stored[2];
  const std::string* paths[2] = {&a, &b};
  for (int i = 0; i < 2; ++i) {
    auto raw = Env::Default().ReadFile(*paths[i]);
    if (!raw.ok()) {
      PrintEvalError(raw.status(), json);
      return 2;
    }
    const std::filesystem::path p(*paths[i]);
    // Stored codes are read as they are; anything else is an iris record to extract.
    auto t = IrisTemplateOf(LooksLikeIrisCode(AsBytes(*raw)) ? std::filesystem::path("x.sic")
                                                             : std::filesystem::path("x.iso"),
                            *raw, &seconds);
    if (!t.ok()) {
      PrintEvalError(t.status().WithContext(p.filename().string()), json);
      return 2;
    }
    stored[i] = std::move(*t);
  }
  auto matcher = NewIrisMatcher();
  if (!matcher.ok()) {
    PrintEvalError(matcher.status(), json);
    return 2;
  }
  auto r = (*matcher)->CompareStored(stored[0], stored[1]);
  if (!r.ok()) {
    PrintEvalError(r.status(), json);
    return 2;
  }
  const double threshold = ScoreForFmr(fmr);
  const bool match = r->score >= threshold;
  if (json) {
    std::cout << nlohmann::json{{"modality", "iris"},
                                {"score", r->score},
                                {"normalized_hd", r->raw_score},
                                {"threshold", threshold},
                                {"fmr", fmr},
                                {"match", match}}
                     .dump()
              << "\n";
  } else {
    std::printf("iris score %.2f (normalised HD %.3f) threshold %.2f (FMR %g): %s\n", r->score,
                r->raw_score, threshold, fmr, match ? "MATCH" : "NO MATCH");
  }
  return match ? 0 : 1;
}

namespace {

void SetupBiometricsIris(CLI::App& root, CommandContext& /*ctx*/) {
  CLI::App* group = BiometricsGroup(root);
  auto args = std::make_shared<IrisSynthArgs>();
  // `synth` belongs to the fingerprint generator (registered before this file); iris adds
  // --iris and reuses its --seed, --out and --json (see biometrics_eval.h).
  CLI::App* synth = GetOrAddSubcommand(*group, "synth", "Generate synthetic biometric data");
  synth->add_option("--iris", args->identities,
                    "synthetic iris identities instead of fingerprints: writes <i>_<s>.sic "
                    "iris codes");
  synth->add_option("--iris-samples", args->samples, "captures per iris identity")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  synth
      ->add_option("--iris-flip-rate", args->flip_rate,
                   "fraction of code bits flipped between captures of one iris")
      ->capture_default_str();
  AddSynthHandler({"--iris", [args](CLI::App& synth) {
                     ReadSynthCommon(synth, &args->seed, &args->out, &args->json);
                     return RunIrisSynth(*args);
                   }});
}

SIJIL_REGISTER_COMMAND(412, "biometrics-iris", SetupBiometricsIris);

}  // namespace
}  // namespace sijil::cli
