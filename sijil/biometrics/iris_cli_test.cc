// Runs `sijil biometrics synth --iris` and `eval --modality iris` as a user would. Skips when
// the binary has not been built.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "sijil/base/encoding.h"
#include "sijil/base/env.h"
#include "sijil/biometrics/internal/synthetic_eye.h"
#include "sijil/biometrics/iris_code.h"
#include "sijil/biometrics/iris_image_record.h"
#include "tests/integration/process.h"
#include "tests/integration/testdata.h"

namespace sijil::biometrics {
namespace {

using ::sijil::testing::LastJson;
using ::sijil::testing::RunResult;
using ::sijil::testing::RunSijil;
using ::sijil::testing::RunSijilArgv;
using ::sijil::testing::SijilBinary;

class IrisCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(SijilBinary())) {
      GTEST_SKIP() << "sijil binary not built";
    }
    auto dir = TempDir::Create();
    ASSERT_TRUE(dir.ok());
    dir_ = std::make_unique<TempDir>(std::move(*dir));
  }
  std::string Path(const std::string& name) const { return (dir_->path() / name).string(); }
  // Writes a one-image ISO/IEC 19794-6:2011 record of `image` (mono raw) of kind `kind`.
  void WriteRecord(const std::string& name, const cv::Mat& image, uint8_t kind) const {
    IrisImageRecord rec;
    IrisImageRepresentation rep;
    rep.eye = EyeLabel::kLeft;
    rep.image_type = kind;
    rep.image_format = 2;
    rep.width = static_cast<uint16_t>(image.cols);
    rep.height = static_cast<uint16_t>(image.rows);
    rep.image_data.assign(image.datastart, image.dataend);
    rec.representations.push_back(std::move(rep));
    auto bytes = WriteIrisImageRecord(rec);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    ASSERT_TRUE(
        Env::Default().WriteFileAtomic(Path(name), std::string(bytes->begin(), bytes->end())).ok());
  }
  // The synthetic eye `seed` as an eye-photo record (kind 3) and as an unsegmented polar one
  // (kind 16, 100 radii x 512 angles around the pupil centre).
  void WriteEye(const std::string& eye_name, const std::string& polar_name, uint32_t seed) const {
    internal::EyeSpec spec;
    spec.texture_seed = seed;
    const cv::Mat eye = internal::RenderEye(spec);
    if (!eye_name.empty()) WriteRecord(eye_name, eye, 3);
    WriteRecord(polar_name, internal::UnwrapPolar(eye, spec.pupil.x, spec.pupil.y, 100, 512, 100),
                kIrisImageUnsegmentedPolar);
  }
  std::unique_ptr<TempDir> dir_;
};

