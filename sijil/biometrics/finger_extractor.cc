#include "sijil/biometrics/finger_extractor.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <numbers>
#include <string>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "sijil/biometrics/internal/ridge_analysis.h"
#include "sijil/biometrics/internal/skeleton.h"

namespace sijil::biometrics {
namespace {

constexpr char kInvalid[] = "IDA-BIA-011";
constexpr double kPi = std::numbers::pi;

Status Invalid(const std::string& why) {
  return Status::InvalidArgument(kInvalid, "Invalid fingerprint image: " + why);
}

// Removes 8-connected blobs smaller than `min_area` from the binary `m` (0/255).
void RemoveSmallBlobs(cv::Mat& m, int min_area) {
  cv::Mat labels, stats, centroids;
  int n = cv::connectedComponentsWithStats(m, labels, stats, centroids, 8, CV_32S);
  std::vector<uint8_t> drop(static_cast<size_t>(n), 0);
  bool any = false;
  for (int i = 1; i < n; ++i) {
    if (stats.at<int>(i, cv::CC_STAT_AREA) < min_area) drop[static_cast<size_t>(i)] = any = true;
  }
  if (!any) return;
  for (int y = 0; y < m.rows; ++y) {
    const int* l = labels.ptr<int>(y);
    uint8_t* p = m.ptr<uint8_t>(y);
    for (int x = 0; x < m.cols; ++x) {
      if (drop[static_cast<size_t>(l[x])]) p[x] = 0;
    }
  }
}

float MeanOverMask(const cv::Mat& block_values, const cv::Mat& block_mask) {
  double sum = 0;
  int count = 0;
  for (int y = 0; y < block_mask.rows; ++y) {
    for (int x = 0; x < block_mask.cols; ++x) {
      if (!block_mask.at<uint8_t>(y, x)) continue;
      sum += block_values.at<float>(y, x);
      ++count;
    }
  }
  return count ? static_cast<float>(sum / count) : 0.0f;
}

}  // namespace

FingerExtractor::FingerExtractor(ExtractorSettings settings) : settings_(settings) {
  settings_.gabor_orientations = std::clamp(settings_.gabor_orientations, 4, 64);
  settings_.gabor_sigma = std::clamp(settings_.gabor_sigma, 2.0f, 8.0f);
  settings_.max_minutiae = std::clamp(settings_.max_minutiae, 1, 255);
}

Result<FingerTemplate> FingerExtractor::Extract(const cv::Mat& image, int dpi) const {
  SIJIL_ASSIGN_OR_RETURN(ExtractionDetail detail, ExtractDetailed(image, dpi));
  return std::move(detail.finger);
}

Result<FingerTemplate> FingerExtractor::Extract(std::span<const uint8_t> pixels, int width,
                                                int height, int stride, int dpi) const {
  if (width <= 0 || height <= 0 || stride < width) return Invalid("bad dimensions");
  if (pixels.size() <
      static_cast<size_t>(stride) * static_cast<size_t>(height - 1) + static_cast<size_t>(width)) {
    return Invalid("buffer shorter than its dimensions");
  }
  // cv::Mat does not take const data; it is only read.
  cv::Mat view(height, width, CV_8UC1, const_cast<uint8_t*>(pixels.data()),
               static_cast<size_t>(stride));
  return Extract(view, dpi);
}

Result<ExtractionDetail> FingerExtractor::ExtractDetailed(const cv::Mat& image, int dpi) const {
  if (image.empty()) return Invalid("empty image");
  if (image.depth() != CV_8U) return Invalid("pixels must be 8-bit");
  if (dpi < 250 || dpi > 2000) return Invalid("resolution must be 250..2000 dpi");
  try {
    cv::Mat gray;
    if (image.channels() == 1) {
      gray = image;
    } else if (image.channels() == 3) {
      cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
    } else if (image.channels() == 4) {
      cv::cvtColor(image, gray, cv::COLOR_BGRA2GRAY);
    } else {
      return Invalid("unsupported channel count");
    }
    ExtractionDetail d;
    d.scale = 500.0 / dpi;
    cv::Mat work;
    if (std::fabs(d.scale - 1.0) > 0.02) {
      cv::resize(gray, work, cv::Size(), d.scale, d.scale,
                 d.scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    } else {
      d.scale = 1.0;
      work = gray;
    }
    if (work.cols < 64 || work.rows < 64 || work.cols > 4096 || work.rows > 4096) {
      return Invalid("image must be 64..4096 pixels per side at 500 dpi");
    }

    // Pad with background to a whole number of blocks: the block and fine grids then divide
    // the image exactly (and OpenCV's area resampling takes its fast integer path).
    const cv::Rect unpadded(0, 0, work.cols, work.rows);
    const int pad_x = (internal::kBlock - work.cols % internal::kBlock) % internal::kBlock;
    const int pad_y = (internal::kBlock - work.rows % internal::kBlock) % internal::kBlock;
    if (pad_x || pad_y) {
      cv::Mat padded;
      cv::copyMakeBorder(work, padded, 0, pad_y, 0, pad_x, cv::BORDER_CONSTANT, cv::Scalar(255));
      work = padded;
    }
    internal::RidgeMaps maps = internal::AnalyseRidges(work);
    cv::Rect roi = cv::boundingRect(maps.mask);
    if (roi.area() < 32 * 32) return Invalid("no fingerprint found");
    d.mask = maps.mask;

    // Enhance slightly beyond the mask so border ridges are filtered with real context.
    cv::Rect wide(roi.x - 8, roi.y - 8, roi.width + 16, roi.height + 16);
    wide &= cv::Rect(0, 0, work.cols, work.rows);
    d.enhanced = internal::OrientedGabor(maps.normalized, maps.cos2, maps.sin2, maps.period,
                                         settings_.gabor_sigma, settings_.gabor_orientations, wide);

    internal::RefineMaskByClarity(maps, d.enhanced, 0.35f);
    if (cv::countNonZero(maps.block_mask) < 4) return Invalid("no fingerprint found");
    d.mask = maps.mask;
    cv::Mat ridges = (d.enhanced > 0) & maps.mask;
    const int min_blob = static_cast<int>(maps.period * maps.period * 0.6f);
    RemoveSmallBlobs(ridges, min_blob);
    cv::Mat valleys = ~ridges & maps.mask;
    RemoveSmallBlobs(valleys, min_blob);  // lakes and pores
    ridges = ~valleys & maps.mask;

    d.skeleton = internal::Thin(ridges);
    internal::DetectionStats stats;
    std::vector<internal::SkeletonMinutia> found =
        internal::DetectMinutiae(d.skeleton, maps, maps.period, unpadded, &stats);
    d.raw_candidates = stats.raw;
    d.removed_border = stats.border;
    d.removed_structural = stats.structural;
    d.removed_low_quality = stats.low_quality;
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& a, const auto& b) { return a.quality > b.quality; });
    if (found.size() > static_cast<size_t>(settings_.max_minutiae)) {
      found.resize(static_cast<size_t>(settings_.max_minutiae));
    }

    FingerTemplate& t = d.finger;
    t.width = static_cast<uint16_t>(std::min(gray.cols, 65535));
    t.height = static_cast<uint16_t>(std::min(gray.rows, 65535));
    const int ppcm = static_cast<int>(std::lround(dpi / 2.54));
    t.x_resolution_ppcm = t.y_resolution_ppcm = static_cast<uint16_t>(ppcm);
    const double inv = 1.0 / d.scale;
    for (const auto& f : found) {
      Minutia m;
      double x = std::round((f.x + 0.5) * inv - 0.5), y = std::round((f.y + 0.5) * inv - 0.5);
      m.x = static_cast<uint16_t>(std::clamp(x, 0.0, static_cast<double>(gray.cols - 1)));
      m.y = static_cast<uint16_t>(std::clamp(y, 0.0, static_cast<double>(gray.rows - 1)));
      // Pixel direction (dx, dy) with y down -> ISO angle, counter-clockwise as viewed.
      double a = -static_cast<double>(f.direction);
      a = std::fmod(a, 2 * kPi);
      if (a < 0) a += 2 * kPi;
      if (a >= 2 * kPi) a = 0;
      m.angle = static_cast<float>(a);
      m.type = f.type;
      m.quality = static_cast<uint8_t>(std::clamp(std::lround(f.quality * 100.0f), 1L, 100L));
      t.minutiae.push_back(m);
    }

    QualityFeatures& q = d.quality.features;
    const double mm_per_px = 25.4 / 500.0;
    q.foreground_mm2 = static_cast<float>(cv::countNonZero(maps.mask) * mm_per_px * mm_per_px);
    q.orientation_certainty = MeanOverMask(maps.block_coherence, maps.block_mask);
    q.ridge_clarity = MeanOverMask(maps.block_clarity, maps.block_mask);
    q.period_valid_fraction = maps.period_valid_fraction;
    q.period_spread = maps.period_spread;
    q.ridge_period_px = maps.period;
    q.minutiae_count = static_cast<int>(t.minutiae.size());
    d.quality.score = ScorePrintQuality(q);
    d.mask = d.mask(unpadded).clone();
    d.enhanced = d.enhanced(unpadded).clone();
    d.skeleton = d.skeleton(unpadded).clone();
    t.quality = d.quality.score;
    return d;
  } catch (const std::exception& e) {
    return Status::Internal("IDR-BIE-001",
                            std::string("fingerprint extraction failed: ") + e.what());
  }
}

Result<PrintQuality> AssessFingerQuality(const cv::Mat& image, int dpi) {
  static const FingerExtractor extractor;
  SIJIL_ASSIGN_OR_RETURN(ExtractionDetail detail, extractor.ExtractDetailed(image, dpi));
  return detail.quality;
}

}  // namespace sijil::biometrics
