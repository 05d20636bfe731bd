// Iris encoding of "unsegmented polar" images (ISO/IEC 19794-6 image kind 16, as IREX
// defined it): the eye is already unwrapped around an estimate of the pupil centre, so the
// image is a strip whose rows are radii and whose columns are angles.
//
// Layout, after the NIST IREX reference library (biomdi `irex/src/lib/polar.c`, functions
// bilinear_rectilinear_to_polar / bilinear_polar_to_rectilinear, and `iid_ext.h`'s
// unsegmented-polar block: samples radially, samples circumferentially, centre, inner and
// outer radius): the raster has one row per radial sample and one column per angular sample;
// row i lies at radius inner + i * (outer - inner) / rows from the centre (row 0 is the
// inner circle, the centre itself when the inner radius is 0); column 0 points straight down
// from the centre (6 o'clock) and the columns proceed counter-clockwise as the eye is seen
// (6 -> 3 -> 12 -> 9 o'clock) over a full turn. A 2011 record carries no centre or radii, so
// radii are measured in rows here, taken as pixels. PolarLayout states other conventions.
//
// The pipeline (ExtractIrisFromPolar):
//  1. The angle axis is resampled to the 256 columns of the rubber-sheet strip, in the eye
//     path's convention (counter-clockwise from the right; column 64 is the top), averaging
//     over each column's span when the image has more angles.
//  2. Saturated reflections are masked and filled from their surroundings.
//  3. Pupil and limbus are found as curves r_p(theta), r_l(theta) along the radius axis: the
//     radius with the strongest dark-to-bright step across angles (the pupil also favours a
//     dark interior; the limbus is located on the lateral angles, clear of the eyelids), then
//     the strongest step of each column near it, then a weighted, outlier-rejecting Fourier
//     fit (constant + first and second harmonics) across angle. A centre offset is the first
//     harmonic, so a limbus that is not concentric with the pupil fits exactly.
//  4. Occlusion: upper and lower eyelids as the same parabolas the eye path fits, searched in
//     polar form; eyelashes as pixels near the pupil's darkness; reflections; flat paint.
//  5. Each column is resampled between r_p and r_l to the strip (strip_radial rows x 256)
//     and encoded by the same EncodeIris; quality is scored by the same rules.
//
// IrisExtraction for polar input: the segmentation circles are in the frame of the eye the
// polar image would reconstruct into (a square of side 2 x rows, polar centre at
// (rows, rows); the IREX library's polar-to-rectilinear conversion produces that frame):
// each circle's radius is the mean of its fitted curve and its centre the curve's first
// harmonic. `valid` is the usable-pixel mask in the polar frame after step 1 (rows x 256).
// Eyelid rows are in the reconstructed frame.
//
// Thread-safety: pure functions over their arguments; safe to call concurrently.
#ifndef SIJIL_BIOMETRICS_IRIS_POLAR_H_
#define SIJIL_BIOMETRICS_IRIS_POLAR_H_

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "sijil/base/result.h"
#include "sijil/biometrics/image_codec.h"
#include "sijil/biometrics/iris_image_record.h"
#include "sijil/biometrics/iris_pipeline.h"

namespace sijil::biometrics {

struct PolarLayout {
  // Direction of column 0, degrees counter-clockwise from the right of the eye as seen:
  // 270 is straight down (IREX).
  double zero_angle_deg = 270;
  bool counter_clockwise = true;  // columns advance counter-clockwise as the eye is seen
};

// Smallest polar image accepted: fewer radii or angles cannot hold a pupil and an iris.
inline constexpr int kMinPolarRows = 32;
inline constexpr int kMinPolarColumns = 64;

// The boundary curves found in a polar image, one radius (rows) per strip column.
struct PolarBoundaries {
  std::vector<double> pupil;   // r_p, kIrisColumns values
  std::vector<double> limbus;  // r_l
};

// Encodes a polar image (grey or RGB). BIO-402 for an empty image, BIO-401 when smaller
// than kMinPolarColumns x kMinPolarRows, BIO-404 when no pupil or limbus step is found,
// BIO-406 below options.min_quality. `boundaries` (optional) receives the fitted curves.
Result<IrisExtraction> ExtractIrisFromPolar(const Image& polar,
                                            const IrisPipelineOptions& options = {},
                                            const PolarLayout& layout = {},
                                            PolarBoundaries* boundaries = nullptr);
Result<IrisExtraction> ExtractIrisFromPolar(const cv::Mat& polar,
                                            const IrisPipelineOptions& options = {},
                                            const PolarLayout& layout = {},
                                            PolarBoundaries* boundaries = nullptr);

// The iris code of one record image, whatever its kind: unsegmented polar images (kind 16)
// take the polar path, rectilinear ones the eye path (ExtractIris).
Result<IrisExtraction> ExtractIrisFromRecord(const IrisImageRepresentation& rep,
                                             const IrisPipelineOptions& options = {});

// "rectilinear" or "unsegmented polar", with the rectilinear kind's name where known.
std::string IrisImageKindName(uint8_t image_type);

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_IRIS_POLAR_H_
