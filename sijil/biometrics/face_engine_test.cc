#include "sijil/biometrics/face_engine.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "sijil/base/env.h"
#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/face_eval.h"
#include "tests/integration/testdata.h"

namespace sijil::biometrics {
namespace {

constexpr sijil::testing::Testdata kTestdata("biometrics");

Image LoadTestImage(const std::string& name) {
  auto img = DecodeFaceImageFile(kTestdata.Read(name));
  EXPECT_TRUE(img.ok()) << name << ": " << img.status();
  return img.ok() ? *img : Image{};
}

// The models scripts/fetch-models installs (scripts/install-deps runs it).
FaceModelPaths TestModels() {
  const char* dir = std::getenv("SIJIL_MODEL_DIR");
  return FaceModelPathsInDirectory(
      (dir ? std::string(dir) : (sijil::testing::SourceDir() / "third_party/models").string()) +
      "/face");
}

bool ModelsPresent() {
  FaceModelPaths p = TestModels();
  return std::filesystem::exists(p.detector) && std::filesystem::exists(p.landmarks) &&
         std::filesystem::exists(p.embedding);
}

class FaceEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!ModelsPresent()) return;
    auto e = FaceEngine::Create(TestModels());
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = e->release();
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }
  void SetUp() override {
    if (engine_ == nullptr) {
      GTEST_SKIP() << "face models not found under " << TestModels().embedding
                   << "; run scripts/fetch-models";
    }
  }
  FaceTemplate ExtractOrDie(const Image& image, bool fallback = true) {
    FaceExtractOptions opts;
    opts.whole_image_fallback = fallback;
    auto t = engine_->Extract(image, opts);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *t : FaceTemplate{};
  }
  static FaceEngine* engine_;
};

FaceEngine* FaceEngineTest::engine_ = nullptr;

TEST(FaceEngineConfigTest, NoModelConfiguredIsAClearError) {
  auto e = FaceEngine::Create({});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), "BIO-500");
  EXPECT_EQ(e.status().kind(), StatusKind::kFailedPrecondition);
  EXPECT_NE(e.status().message().find("no face model configured"), std::string::npos) << e.status();
  EXPECT_NE(e.status().message().find("biometrics.face.model"), std::string::npos);
}

TEST(FaceEngineConfigTest, ConfigKeysDriveThePaths) {
  ConfigSchema schema;
  DeclareFaceConfig(schema);
  auto config = Config::Load(schema,
                             "biometrics:\n  face:\n    model: /m/f.onnx\n"
                             "    detector: /m/d.onnx\n    landmarks: /m/l.onnx\n",
                             "test.yaml", {});
  ASSERT_TRUE(config.ok()) << config.status();
  FaceModelPaths p = FaceModelPathsFromConfig(*config);
  EXPECT_EQ(p.embedding, "/m/f.onnx");
  EXPECT_EQ(p.detector, "/m/d.onnx");
  EXPECT_EQ(p.landmarks, "/m/l.onnx");
  // Defaults are empty: face matching is off until a model is configured.
  Config defaults(schema);
  EXPECT_TRUE(FaceModelPathsFromConfig(defaults).embedding.empty());
  EXPECT_FALSE(FaceEngine::Create(FaceModelPathsFromConfig(defaults)).ok());
}

TEST(FaceEngineConfigTest, MissingOrBogusModelFileIsAnError) {
  auto tmp = TempDir::Create();
  ASSERT_TRUE(tmp.ok());
  FaceModelPaths p{(tmp->path() / "d.onnx").string(), (tmp->path() / "l.onnx").string(),
                   (tmp->path() / "f.onnx").string()};
  auto missing = FaceEngine::Create(p);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), "BIO-500");
  std::ofstream(p.detector) << "not an onnx model";
  std::ofstream(p.landmarks) << "not an onnx model";
  std::ofstream(p.embedding) << "not an onnx model";
  auto bogus = FaceEngine::Create(p);
  ASSERT_FALSE(bogus.ok());
  EXPECT_EQ(bogus.status().code(), "BIO-500");
}

TEST(FaceEngineConfigTest, CosineOfUnitVectors) {
  std::vector<float> a = {0.6f, 0.8f}, b = {0.8f, -0.6f};
  EXPECT_NEAR(FaceCosine(a, a), 1.0, 1e-6);
  EXPECT_NEAR(FaceCosine(a, b), 0.0, 1e-6);
  EXPECT_EQ(FaceCosine(a, std::vector<float>{1.0f}), 0.0);
}

