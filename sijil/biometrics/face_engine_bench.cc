// Face engine speed: cosine comparison of two 512-d embeddings (the 1:1 and brute-force
// 1:N inner loop) and full extraction (detection, landmarks, alignment, embedding) of a
// 92x112 AT&T image and of the 240x320 MOSIP sample portrait. Extraction needs the models
// from scripts/fetch-models; without them those benchmarks report an error and skip.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "sijil/biometrics/face_engine.h"
#include "sijil/biometrics/face_synth.h"

namespace sijil::biometrics {
namespace {

std::string SourceDir() {
  const char* root = std::getenv("SIJIL_SOURCE_DIR");
  return root ? root : ".";
}

Bytes ReadTestFile(const std::string& name) {
  std::ifstream in(SourceDir() + "/sijil/biometrics/testdata/" + name, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void BM_FaceCosine(benchmark::State& state) {
  FaceSynth synth(FaceSynthParams{});
  std::vector<std::vector<float>> gallery;
  for (uint64_t i = 0; i < 1024; ++i) gallery.push_back(synth.Sample(i, 0));
  std::vector<float> probe = synth.Sample(7, 1);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(FaceCosine(probe, gallery[i++ & 1023]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FaceCosine);

void BM_FaceExtract(benchmark::State& state, const std::string& file, bool record) {
  const char* dir = std::getenv("SIJIL_MODEL_DIR");
  auto engine = FaceEngine::Create(FaceModelPathsInDirectory(
      (dir ? std::string(dir) : SourceDir() + "/third_party/models") + "/face"));
  if (!engine.ok()) {
    state.SkipWithError("face models missing: run scripts/fetch-models");
    return;
  }
  Bytes raw = ReadTestFile(file);
  auto image = record ? FaceRecordImage(raw) : DecodeFaceImageFile(raw);
  if (!image.ok()) {
    state.SkipWithError("test image missing");
    return;
  }
  FaceExtractOptions opts;
  opts.whole_image_fallback = true;
  for (auto _ : state) {
    auto t = (*engine)->Extract(*image, opts);
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_FaceExtract, att_92x112, std::string("att/s1_1.pgm"), false)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_FaceExtract, mosip_240x320, std::string("info_face_auth.iso"), true)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sijil::biometrics

BENCHMARK_MAIN();
