// FingerExtractor: turns a grayscale fingerprint image into a minutiae template.
//
// Pipeline (all at 500 dpi; other resolutions are resampled first and coordinates mapped
// back to the input image):
//  1. local normalisation (zero mean, unit deviation over ~12 px);
//  2. segmentation: 16x16 blocks with enough high-pass contrast relative to the print's own
//     strongest blocks and some ridge coherence, cleaned morphologically, largest blob kept
//     and holes filled;
//  3. orientation field from the gradient structure tensor (doubled angles, smoothed over
//     ~20 px) and its coherence;
//  4. ridge period: per block, maxima spacing of the grey profile across the ridges; the
//     print's median drives the enhancement;
//  5. contextual enhancement: Gabor filters at 16 orientations (interpolated per pixel),
//     tuned to the period; binarisation by sign; small blobs and lakes removed;
//  6. thinning to an 8-connected one-pixel skeleton; crossing-number minutiae;
//  7. false-minutiae removal: near the mask border, spurs, bridges, holes, short ridges,
//     broken ridges (two endings facing across a gap), clusters, incoherent areas;
//  8. directions: traced along the skeleton one period, snapped to the orientation field;
//     per-minutia quality from coherence and distance to the border; whole-print quality
//     (see finger_quality.h).
// Angles and coordinates follow minutiae.h (ISO/IEC 19794-2 conventions).
//
// Thread-safety: an extractor is immutable after construction; Extract() may be called from
// many threads at once.
#ifndef SIJIL_BIOMETRICS_FINGER_EXTRACTOR_H_
#define SIJIL_BIOMETRICS_FINGER_EXTRACTOR_H_

#include <cstdint>
#include <span>

#include <opencv2/core.hpp>

#include "sijil/base/result.h"
#include "sijil/biometrics/finger_quality.h"
#include "sijil/biometrics/minutiae.h"

namespace sijil::biometrics {

struct ExtractorSettings {
  // Keep at most this many minutiae (the best by quality); ISO allows 255 per view.
  int max_minutiae = 100;
  // Gabor enhancement: number of orientations and envelope sigma (pixels at 500 dpi).
  int gabor_orientations = 16;
  float gabor_sigma = 4.0f;
};

// Intermediate images for inspection and tuning (all at 500 dpi, the working resolution).
struct ExtractionDetail {
  FingerTemplate finger;
  PrintQuality quality;
  double scale = 1.0;  // working pixels per input pixel
  cv::Mat mask;        // CV_8U 0/255
  cv::Mat enhanced;    // CV_32F Gabor response
  cv::Mat skeleton;    // CV_8U 0/1
  int raw_candidates = 0;
  int removed_border = 0;
  int removed_structural = 0;
  int removed_low_quality = 0;
};

class FingerExtractor {
 public:
  explicit FingerExtractor(ExtractorSettings settings = {});

  // Extracts from an 8-bit grayscale image (CV_8UC1; CV_8UC3/4 are converted) scanned at
  // `dpi`. Fails with IDA-BIA-011 when the image is empty, of the wrong type, outside
  // 64..4096 px per side after resampling, `dpi` is outside 250..2000, or no print is found.
  Result<FingerTemplate> Extract(const cv::Mat& image, int dpi = 500) const;
  // Same on a raw buffer of `height` rows of `stride` bytes (`width` used), one byte a pixel.
  Result<FingerTemplate> Extract(std::span<const uint8_t> pixels, int width, int height, int stride,
                                 int dpi = 500) const;
  // Extract() plus the intermediate images and quality features.
  Result<ExtractionDetail> ExtractDetailed(const cv::Mat& image, int dpi = 500) const;

  const ExtractorSettings& settings() const { return settings_; }

 private:
  ExtractorSettings settings_;
};

// Whole-print quality of an image (runs the extractor's analysis). Errors as Extract().
Result<PrintQuality> AssessFingerQuality(const cv::Mat& image, int dpi = 500);

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_FINGER_EXTRACTOR_H_