TEST_F(IrisCli, SynthThenEval) {
  RunResult synth = RunSijil("biometrics synth --iris 12 --iris-samples 3 --seed 5 --out " +
                             Path("codes") + " --json");
  ASSERT_EQ(synth.status, 0) << synth.out;
  auto s = nlohmann::json::parse(synth.out);
  EXPECT_EQ(s["files"], 36);
  EXPECT_TRUE(std::filesystem::exists(Path("codes/12_3.sic")));

  // `info` describes a stored code: its geometry and how many bits its mask keeps.
  RunResult info = RunSijilArgv({"biometrics", "info", "--json", Path("codes/12_3.sic")});
  ASSERT_EQ(info.status, 0) << info.out << info.err;
  auto i = nlohmann::json::parse(info.out);
  EXPECT_EQ(i["format"], "Sijil stored iris code");
  EXPECT_EQ(i["rows"], 8);
  EXPECT_EQ(i["columns"], 256);
  auto code = ParseIrisCode(AsBytes(*Env::Default().ReadFile(Path("codes/12_3.sic"))));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(i["valid_bits"], code->ValidBits());

  RunResult eval = RunSijil("biometrics eval --modality iris --db " + Path("codes") + " --out " +
                            Path("det") + " --json");
  ASSERT_EQ(eval.status, 0) << eval.out;
  auto j = nlohmann::json::parse(eval.out);
  EXPECT_EQ(j["genuine"], 12 * 3);
  EXPECT_EQ(j["impostor"], 36 * 35 / 2 - 36);
  for (const char* field : {"eer", "fmr100", "fmr1000", "zero_fmr", "comparisons_per_second"}) {
    EXPECT_TRUE(j.contains(field)) << field;
  }
  EXPECT_EQ(j["eer"], 0.0);
  EXPECT_GT(j["comparisons_per_second"].get<double>(), 0.0);
  EXPECT_NEAR(j["impostor_hd_mean"].get<double>(), 0.46, 0.04);
  EXPECT_TRUE(std::filesystem::exists(j["det_png"].get<std::string>()));

  // The same seed gives the same codes.
  RunResult again = RunSijil("biometrics synth --iris 12 --iris-samples 3 --seed 5 --out " +
                             Path("codes2") + " --json");
  ASSERT_EQ(again.status, 0);
  auto a = Env::Default().ReadFile(Path("codes/7_2.sic"));
  auto b = Env::Default().ReadFile(Path("codes2/7_2.sic"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

TEST_F(IrisCli, EvalExtractsEyeImages) {
  // Two copies of one eye image plus synthetic codes of other identities.
  RunResult synth = RunSijil("biometrics synth --iris 3 --iris-samples 2 --out " + Path("mixed"));
  ASSERT_EQ(synth.status, 0);
  const std::filesystem::path eye =
      sijil::testing::TestdataPath("biometrics", "info_right_registration.jp2");
  std::filesystem::copy_file(eye, Path("mixed/eye_1.jp2"));
  std::filesystem::copy_file(eye, Path("mixed/eye_2.jp2"));
  RunResult eval = RunSijil("biometrics eval --modality iris --db " + Path("mixed") + " --out " +
                            Path("det") + " --json");
  ASSERT_EQ(eval.status, 0) << eval.out;
  auto j = nlohmann::json::parse(eval.out);
  EXPECT_EQ(j["images_extracted"], 2);
  EXPECT_EQ(j["genuine"], 4);
  EXPECT_EQ(j["identities"], 4);
  EXPECT_GT(j["extract_ms_per_image"].get<double>(), 0.0);
}

TEST_F(IrisCli, ExtractsBothMosipRecords) {
  // A "cropped" (19794-6 type 3) and a "cropped and masked" (type 7) record: both segment,
  // and their codes, written as stored iris codes, are a left and a right eye (no match).
  const std::filesystem::path data = sijil::testing::TestdataPath("biometrics", "");
  for (const char* name : {"info_right_registration", "info_left_auth"}) {
    RunResult x = RunSijil("biometrics extract --modality iris " +
                           (data / (std::string(name) + ".iso")).string() + " --output " +
                           Path(std::string(name) + ".sic") + " --json");
    ASSERT_EQ(x.status, 0) << name << ": " << x.out;
    auto j = nlohmann::json::parse(x.out);
    EXPECT_EQ(j["modality"], "iris");
    const double pupil = j["pupil"]["r"].get<double>(), iris = j["iris"]["r"].get<double>();
    EXPECT_GT(pupil / iris, 0.2) << name;
    EXPECT_LT(pupil / iris, 0.7) << name;
    EXPECT_GT(j["quality"].get<int>(), 0) << name;
    EXPECT_GT(j["usable_area"].get<double>(), 0.5) << name;
    ASSERT_TRUE(std::filesystem::exists(Path(std::string(name) + ".sic")));
  }
  RunResult m = RunSijil("biometrics match " + Path("info_right_registration.sic") + " " +
                         Path("info_left_auth.sic") + " --json");
  EXPECT_EQ(m.status, 1) << m.out;
  EXPECT_GT(nlohmann::json::parse(m.out)["normalized_hd"].get<double>(), 0.38);
}

TEST_F(IrisCli, PolarRecordMatchesTheEyeRecord) {
  WriteEye("eye.iso", "polar.iso", 1);
  WriteEye("other.iso", "other_polar.iso", 99);
  auto info = LastJson(RunSijilArgv({"biometrics", "info", Path("polar.iso"), "--json"}));
  EXPECT_EQ(info["representations"][0]["image_kind"], "unsegmented polar");
  EXPECT_EQ(info["representations"][0]["image_type"], 16);

  RunResult x = RunSijilArgv({"biometrics", "extract", "--modality", "iris", Path("polar.iso"),
                              "--output", Path("polar.sic"), "--json"});
  ASSERT_EQ(x.status, 0) << x.out << x.err;
  auto j = LastJson(x);
  EXPECT_EQ(j["image_kind"], "unsegmented polar");
  EXPECT_NEAR(j["pupil"]["r"].get<double>(), 24, 1.5);
  EXPECT_NEAR(j["iris"]["r"].get<double>(), 70, 2);
  EXPECT_GT(j["quality"].get<int>(), 50);

  // The polar code against the eye-photo record of the same eye, extracted by the eye path.
  RunResult same =
      RunSijilArgv({"biometrics", "match", Path("polar.sic"), Path("eye.iso"), "--json"});
  EXPECT_EQ(same.status, 0) << same.out << same.err;
  auto m = LastJson(same);
  EXPECT_TRUE(m["match"].get<bool>());
  EXPECT_LT(m["normalized_hd"].get<double>(), 0.2);
  // ... and against a different eye: no match, whichever kind the record holds.
  for (const char* other : {"other.iso", "other_polar.iso"}) {
    RunResult diff =
        RunSijilArgv({"biometrics", "match", Path("polar.sic"), Path(other), "--json"});
    EXPECT_EQ(diff.status, 1) << other << ": " << diff.out << diff.err;
    EXPECT_GT(LastJson(diff)["normalized_hd"].get<double>(), 0.38) << other;
  }

  // eval extracts both kinds from a folder of records.
  std::filesystem::create_directory(Path("db"));
  WriteEye("db/1_1.iso", "db/1_2.iso", 1);
  WriteEye("db/2_1.iso", "db/2_2.iso", 99);
  WriteEye("", "db/3_1.iso", 7);
  WriteEye("", "db/3_2.iso", 7);
  auto ev = LastJson(RunSijilArgv({"biometrics", "eval", "--modality", "iris", "--db", Path("db"),
                                   "--out", Path("det"), "--json"}));
  EXPECT_EQ(ev["images_extracted"], 6);
  EXPECT_EQ(ev["genuine"], 3);
  EXPECT_EQ(ev["eer"], 0.0);
}

TEST_F(IrisCli, PolarRecordTooSmall) {
  cv::Mat tiny(12, 512, CV_8UC1, cv::Scalar(60));
  WriteRecord("tiny.iso", tiny, kIrisImageUnsegmentedPolar);
  RunResult x =
      RunSijilArgv({"biometrics", "extract", "--modality", "iris", Path("tiny.iso"), "--json"});
  EXPECT_EQ(x.status, 2) << x.out;
  EXPECT_EQ(LastJson(x)["error"]["code"], "BIO-401");
}

TEST_F(IrisCli, MatchStoredCodes) {
  ASSERT_EQ(RunSijil("biometrics synth --iris 2 --iris-samples 2 --out " + Path("m")).status, 0);
  RunResult same =
      RunSijil("biometrics match " + Path("m/1_1.sic") + " " + Path("m/1_2.sic") + " --json");
  EXPECT_EQ(same.status, 0) << same.out;
  auto j = nlohmann::json::parse(same.out);
  EXPECT_EQ(j["modality"], "iris");
  EXPECT_TRUE(j["match"].get<bool>());
  RunResult other =
      RunSijil("biometrics match " + Path("m/1_1.sic") + " " + Path("m/2_1.sic") + " --json");
  EXPECT_EQ(other.status, 1) << other.out;
  EXPECT_GT(nlohmann::json::parse(other.out)["normalized_hd"].get<double>(), 0.4);
}

TEST_F(IrisCli, ClearErrors) {
  RunResult empty = RunSijil("biometrics eval --modality iris --db " + Path("") + " --json");
  EXPECT_EQ(empty.status, 2);
  EXPECT_EQ(nlohmann::json::parse(empty.out)["error"], "BIO-402");
  RunResult unknown = RunSijil("biometrics eval --modality voice --db " + Path("") + " --json");
  EXPECT_EQ(unknown.status, 2);
  RunResult no_count = RunSijil("biometrics synth --iris 0 --out " + Path("x") + " --json");
  EXPECT_EQ(no_count.status, 2);
  EXPECT_EQ(nlohmann::json::parse(no_count.out)["error"], "SIJ-BIO-035");
}

}  // namespace
}  // namespace sijil::biometrics
