// Iris feature extraction time per image: the MOSIP near-infrared samples through the whole
// pipeline (segmentation, masks, rubber sheet, log-Gabor encoding, quality), and the stages
// separately. Argument 0 is the registration sample (284x380, "cropped"), 1 the
// authentication sample (293x391, "cropped and masked"). Single-threaded. Reads the sample from the
// source tree (SIJIL_SOURCE_DIR, else the working directory).
// BM_ExtractIrisFromPolar times the unsegmented-polar path: argument 0 is the registration
// sample unwrapped around the pupil centre the eye path finds (512 angles x 1.3 iris radii),
// 1 the synthetic eye of the tests (512 angles x 100 radii).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <opencv2/imgproc.hpp>

#include "sijil/biometrics/image_codec.h"
#include "sijil/biometrics/internal/synthetic_eye.h"
#include "sijil/biometrics/iris_pipeline.h"
#include "sijil/biometrics/iris_polar.h"

namespace sijil::biometrics {
namespace {

cv::Mat Sample(int64_t which = 0) {
  const char* root = std::getenv("SIJIL_SOURCE_DIR");
  const std::filesystem::path p =
      std::filesystem::path(root ? root : ".") / "sijil/biometrics/testdata" /
      (which == 0 ? "info_right_registration.jp2" : "info_left_auth.jp2");
  std::ifstream in(p, std::ios::binary);
  const Bytes raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto img = DecodeImage(raw);
  if (!img.ok()) return {};
  cv::Mat m = ToMat(*img);
  if (m.channels() == 3) cv::cvtColor(m, m, cv::COLOR_BGR2GRAY);
  return m;
}

void BM_ExtractIris(benchmark::State& state) {
  const cv::Mat eye = Sample(state.range(0));
  if (eye.empty()) {
    state.SkipWithError("sample image not found (set SIJIL_SOURCE_DIR)");
    return;
  }
  for (auto _ : state) {
    auto x = ExtractIris(eye);
    if (!x.ok()) {
      state.SkipWithError("extraction failed");
      return;
    }
    benchmark::DoNotOptimize(x);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExtractIris)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_SegmentIris(benchmark::State& state) {
  const cv::Mat eye = Sample(state.range(0));
  if (eye.empty()) {
    state.SkipWithError("sample image not found (set SIJIL_SOURCE_DIR)");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(SegmentIris(eye));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SegmentIris)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_NormalizeAndEncode(benchmark::State& state) {
  const cv::Mat eye = Sample();
  auto seg = eye.empty() ? Result<IrisSegmentation>(Status::NotFound("x", "x")) : SegmentIris(eye);
  if (!seg.ok()) {
    state.SkipWithError("segmentation failed");
    return;
  }
  cv::Mat strip, mask;
  for (auto _ : state) {
    NormalizeIris(eye, *seg, 32, &strip, &mask);
    benchmark::DoNotOptimize(EncodeIris(strip, mask));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NormalizeAndEncode)->Unit(benchmark::kMicrosecond);

cv::Mat PolarSample(int64_t which) {
  if (which == 1) {
    const internal::EyeSpec spec;
    return internal::UnwrapPolar(internal::RenderEye(spec), spec.pupil.x, spec.pupil.y, 100, 512,
                                 100);
  }
  const cv::Mat eye = Sample(0);
  if (eye.empty()) return {};
  auto seg = SegmentIris(eye);
  if (!seg.ok()) return {};
  const int radii = static_cast<int>(1.3 * seg->iris.r);
  return internal::UnwrapPolar(eye, seg->pupil.x, seg->pupil.y, radii, 512, radii);
}

void BM_ExtractIrisFromPolar(benchmark::State& state) {
  const cv::Mat polar = PolarSample(state.range(0));
  if (polar.empty()) {
    state.SkipWithError("sample image not found (set SIJIL_SOURCE_DIR)");
    return;
  }
  for (auto _ : state) {
    auto x = ExtractIrisFromPolar(polar);
    if (!x.ok()) {
      state.SkipWithError("polar extraction failed");
      return;
    }
    benchmark::DoNotOptimize(x);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExtractIrisFromPolar)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sijil::biometrics

BENCHMARK_MAIN();
