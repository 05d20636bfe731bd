// `sijil biometrics synth`: synthetic fingerprints (master prints and their impressions) for
// scale tests and demos, written in the FVC layout (<finger>_<impression>.tif and .iso) so
// that `sijil biometrics eval --db DIR` runs on the output as on an FVC database.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "sijil/base/encoding.h"
#include "sijil/base/env.h"
#include "sijil/biometrics/finger_extractor.h"
#include "sijil/biometrics/finger_minutiae_record.h"
#include "sijil/biometrics/finger_synth.h"
#include "sijil/server/command.h"
#include "sijil/server/commands/biometrics_eval.h"

namespace sijil::cli {
namespace {

namespace fs = std::filesystem;
namespace bio = sijil::biometrics;
using nlohmann::json;

constexpr fs::perms kFilePerms =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;

struct SynthOptions {
  uint64_t fingers = 10;
  uint64_t impressions = 8;
  uint64_t seed = 1;
  std::string out;
  bool templates_only = false;
  bool masters = false;
  unsigned threads = 0;
  bool json = false;
};

// Encodes `img` by the extension of `path` (.tif or .png) and writes it atomically.
Status WriteImage(Env& env, const fs::path& path, const cv::Mat& img) {
  std::vector<uint8_t> buf;
  bool ok = false;
  try {
    ok = cv::imencode(path.extension().string(), img, buf);
  } catch (const cv::Exception&) {
    ok = false;
  }
  if (!ok) return Status::Internal("SIJ-BIO-101", "cannot encode image " + path.string());
  return env.WriteFileAtomic(
      path, std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()), kFilePerms);
}

Status WriteTemplate(Env& env, const fs::path& path, const bio::FingerTemplate& t) {
  SIJIL_ASSIGN_OR_RETURN(Bytes rec, bio::SerializeFingerMinutiaeRecord(bio::FromFingerTemplate(
                                        t, bio::MinutiaeRecordFormat::kIso2005)));
  return env.WriteFileAtomic(path, AsChars(rec), kFilePerms);
}

void PrintError(const Status& s, bool as_json) {
  if (as_json) {
    std::cout << json{{"error", s.code()}, {"message", s.message()}}.dump() << "\n";
  } else {
    std::cerr << "error: " << s.ToString() << "\n";
  }
}

// Generates fingers [0, N) on `threads` workers. Every finger and impression is a function of
// the seed and its own numbers only, so the output does not depend on the thread count.
// Files are named <finger>_<impression> with both numbers 1-based, as in FVC.
int RunSynth(const SynthOptions& o) {
  Env& env = Env::Default();
  if (o.out.empty()) {
    PrintError(Status::InvalidArgument("SIJ-BIO-040", "--out must name a folder"), o.json);
    return 2;
  }
  Status s = env.CreateDirectories(o.out);
  if (!s.ok()) {
    PrintError(s, o.json);
    return 2;
  }
  const bio::FingerSynthesizer synth;
  const bio::FingerExtractor extractor;
  std::atomic<uint64_t> next{0};
  std::atomic<uint64_t> written{0}, minutiae{0}, failed{0};
  std::mutex mu;
  std::map<std::string, uint64_t> classes;
  Status first_error;
  const unsigned threads =
      std::clamp(o.threads ? o.threads : std::thread::hardware_concurrency(), 1u, 256u);
  const auto t0 = env.MonotonicNow();
  const std::clock_t c0 = std::clock();
  auto fail = [&](const Status& st) {
    ++failed;
    std::lock_guard<std::mutex> lock(mu);
    if (first_error.ok()) first_error = st;
  };
  auto worker = [&] {
    for (uint64_t f = next++; f < o.fingers; f = next++) {
      const bio::MasterPrint master = synth.GenerateMaster(o.seed, f);
      {
        std::lock_guard<std::mutex> lock(mu);
        ++classes[std::string(bio::PatternClassName(master.pattern))];
      }
      const std::string stem = std::to_string(f + 1) + "_";
      bio::FingerTemplate master_tmpl;
      if (o.masters || o.templates_only) {
        const cv::Mat master_img = synth.RenderMaster(master);
        if (o.masters) {
          Status st = WriteImage(
              env, fs::path(o.out) / ("master_" + std::to_string(f + 1) + ".png"), master_img);
          if (!st.ok()) fail(st);
        }
        if (o.templates_only) {
          Result<bio::FingerTemplate> mt = extractor.Extract(master_img, 500);
          if (!mt.ok()) {
            fail(mt.status().WithContext("master " + std::to_string(f + 1)));
            continue;
          }
          master_tmpl = *std::move(mt);
        }
      }
      for (uint64_t i = 0; i < o.impressions; ++i) {
        const std::string base = (fs::path(o.out) / (stem + std::to_string(i + 1))).string();
        Status st;
        bio::FingerTemplate t;
        if (o.templates_only) {
          t = synth.ImpressionTemplate(master, master_tmpl, o.seed, f, i);
        } else {
          Result<bio::Impression> imp = synth.MakeImpression(master, o.seed, f, i, extractor);
          if (!imp.ok()) {
            fail(imp.status().WithContext(stem + std::to_string(i + 1)));
            continue;
          }
          st = WriteImage(env, base + ".tif", imp->image);
          t = std::move(imp->finger);
        }
        if (st.ok()) st = WriteTemplate(env, base + ".iso", t);
        if (!st.ok()) {
          fail(st);
          continue;
        }
        ++written;
        minutiae += t.minutiae.size();
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  const double secs = std::chrono::duration<double>(env.MonotonicNow() - t0).count();
  const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  const uint64_t n_written = written.load();
  json j = {{"fingers", o.fingers},
            {"impressions", o.impressions},
            {"seed", o.seed},
            {"out", o.out},
            {"templates_only", o.templates_only},
            {"written", n_written},
            {"failed", failed.load()},
            {"mean_minutiae", n_written ? static_cast<double>(minutiae) / n_written : 0.0},
            {"seconds", secs},
            {"cpu_seconds", cpu},
            {"threads", threads},
            {"fingers_per_second", secs > 0 ? o.fingers / secs : 0.0},
            {"impressions_per_second", secs > 0 ? n_written / secs : 0.0},
            {"fingers_per_cpu_second", cpu > 0 ? o.fingers / cpu : 0.0},
            {"classes", classes}};
  if (!first_error.ok()) j["first_error"] = first_error.ToString();
  if (o.json) {
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "wrote " << n_written << " impressions of " << o.fingers << " fingers to " << o.out
              << " in " << secs << " s on " << threads << " threads ("
              << j["fingers_per_second"].get<double>() << " fingers/s), mean "
              << j["mean_minutiae"].get<double>() << " minutiae; classes " << json(classes).dump()
              << "\n";
    if (!first_error.ok()) std::cerr << "first failure: " << first_error.ToString() << "\n";
  }
  return failed.load() ? 2 : 0;
}

void SetupBiometricsSynth(CLI::App& root, CommandContext& ctx) {
  CLI::App* group = BiometricsGroup(root);
  auto o = std::make_shared<SynthOptions>();
  CLI::App* synth = group->add_subcommand(
      "synth",
      "Generate synthetic fingerprints (SFinGe method: <finger>_<impression>.tif and .iso), or "
      "iris codes (--iris) or face embeddings (--face) for scale tests");
  synth->add_option("--fingers", o->fingers, "number of fingers (identities)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100'000'000}))
      ->capture_default_str();
  synth->add_option("--impressions", o->impressions, "impressions per finger")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100}))
      ->capture_default_str();
  synth->add_option("--seed", o->seed, "generator seed; the same seed gives the same prints")
      ->capture_default_str();
  synth->add_option("--out", o->out, "output folder")->required();
  synth->add_flag("--templates-only", o->templates_only,
                  "write only .iso templates: each master is rendered and extracted once, and "
                  "its minutiae are moved by each impression's geometry (fast, for large "
                  "galleries)");
  synth->add_flag("--masters", o->masters, "also write each master print as master_<finger>.png");
  synth->add_option("--threads", o->threads, "worker threads (default: all cores)")
      ->check(CLI::Range(0u, 256u));
  synth->add_flag("--json", o->json, "print one JSON object");
  synth->callback([o, synth, &ctx] {
    // Another modality's generator (e.g. --iris N) when its option was given.
    if (std::optional<int> rc = RunSynthHandlers(*synth, o->json)) {
      ctx.exit_code = *rc;
      return;
    }
    ctx.exit_code = RunSynth(*o);
  });
}

SIJIL_REGISTER_COMMAND(411, "biometrics-synth", SetupBiometricsSynth);

}  // namespace
}  // namespace sijil::cli
