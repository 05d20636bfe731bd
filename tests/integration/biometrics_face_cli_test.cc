// Command-line tests of the face side of `sijil biometrics match` and `eval --modality face`:
// they run the built binary with the test models from scripts/fetch-models on the AT&T images
// and the MOSIP face record in sijil/biometrics/testdata/, and check exit codes and JSON.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
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

std::string TestFile(const std::string& name) { return TestdataPath("biometrics", name).string(); }
std::string Models() {
  const char* dir = std::getenv("SIJIL_MODEL_DIR");
  return ((dir ? fs::path(dir) : SourceDir() / "third_party" / "models") / "face").string();
}

class FaceCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(fs::path(Models()) / "fr_feature.onnx")) {
      GTEST_SKIP() << "face models not found in " << Models() << "; run scripts/fetch-models";
    }
  }
};

TEST(FaceCliNoModelTest, MatchWithoutAModelIsAClearError) {
  RunResult r = RunSijilArgv(
      {"biometrics", "match", TestFile("att/s1_1.pgm"), TestFile("att/s1_2.pgm"), "--json"});
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  json j = LastJson(r);
  EXPECT_EQ(j.value("error", ""), "BIO-500");
  EXPECT_NE(j.value("message", "").find("no face model configured"), std::string::npos) << j;
  EXPECT_EQ(j.count("score"), 0u);
}

// Reads a stored face embedding: "SFE\0", 16-bit length, big-endian float32 values.
std::vector<float> ReadEmbedding(const fs::path& p) {
  auto raw = Env::Default().ReadFile(p);
  EXPECT_TRUE(raw.ok()) << p;
  std::vector<float> v;
  if (!raw.ok() || raw->size() < 6 || raw->compare(0, 4, std::string("SFE\0", 4)) != 0) return v;
  const auto* b = reinterpret_cast<const unsigned char*>(raw->data());
  const size_t n = (size_t{b[4]} << 8) | b[5];
  EXPECT_EQ(raw->size(), 6 + 4 * n);
  for (size_t i = 0; i < n && 6 + 4 * i + 3 < raw->size(); ++i) {
    const unsigned char* q = b + 6 + 4 * i;
    const uint32_t bits =
        (uint32_t{q[0]} << 24) | (uint32_t{q[1]} << 16) | (uint32_t{q[2]} << 8) | q[3];
    float f;
    std::memcpy(&f, &bits, sizeof f);
    v.push_back(f);
  }
  return v;
}

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) dot += double{a[i]} * b[i];
  return dot;  // both are unit vectors
}

TEST(FaceSynthCliTest, WritesDeterministicEmbeddingsThatSeparateIdentities) {
  auto tmp = TempDir::Create();
  ASSERT_TRUE(tmp.ok());
  auto synth = [&](const std::string& dir, const std::string& seed) {
    return RunSijilArgv({"biometrics", "synth", "--face", "6", "--face-samples", "3", "--seed",
                         seed, "--out", (tmp->path() / dir).string(), "--json"});
  };
  RunResult a = synth("a", "7");
  ASSERT_EQ(a.status, 0) << a.out << a.err;
  json j = LastJson(a);
  EXPECT_EQ(j.value("modality", ""), "face");
  EXPECT_EQ(j.value("files", 0), 18);
  ASSERT_EQ(synth("b", "7").status, 0);
  ASSERT_EQ(synth("c", "8").status, 0);
  auto bytes = [&](const std::string& dir, const std::string& name) {
    return Env::Default().ReadFile(tmp->path() / dir / name).value_or("");
  };
  EXPECT_EQ(bytes("a", "3_2.sfe"), bytes("b", "3_2.sfe"));  // same seed, same bytes
  EXPECT_NE(bytes("a", "3_2.sfe"), bytes("c", "3_2.sfe"));

  double genuine = 0, impostor = 0;
  int ng = 0, ni = 0;
  for (int i = 1; i <= 6; ++i) {
    for (int k = 1; k <= 3; ++k) {
      const auto x =
          ReadEmbedding(tmp->path() / "a" / (std::to_string(i) + "_" + std::to_string(k) + ".sfe"));
      ASSERT_EQ(x.size(), 512u);
      for (int i2 = i; i2 <= 6; ++i2) {
        for (int k2 = 1; k2 <= 3; ++k2) {
          if (i2 == i && k2 <= k) continue;
          const auto y = ReadEmbedding(tmp->path() / "a" /
                                       (std::to_string(i2) + "_" + std::to_string(k2) + ".sfe"));
          (i2 == i ? genuine : impostor) += Cosine(x, y);
          ++(i2 == i ? ng : ni);
        }
      }
    }
  }
  genuine /= ng;
  impostor /= ni;
  // The defaults imitate the test model on AT&T: genuine ~0.78, impostor ~0.06.
  EXPECT_GT(genuine, 0.5);
  EXPECT_LT(impostor, 0.3);

  RunResult both = RunSijilArgv({"biometrics", "synth", "--face", "2", "--iris", "2", "--out",
                                 (tmp->path() / "d").string(), "--json"});
  EXPECT_EQ(both.status, 2);
  EXPECT_NE(LastJson(both).value("message", "").find("only one of"), std::string::npos) << both.out;
}

