// Pieces of the iris pipeline shared by the eye-image path (iris_pipeline.cc) and the
// unsegmented-polar path (iris_polar.cc): option checks, the radial span of the rubber-sheet
// strip, flat-paint detection, the focus measure and the quality score, so both paths judge
// and encode an iris the same way. Pure functions; thread-safe.
#ifndef SIJIL_BIOMETRICS_INTERNAL_IRIS_COMMON_H_
#define SIJIL_BIOMETRICS_INTERNAL_IRIS_COMMON_H_

#include <opencv2/core.hpp>

#include "sijil/base/status.h"
#include "sijil/biometrics/iris_pipeline.h"

namespace sijil::biometrics::internal {

// The strip's rows run from just outside the pupil to just inside the limbus (both
// boundaries blur): row i of `radial` sits at fraction kStripInner + (kStripOuter -
// kStripInner) * (i + 0.5) / radial of the way from the pupil to the limbus.
inline constexpr double kStripInner = 0.04;
inline constexpr double kStripOuter = 0.92;

// BIO-401 when the encoding options are out of range.
Status CheckIrisOptions(const IrisPipelineOptions& options);

// Pixels of perfectly flat 9x9 windows (the constant paint of ISO/IEC 19794-6 "cropped and
// masked" images), 255 where flat. `gray` is CV_8UC1.
cv::Mat FlatRegions(const cv::Mat& gray);

// Daugman-style focus score 0..1 of the high-frequency energy of `gray` under `mask`.
double FocusScore(const cv::Mat& gray, const cv::Mat& mask);

// Fills q->score and q->reasons from its measured fields (usable_area, sharpness,
// pupil_iris_ratio, concentricity, iris_radius_pixels).
void ScoreIrisQuality(IrisQuality* q);

// BIO-406 with the quality reasons when x.quality.score < options.min_quality.
Status CheckMinQuality(const IrisExtraction& x, const IrisPipelineOptions& options);

}  // namespace sijil::biometrics::internal

#endif  // SIJIL_BIOMETRICS_INTERNAL_IRIS_COMMON_H_
