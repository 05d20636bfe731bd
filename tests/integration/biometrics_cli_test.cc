// Command-line tests of `sijil biometrics match`, `eval`, `info` and `synth`: they run the
// built binary on the small records in sijil/biometrics/testdata/ and on prints the binary
// synthesises into a temporary folder, and check exit codes and the JSON each command prints.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sijil/base/env.h"
#include "tests/integration/process.h"
#include "tests/integration/testdata.h"

namespace sijil::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr Testdata kTestdata("biometrics");

std::vector<std::string> Files(const fs::path& dir, const std::string& ext) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ext) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void ExpectRate(const json& j, const char* key) {
  ASSERT_TRUE(j.contains(key)) << key << " missing in " << j.dump();
  ASSERT_TRUE(j[key].is_number()) << key;
  EXPECT_GE(j[key].get<double>(), 0.0) << key;
  EXPECT_LE(j[key].get<double>(), 1.0) << key;
}

// The fields `eval --json` promises, with the pair counts of `fingers` x `impressions`.
void ExpectEvalJson(const json& j, int fingers, int impressions, bool all_impostors) {
  for (const char* k : {"eer", "fmr100", "fmr1000", "zero_fmr"}) ExpectRate(j, k);
  const int genuine = fingers * impressions * (impressions - 1) / 2;
  const int n = fingers * impressions;
  const int impostor = all_impostors ? n * (n - 1) / 2 - genuine : fingers * (fingers - 1) / 2;
  EXPECT_EQ(j.value("genuine", -1), genuine);
  EXPECT_EQ(j.value("impostor", -1), impostor);
  ASSERT_TRUE(j.contains("comparisons_per_second"));
  EXPECT_GT(j["comparisons_per_second"].get<double>(), 0.0);
  // Score summaries: ordered quantiles, genuine above impostor in the median.
  for (const char* k : {"genuine_scores", "impostor_scores"}) {
    ASSERT_TRUE(j.contains(k)) << k;
    EXPECT_LE(j[k]["p05"].get<double>(), j[k]["p50"].get<double>()) << k;
    EXPECT_LE(j[k]["p50"].get<double>(), j[k]["p95"].get<double>()) << k;
  }
  EXPECT_GT(j["genuine_scores"]["p50"].get<double>(), j["impostor_scores"]["p50"].get<double>());
  // Error rates are ordered: a stricter FMR target can only raise the non-match rate.
  EXPECT_LE(j["fmr100"].get<double>(), j["fmr1000"].get<double>());
  EXPECT_LE(j["fmr1000"].get<double>(), j["zero_fmr"].get<double>());
}