TEST(FaceSynthCliTest, MatchComparesStoredEmbeddingsWithoutAModel) {
  auto tmp = TempDir::Create();
  ASSERT_TRUE(tmp.ok());
  const fs::path dir = tmp->path() / "g";
  ASSERT_EQ(RunSijilArgv({"biometrics", "synth", "--face", "2", "--face-samples", "2", "--seed",
                          "5", "--out", dir.string(), "--json"})
                .status,
            0);
  for (const auto& [a, b] : {std::pair{"1_1.sfe", "1_2.sfe"}, std::pair{"1_1.sfe", "2_1.sfe"}}) {
    RunResult r =
        RunSijilArgv({"biometrics", "match", (dir / a).string(), (dir / b).string(), "--json"});
    json j = LastJson(r);
    ASSERT_TRUE(j.contains("score")) << a << " " << b << ": " << r.out << r.err;
    EXPECT_EQ(j.value("modality", ""), "face");
    // The score is the cosine of the two stored vectors, read here independently.
    EXPECT_NEAR(j["score"].get<double>(), Cosine(ReadEmbedding(dir / a), ReadEmbedding(dir / b)),
                1e-5);
    EXPECT_TRUE(j["a"].value("stored_embedding", false));
    EXPECT_EQ(r.status, j["match"].get<bool>() ? 0 : 1);
  }
  RunResult info = RunSijilArgv({"biometrics", "info", "--json", (dir / "1_1.sfe").string()});
  EXPECT_EQ(info.status, 0) << info.out << info.err;
  EXPECT_EQ(LastJson(info).value("format", ""), "Sijil stored face embedding");
  EXPECT_EQ(LastJson(info).value("dimensions", 0), 512);
  // A damaged stored embedding is refused with BIO-401 naming the file.
  const fs::path bad = tmp->path() / "bad.sfe";
  {
    std::ofstream out(bad, std::ios::binary);
    out << std::string("SFE\0\x00\x05", 6) << "xyz";
  }
  RunResult r =
      RunSijilArgv({"biometrics", "match", bad.string(), (dir / "1_1.sfe").string(), "--json"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(LastJson(r).value("error", ""), "BIO-401");
  EXPECT_NE(LastJson(r).value("message", "").find("bad.sfe"), std::string::npos) << r.out;
}

TEST(FaceSynthCliTest, EvalOfAStoredEmbeddingGallery) {
  // A synthetic gallery evaluated through the face Matcher: no model needed, the same
  // figures as every modality, and pair counts that follow from the gallery's shape.
  auto tmp = TempDir::Create();
  ASSERT_TRUE(tmp.ok());
  const std::string gallery = (tmp->path() / "gallery").string();
  constexpr int kIdentities = 8, kSamples = 3, kFiles = kIdentities * kSamples;
  RunResult synth =
      RunSijilArgv({"biometrics", "synth", "--face", std::to_string(kIdentities), "--face-samples",
                    std::to_string(kSamples), "--seed", "4", "--out", gallery, "--json"});
  ASSERT_EQ(synth.status, 0) << synth.out << synth.err;

  RunResult eval = RunSijilArgv({"biometrics", "eval", "--modality", "face", "--db", gallery,
                                 "--out", (tmp->path() / "det").string(), "--json"});
  ASSERT_EQ(eval.status, 0) << eval.out << eval.err;
  json j = LastJson(eval);
  EXPECT_EQ(j.value("modality", ""), "face");
  EXPECT_EQ(j.value("identities", 0), kIdentities);
  EXPECT_EQ(j.value("samples", 0), kFiles);
  EXPECT_EQ(j.value("genuine", 0), kIdentities * kSamples * (kSamples - 1) / 2);
  EXPECT_EQ(j.value("impostor", 0),
            kFiles * (kFiles - 1) / 2 - kIdentities * kSamples * (kSamples - 1) / 2);
  for (const char* rate : {"eer", "fmr100", "fmr1000", "zero_fmr"}) {
    ASSERT_TRUE(j.contains(rate)) << rate;
    EXPECT_GE(j[rate].get<double>(), 0.0) << rate;
    EXPECT_LE(j[rate].get<double>(), 1.0) << rate;
  }
  EXPECT_GT(j.value("comparisons_per_second", 0.0), 0.0);
  // The default targets separate identities: genuine cosines well above impostor ones.
  EXPECT_GT(j.value("genuine_cosine_mean", 0.0), j.value("impostor_cosine_mean", 1.0) + 0.3);
  EXPECT_LT(j.value("eer", 1.0), 0.2);
  EXPECT_TRUE(fs::exists(j.value("det_png", ""))) << j;

  // The calibration is the configured model's (biometrics.face.impostor_*). Another impostor
  // model moves the calibrated threshold; being monotone, it leaves the error rates alone.
  const fs::path config = tmp->path() / "sijil.yaml";
  ASSERT_TRUE(Env::Default()
                  .WriteFileAtomic(config,
                                   "biometrics:\n  face:\n    impostor_mean: 0.3\n"
                                   "    impostor_sd: 0.05\n")
                  .ok());
  RunResult recalibrated =
      RunSijilArgv({"-c", config.string(), "biometrics", "eval", "--modality", "face", "--db",
                    gallery, "--out", (tmp->path() / "det").string(), "--json"});
  ASSERT_EQ(recalibrated.status, 0) << recalibrated.out << recalibrated.err;
  json k = LastJson(recalibrated);
  for (const char* rate : {"eer", "fmr100", "fmr1000", "zero_fmr"}) {
    EXPECT_DOUBLE_EQ(k.value(rate, -1.0), j.value(rate, -2.0)) << rate;
  }
  EXPECT_GT(std::abs(k.value("eer_threshold", 0.0) - j.value("eer_threshold", 0.0)), 1.0) << k << j;

  RunResult capped =
      RunSijilArgv({"biometrics", "eval", "--modality", "face", "--db", gallery, "--max-impostors",
                    "50", "--out", (tmp->path() / "det").string(), "--json"});
  ASSERT_EQ(capped.status, 0) << capped.out << capped.err;
  EXPECT_EQ(LastJson(capped).value("impostor", 0), 50);

  // A damaged embedding is named, not scored.
  ASSERT_TRUE(Env::Default()
                  .WriteFileAtomic(fs::path(gallery) / "9_1.sfe", std::string("SFE\0\0\1", 6))
                  .ok());
  RunResult bad =
      RunSijilArgv({"biometrics", "eval", "--modality", "face", "--db", gallery, "--json"});
  EXPECT_EQ(bad.status, 2) << bad.out;
  json e = LastJson(bad);
  EXPECT_EQ(e.value("error", ""), "BIO-401") << e;
  EXPECT_NE(e.value("message", "").find("9_1.sfe"), std::string::npos) << e;
}

TEST_F(FaceCliTest, MatchScoresSameAboveDifferentPerson) {
  RunResult same = RunSijilArgv({"biometrics", "match", TestFile("att/s1_1.pgm"),
                                 TestFile("att/s1_2.pgm"), "--face-models", Models(), "--json"});
  RunResult other = RunSijilArgv({"biometrics", "match", TestFile("att/s1_1.pgm"),
                                  TestFile("att/s2_1.pgm"), "--face-models", Models(), "--json"});
  json a = LastJson(same), b = LastJson(other);
  ASSERT_TRUE(a.contains("score")) << a;
  ASSERT_TRUE(b.contains("score")) << b;
  EXPECT_EQ(a.value("modality", ""), "face");
  EXPECT_GT(a["score"].get<double>(), b["score"].get<double>());
  // Exit status follows the decision at the configured threshold.
  EXPECT_EQ(same.status, a["match"].get<bool>() ? 0 : 1);
  EXPECT_EQ(other.status, b["match"].get<bool>() ? 0 : 1);
  EXPECT_FALSE(b["match"].get<bool>());
}

TEST_F(FaceCliTest, MatchReadsAFaceRecord) {
  RunResult r = RunSijilArgv({"biometrics", "match", TestFile("info_face_auth.iso"),
                              TestFile("info_face_auth.jp2"), "--face-models", Models(), "--json"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  json j = LastJson(r);
  EXPECT_GT(j.value("score", 0.0), 0.99);  // the record embeds exactly this image
  EXPECT_TRUE(j["a"].value("detected", false));
}

TEST_F(FaceCliTest, ExtractWritesAStoredEmbedding) {
  auto tmp = TempDir::Create();
  ASSERT_TRUE(tmp.ok());
  const std::string out = (tmp->path() / "face.sfe").string();
  RunResult r = RunSijilArgv({"biometrics", "extract", "--modality", "face", "--face-models",
                              Models(), "--json", "-o", out, TestFile("info_face_auth.iso")});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  json j = LastJson(r);
  EXPECT_EQ(j.value("modality", ""), "face");
  EXPECT_TRUE(j.value("detected", false));
  EXPECT_EQ(j.value("dimensions", 0), 512);
  ASSERT_TRUE(j.contains("quality"));
  // "SFE\0", a 16-bit length, then 512 big-endian float32 values.
  EXPECT_EQ(fs::file_size(out), 4u + 2u + 512u * 4u);

  // The stored embedding matches the record it came from (the image side is extracted again).
  RunResult again = RunSijilArgv({"biometrics", "match", out, TestFile("info_face_auth.iso"),
                                  "--face-models", Models(), "--json"});
  EXPECT_EQ(again.status, 0) << again.out << again.err;
  EXPECT_GT(LastJson(again).value("score", 0.0), 0.99);

  // Without a model: the clear error, and nothing written.
  const std::string none = (tmp->path() / "none.sfe").string();
  r = RunSijilArgv({"biometrics", "extract", "--modality", "face", "--json", "-o", none,
                    TestFile("info_face_auth.iso")});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(LastJson(r).value("error", ""), "BIO-500");
  EXPECT_FALSE(fs::exists(none));
}

TEST_F(FaceCliTest, EvalOnAFolderPerPerson) {
  auto tmp = TempDir::Create();
  ASSERT_TRUE(tmp.ok());
  for (const char* s : {"s1", "s2"}) {
    fs::create_directories(tmp->path() / "db" / s);
    for (const char* i : {"1", "2"}) {
      fs::copy_file(TestFile(std::string("att/") + s + "_" + i + ".pgm"),
                    tmp->path() / "db" / s / (std::string(i) + ".pgm"));
    }
  }
  RunResult r = RunSijilArgv({"biometrics", "eval", "--modality", "face", "--db",
                              (tmp->path() / "db").string(), "--face-models", Models(), "--out",
                              (tmp->path() / "out").string(), "--json"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  json j = LastJson(r);
  EXPECT_EQ(j.value("genuine", -1), 2);
  EXPECT_EQ(j.value("impostor", -1), 4);
  for (const char* k : {"eer", "fmr100", "fmr1000", "zero_fmr"}) {
    ASSERT_TRUE(j.contains(k)) << k;
    EXPECT_GE(j[k].get<double>(), 0.0);
    EXPECT_LE(j[k].get<double>(), 1.0);
  }
  EXPECT_GT(j.value("comparisons_per_second", 0.0), 0.0);
  EXPECT_EQ(j.value("images", -1), 4);
  EXPECT_TRUE(fs::exists(tmp->path() / "out" / "db_face_det.csv"));

  RunResult bad = RunSijilArgv({"biometrics", "eval", "--modality", "voice", "--db", "x"});
  EXPECT_NE(bad.status, 0);
}

}  // namespace
}  // namespace sijil::testing
