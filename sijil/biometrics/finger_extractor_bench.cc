// Extraction time per image. Uses the FVC2004 DB2 sample in testdata, and, when
// SIJIL_FVC2004_DIR points at the FVC2004 folder, the first image of each DB*_B set.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>

#include "sijil/biometrics/finger_extractor.h"

namespace sijil::biometrics {
namespace {

std::filesystem::path SourceDir() {
  const char* dir = std::getenv("SIJIL_SOURCE_DIR");
  return dir ? dir : ".";
}

void Run(benchmark::State& state, const std::string& path) {
  cv::Mat img = cv::imread(path, cv::IMREAD_GRAYSCALE);
  if (img.empty()) {
    state.SkipWithError(("cannot read " + path).c_str());
    return;
  }
  // One image per core: the service extracts many images in parallel, so the figure that
  // matters is single-threaded time.
  cv::setNumThreads(1);
  FingerExtractor extractor;
  size_t minutiae = 0;
  for (auto _ : state) {
    auto t = extractor.Extract(img);
    if (!t.ok()) {
      state.SkipWithError("extraction failed");
      return;
    }
    minutiae = t->minutiae.size();
    benchmark::DoNotOptimize(minutiae);
  }
  state.counters["minutiae"] = static_cast<double>(minutiae);
  state.counters["pixels"] = static_cast<double>(img.total());
}

void BM_ExtractTestdata(benchmark::State& state) {
  Run(state, (SourceDir() / "sijil/biometrics/testdata/fvc2004_db2_101_1.tif").string());
}
BENCHMARK(BM_ExtractTestdata)->Unit(benchmark::kMillisecond);

void BM_ExtractFvc(benchmark::State& state) {
  const char* dir = std::getenv("SIJIL_FVC2004_DIR");
  if (!dir) {
    state.SkipWithError("set SIJIL_FVC2004_DIR to the fvc2004 folder");
    return;
  }
  Run(state, std::string(dir) + "/DB" + std::to_string(state.range(0)) + "_B/101_1.tif");
}
BENCHMARK(BM_ExtractFvc)->DenseRange(1, 4)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sijil::biometrics

BENCHMARK_MAIN();