TEST(FaceEngineConfigTest, DecodesPgmAndRejectsMalformedOnes) {
  Image img = LoadTestImage("att/s1_1.pgm");
  EXPECT_EQ(img.width, 92u);
  EXPECT_EQ(img.height, 112u);
  EXPECT_EQ(img.channels, 1);
  Bytes pgm = kTestdata.Read("att/s1_1.pgm");
  pgm.resize(pgm.size() - 1);
  EXPECT_EQ(DecodeFaceImageFile(pgm).status().code(), "BIO-401");
  std::string bad = "P5\n99999999999 1\n255\n";
  EXPECT_EQ(DecodeFaceImageFile(AsBytes(bad)).status().code(), "BIO-401");
  std::string deep = "P5 2 2 65535\n12345678";
  EXPECT_EQ(DecodeFaceImageFile(AsBytes(deep)).status().code(), "BIO-401");
}

TEST_F(FaceEngineTest, SamePersonScoresAboveDifferentPerson) {
  FaceTemplate a1 = ExtractOrDie(LoadTestImage("att/s1_1.pgm"));
  FaceTemplate a2 = ExtractOrDie(LoadTestImage("att/s1_2.pgm"));
  FaceTemplate b1 = ExtractOrDie(LoadTestImage("att/s2_1.pgm"));
  FaceTemplate b2 = ExtractOrDie(LoadTestImage("att/s2_2.pgm"));
  for (const FaceTemplate* t : {&a1, &a2, &b1, &b2}) {
    ASSERT_EQ(t->embedding.size(), static_cast<size_t>(kFaceEmbeddingSize));
    double norm = 0;
    for (float v : t->embedding) norm += double{v} * v;
    EXPECT_NEAR(norm, 1.0, 1e-4);
  }
  const double genuine_a = FaceEngine::Compare(a1, a2);
  const double genuine_b = FaceEngine::Compare(b1, b2);
  const double impostors[] = {FaceEngine::Compare(a1, b1), FaceEngine::Compare(a1, b2),
                              FaceEngine::Compare(a2, b1), FaceEngine::Compare(a2, b2)};
  for (double impostor : impostors) {
    EXPECT_GT(genuine_a, impostor);
    EXPECT_GT(genuine_b, impostor);
  }
  EXPECT_NEAR(FaceEngine::Compare(a1, a1), 1.0, 1e-5);
  EXPECT_NEAR(FaceEngine::Compare(a1, a2), FaceEngine::Compare(a2, a1), 1e-6);
}

TEST_F(FaceEngineTest, ExtractionIsDeterministic) {
  Image img = LoadTestImage("att/s1_1.pgm");
  FaceTemplate x = ExtractOrDie(img);
  FaceTemplate y = ExtractOrDie(img);
  EXPECT_EQ(x.embedding, y.embedding);
}

TEST_F(FaceEngineTest, MosipFaceRecordPipelineRuns) {
  auto image = FaceRecordImage(kTestdata.Read("info_face_auth.iso"));
  ASSERT_TRUE(image.ok()) << image.status();
  auto faces = engine_->Detect(*image);
  ASSERT_TRUE(faces.ok()) << faces.status();
  ASSERT_EQ(faces->size(), 1u);
  const FaceDetection& d = faces->front();
  EXPECT_GT(d.box.score, 0.9f);
  // A passport-style portrait: the face is in the middle of the 240x320 frame, eyes above
  // the nose, nose above the mouth, left eye left of the right eye.
  EXPECT_GT(d.box.width(), 80);
  EXPECT_LT(d.box.x1, 120);
  EXPECT_GT(d.box.x2, 120);
  EXPECT_LT(d.points[kLeftEye].x, d.points[kRightEye].x);
  EXPECT_LT(d.points[kLeftEye].y, d.points[kNoseTip].y);
  EXPECT_LT(d.points[kNoseTip].y, d.points[kMouthLeft].y);
  EXPECT_LT(d.points[kMouthLeft].x, d.points[kMouthRight].x);
  for (const FacePoint& p : d.points) {
    EXPECT_GE(p.x, d.box.x1 - 5);
    EXPECT_LE(p.x, d.box.x2 + 5);
  }

  auto t = engine_->Extract(*image);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->detected);
  EXPECT_EQ(t->faces_found, 1);
  EXPECT_GT(t->quality.inter_eye_pixels, 30);
  EXPECT_LT(std::abs(t->quality.roll_degrees), 10);
  EXPECT_LT(std::abs(t->quality.yaw_degrees), 20);
  EXPECT_GT(t->quality.score, 50);

  // The aligned crop puts the eyes where the reference points say.
  auto crop = engine_->AlignedCrop(*image, t->detection);
  ASSERT_TRUE(crop.ok()) << crop.status();
  EXPECT_EQ(crop->width, static_cast<uint32_t>(kFaceCropSize));
  EXPECT_EQ(crop->height, static_cast<uint32_t>(kFaceCropSize));
}