TEST(BiometricsCliTest, InfoDescribesARecordAndRejectsGarbage) {
  RunResult r =
      RunSijilArgv({"biometrics", "info", "--json", kTestdata.Path("fvc_mini/101_1.iso").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  json j = LastJson(r);
  EXPECT_EQ(j.value("bytes", 0), 126);
  EXPECT_NE(j.dump().find("19794-2"), std::string::npos) << j.dump();

  r = RunSijilArgv(
      {"biometrics", "info", "--json", kTestdata.Path("invalid-iso").string() + "/none"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(LastJson(r).contains("error"));
  for (const auto& e : fs::directory_iterator(kTestdata.Path("invalid-iso"))) {
    r = RunSijilArgv({"biometrics", "info", "--json", e.path().string()});
    EXPECT_EQ(r.status, 1) << e.path();
    EXPECT_TRUE(LastJson(r).contains("error")) << e.path();
  }
}

TEST(BiometricsCliTest, ExtractIrisWritesAStoredCodeOrSaysWhyNot) {
  auto tmp = TempDir::Create("sijil-bio-cli-");
  ASSERT_TRUE(tmp.ok());
  const std::string code = (tmp->path() / "right.sic").string();
  RunResult r = RunSijilArgv({"biometrics", "extract", "--modality", "iris", "--json", "-o", code,
                              kTestdata.Path("info_right_registration.jp2").string()});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  json j = LastJson(r);
  EXPECT_EQ(j.value("modality", ""), "iris");
  EXPECT_GE(j.value("quality", -1), 0);
  EXPECT_LE(j.value("quality", 101), 100);
  EXPECT_GT(j["iris"]["r"].get<double>(), j["pupil"]["r"].get<double>());
  EXPECT_EQ(fs::file_size(code), 520u);  // 2,048 code bits + 2,048 mask bits + header

  // The stored code matches itself through `match`.
  RunResult self = RunSijilArgv({"biometrics", "match", "--json", code, code});
  EXPECT_EQ(self.status, 0) << self.out << self.err;

  // Not an image: an error with its code, no file written.
  const std::string none = (tmp->path() / "none.sic").string();
  r = RunSijilArgv({"biometrics", "extract", "--modality", "iris", "--json", "-o", none,
                    kTestdata.Path("PROVENANCE.md").string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(LastJson(r)["error"].value("code", ""), "BIO-401") << r.out;
  EXPECT_FALSE(fs::exists(none));
}

TEST(BiometricsCliTest, MatchScoresAndDecides) {
  const std::string a = kTestdata.Path("fvc_mini/101_1.iso").string();
  const std::string b = kTestdata.Path("fvc_mini/101_2.iso").string();
  const std::string other = kTestdata.Path("fvc_mini/104_3.iso").string();
  RunResult self = RunSijilArgv({"biometrics", "match", "--json", a, a});
  ASSERT_EQ(self.status, 0) << self.err;
  json js = LastJson(self);
  EXPECT_TRUE(js.value("match", false));
  EXPECT_GE(js["score"].get<double>(), js["threshold"].get<double>());

  RunResult impostor = RunSijilArgv({"biometrics", "match", "--json", a, other});
  ASSERT_TRUE(impostor.status == 0 || impostor.status == 1) << impostor.err;
  json ji = LastJson(impostor);
  // The exit status is the decision.
  EXPECT_EQ(impostor.status == 0, ji.value("match", true));
  EXPECT_LT(ji["score"].get<double>(), js["score"].get<double>());

  RunResult genuine = RunSijilArgv({"biometrics", "match", "--json", a, b});
  ASSERT_TRUE(genuine.status == 0 || genuine.status == 1) << genuine.err;
  EXPECT_EQ(genuine.status == 0, LastJson(genuine).value("match", false));

  // Plain output names the decision.
  RunResult text = RunSijilArgv({"biometrics", "match", a, a});
  EXPECT_EQ(text.status, 0);
  EXPECT_NE(text.out.find("MATCH"), std::string::npos) << text.out;

  RunResult bad_fmr = RunSijilArgv({"biometrics", "match", "--json", "--fmr", "2", a, b});
  EXPECT_EQ(bad_fmr.status, 2);
  EXPECT_TRUE(LastJson(bad_fmr).contains("error"));
  RunResult missing = RunSijilArgv({"biometrics", "match", "--json", a, a + ".missing"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_TRUE(LastJson(missing).contains("error"));
  RunResult garbage = RunSijilArgv(
      {"biometrics", "match", "--json", a, kTestdata.Path("cbeff-iso-one-bir.xml").string()});
  EXPECT_EQ(garbage.status, 2);
}

TEST(BiometricsCliTest, EvalOnTemplates) {
  Result<TempDir> tmp = TempDir::Create("sijil-bio-cli-");
  ASSERT_TRUE(tmp.ok());
  const std::string db = kTestdata.Path("fvc_mini").string();
  RunResult r = RunSijilArgv(
      {"biometrics", "eval", "--db", db, "--templates", "--json", "--out", tmp->path().string()});
  ASSERT_EQ(r.status, 0) << r.err;
  json j = LastJson(r);
  ExpectEvalJson(j, 4, 3, false);
  EXPECT_TRUE(fs::exists(j.value("det_csv", ""))) << j.dump();
  EXPECT_TRUE(fs::exists(j.value("det_png", ""))) << j.dump();

  r = RunSijilArgv({"biometrics", "eval", "--db", db, "--impostors", "all", "--json", "--out",
                    tmp->path().string()});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectEvalJson(LastJson(r), 4, 3, true);

  // Bad input: a clear error, never a crash.
  r = RunSijilArgv({"biometrics", "eval", "--db", (tmp->path() / "nowhere").string(), "--json"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(LastJson(r).contains("error"));
  r = RunSijilArgv({"biometrics", "eval", "--db", db, "--impostors", "some", "--json"});
  EXPECT_EQ(r.status, 2);
  r = RunSijilArgv({"biometrics", "eval", "--db", db, "--templates", "--images", "--json"});
  EXPECT_EQ(r.status, 2);
  // --images on a folder with templates but no images.
  r = RunSijilArgv({"biometrics", "eval", "--db", db, "--images", "--json"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(LastJson(r).contains("error"));
}

TEST(BiometricsCliTest, SynthIsDeterministicAndEvaluable) {
  Result<TempDir> tmp = TempDir::Create("sijil-bio-cli-");
  ASSERT_TRUE(tmp.ok());
  const fs::path one = tmp->path() / "one", two = tmp->path() / "two";
  const fs::path fast = tmp->path() / "fast";
  RunResult r = RunSijilArgv({"biometrics", "synth", "--fingers", "3", "--impressions", "3",
                              "--seed", "7", "--threads", "1", "--out", one.string(), "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  json j = LastJson(r);
  EXPECT_EQ(j.value("written", 0), 9);
  EXPECT_EQ(j.value("failed", -1), 0);
  EXPECT_GT(j.value("mean_minutiae", 0.0), 5.0);
  EXPECT_GT(j.value("fingers_per_second", 0.0), 0.0);
  const std::vector<std::string> expected = {"1_1", "1_2", "1_3", "2_1", "2_2",
                                             "2_3", "3_1", "3_2", "3_3"};
  std::vector<std::string> tifs = Files(one, ".tif"), isos = Files(one, ".iso");
  ASSERT_EQ(tifs.size(), 9u);
  ASSERT_EQ(isos.size(), 9u);
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(tifs[i], expected[i] + ".tif");
    EXPECT_EQ(isos[i], expected[i] + ".iso");
  }

  // Same seed on two threads: the same bytes.
  r = RunSijilArgv({"biometrics", "synth", "--fingers", "3", "--impressions", "3", "--seed", "7",
                    "--threads", "2", "--out", two.string(), "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const auto& name : tifs) EXPECT_EQ(Slurp(one / name), Slurp(two / name)) << name;
  for (const auto& name : isos) EXPECT_EQ(Slurp(one / name), Slurp(two / name)) << name;

  // Every written template is a valid record, and the folder evaluates like an FVC set, from
  // the templates and from the images.
  r = RunSijilArgv({"biometrics", "info", "--json", (one / "2_3.iso").string()});
  EXPECT_EQ(r.status, 0) << r.err;
  r = RunSijilArgv({"biometrics", "eval", "--db", one.string(), "--images", "--json", "--out",
                    tmp->path().string()});
  ASSERT_EQ(r.status, 0) << r.err;
  j = LastJson(r);
  ExpectEvalJson(j, 3, 3, false);
  EXPECT_EQ(j.value("source", ""), "images");
  EXPECT_GT(j.value("extract_ms_per_image", 0.0), 0.0);
  r = RunSijilArgv({"biometrics", "eval", "--db", one.string(), "--templates", "--json", "--out",
                    tmp->path().string()});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectEvalJson(LastJson(r), 3, 3, false);

  // Template-only mode: templates alone, same names.
  r = RunSijilArgv({"biometrics", "synth", "--fingers", "2", "--impressions", "4", "--seed", "7",
                    "--templates-only", "--threads", "1", "--out", fast.string(), "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(LastJson(r).value("written", 0), 8);
  EXPECT_TRUE(Files(fast, ".tif").empty());
  EXPECT_EQ(Files(fast, ".iso").size(), 8u);
  // Also the same bytes on two threads (each impression draws its local warp from its own
  // stream).
  const fs::path fast2 = tmp->path() / "fast2";
  r = RunSijilArgv({"biometrics", "synth", "--fingers", "2", "--impressions", "4", "--seed", "7",
                    "--templates-only", "--threads", "2", "--out", fast2.string(), "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const auto& name : Files(fast, ".iso")) {
    EXPECT_EQ(Slurp(fast / name), Slurp(fast2 / name)) << name;
  }
  r = RunSijilArgv(
      {"biometrics", "eval", "--db", fast.string(), "--json", "--out", tmp->path().string()});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectEvalJson(LastJson(r), 2, 4, false);

  // Usage errors.
  r = RunSijilArgv({"biometrics", "synth", "--fingers", "0", "--out", fast.string()});
  EXPECT_NE(r.status, 0);
  r = RunSijilArgv({"biometrics", "synth", "--fingers", "2"});
  EXPECT_NE(r.status, 0);
}

}  // namespace
}  // namespace sijil::testing
