// Ridge skeleton: thinning of a binary ridge image and minutiae detection on the skeleton
// with false-minutiae removal. Free functions; thread-safe.
#ifndef SIJIL_BIOMETRICS_INTERNAL_SKELETON_H_
#define SIJIL_BIOMETRICS_INTERNAL_SKELETON_H_

#include <vector>

#include <opencv2/core.hpp>

#include "sijil/biometrics/internal/ridge_analysis.h"
#include "sijil/biometrics/minutiae.h"

namespace sijil::biometrics::internal {

// Thins `ridges` (CV_8U, nonzero = ridge) to an 8-connected, one-pixel-wide skeleton
// (CV_8U 0/1). The outermost image row/column is always cleared.
cv::Mat Thin(const cv::Mat& ridges);

struct SkeletonMinutia {
  int x = 0;
  int y = 0;
  // Direction in pixel coordinates (y down), radians: atan2(dy, dx) of the unit vector that
  // points into the ridge (ending) or between the two branches (bifurcation).
  float direction = 0.0f;
  MinutiaType type = MinutiaType::kOther;
  float quality = 0.0f;  // 0..1
};

struct DetectionStats {
  int raw = 0;          // crossing-number candidates
  int border = 0;       // removed near the foreground border
  int structural = 0;   // removed as spurs, bridges, short ridges, holes, broken ridges
  int low_quality = 0;  // removed in incoherent areas
};

// Finds endings and bifurcations on `skeleton` (from Thin) inside `maps.mask` and removes
// false ones. `period` is the ridge period in pixels; `frame` is the part of the skeleton that
// was imaged (the rest is padding), whose edges count as border.
std::vector<SkeletonMinutia> DetectMinutiae(const cv::Mat& skeleton, const RidgeMaps& maps,
                                            float period, const cv::Rect& frame,
                                            DetectionStats* stats);

}  // namespace sijil::biometrics::internal

#endif  // SIJIL_BIOMETRICS_INTERNAL_SKELETON_H_