TEST_F(FaceEngineTest, NoFaceIsBiometricsNotFoundUnlessFallingBack) {
  Image flat;
  flat.width = 64, flat.height = 64, flat.channels = 1;
  flat.pixels.assign(64 * 64, 128);
  auto strict = engine_->Extract(flat);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().code(), "BIO-404");
  FaceTemplate t = ExtractOrDie(flat, /*fallback=*/true);
  EXPECT_FALSE(t.detected);
  EXPECT_EQ(t.embedding.size(), static_cast<size_t>(kFaceEmbeddingSize));
  // Blank: no contrast, no sharpness, so the quality score is 0.
  EXPECT_EQ(t.quality.score, 0);
}

TEST_F(FaceEngineTest, BadImagesAreRejected) {
  Image empty;
  EXPECT_EQ(engine_->Extract(empty).status().code(), "BIO-402");
  Image tiny;
  tiny.width = 8, tiny.height = 8, tiny.channels = 1;
  tiny.pixels.assign(64, 0);
  EXPECT_EQ(engine_->Extract(tiny).status().code(), "BIO-401");
  Image mismatched;
  mismatched.width = 32, mismatched.height = 32, mismatched.channels = 3;
  mismatched.pixels.assign(32 * 32, 0);
  EXPECT_EQ(engine_->Extract(mismatched).status().code(), "BIO-401");
}

TEST_F(FaceEngineTest, EvaluatesAFolderPerPerson) {
  auto tmp = TempDir::Create();
  ASSERT_TRUE(tmp.ok());
  for (const char* subject : {"s1", "s2"}) {
    std::filesystem::create_directories(tmp->path() / subject);
    for (const char* image : {"1", "2"}) {
      std::filesystem::copy_file(
          kTestdata.Path(std::string("att/") + subject + "_" + image + ".pgm"),
          tmp->path() / subject / (std::string(image) + ".pgm"));
    }
  }
  std::ofstream(tmp->path() / "s2" / "notes.txt") << "not an image";
  FaceExtractOptions opts;
  opts.whole_image_fallback = true;
  auto db = LoadFaceDatabase(Env::Default(), *engine_, tmp->path(), opts);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(db->subjects, 2u);
  EXPECT_EQ(db->images, 4u);
  EXPECT_EQ(db->detected + db->fallback, 4u);
  EXPECT_EQ(db->failed, 0u);
  FaceEvaluation ev = EvaluateFace(Env::Default(), *db);
  EXPECT_EQ(ev.genuine_scores.size(), 2u);
  EXPECT_EQ(ev.impostor_scores.size(), 4u);
  EXPECT_EQ(ev.rates.eer, 0.0);  // every genuine pair above every impostor pair (see above)
  EXPECT_GT(ev.genuine.mean, ev.impostor.mean);
  EXPECT_GT(ev.comparisons_per_second, 0);
  EXPECT_LE(ev.detected_only_genuine, 2u);
  EXPECT_LE(ev.detected_only_impostor, 4u);

  auto empty = TempDir::Create();
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(LoadFaceDatabase(Env::Default(), *engine_, empty->path(), opts).ok());
  EXPECT_FALSE(LoadFaceDatabase(Env::Default(), *engine_, empty->path() / "missing", opts).ok());
}

TEST(FaceEvalTest, ThresholdAtFmrReadsTheDetCurve) {
  std::vector<double> genuine = {0.9, 0.8, 0.7, 0.3};
  std::vector<double> impostor = {0.1, 0.2, 0.35, 0.5};
  ErrorRates r = ComputeErrorRates(genuine, impostor);
  // FMR 0 first reached above the highest impostor score (0.5): the next score is 0.7.
  EXPECT_DOUBLE_EQ(ThresholdAtFmr(r, 0.0), 0.7);
  EXPECT_DOUBLE_EQ(ThresholdAtFmr(r, 0.25), 0.5);
  ScoreStats s = ComputeScoreStats(genuine);
  EXPECT_DOUBLE_EQ(s.mean, 0.675);
  EXPECT_DOUBLE_EQ(s.min, 0.3);
  EXPECT_DOUBLE_EQ(s.max, 0.9);
}

}  // namespace
}  // namespace sijil::biometrics
