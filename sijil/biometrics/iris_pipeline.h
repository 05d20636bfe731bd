// Iris feature extraction: grayscale eye image -> IrisCode (iris_code.h) plus a quality
// assessment, following Daugman's pipeline.
//
//  1. Reflections: specular highlights (the illuminator's spots, usually inside the pupil)
//     are found as saturated blobs, or as bright unsaturated halos enclosed by the darkest
//     pixels, masked, and filled from their surroundings so their edges do not pull the
//     boundary search.
//  2. Pupil and limbus: Daugman's integro-differential operator, max over (x0, y0, r) of the
//     radial derivative of the mean intensity on the circle, smoothed along r. It runs
//     coarse-to-fine: a search over a grid of centres on a downscaled image, then a local
//     refinement at full resolution of the best few coarse pupil candidates. The pupil search
//     favours dark interiors; the limbus is searched on the left and right arcs only (eyelids
//     cover the top and bottom), with its centre near the pupil's.
//  3. Occlusion: upper and lower eyelids as parabolas fitted to the vertical gradient inside
//     the iris; eyelashes as pixels much darker than the iris's own intensity distribution;
//     reflections from step 1; perfectly flat regions (the constant paint of ISO/IEC 19794-6
//     "cropped and masked" images, type 7).
//  4. Rubber sheet: the annulus between the two (not necessarily concentric) circles is
//     resampled to a fixed polar strip, radius normalised to [0, 1], 256 angles
//     counter-clockwise from the right (column 64 is the top of the eye), so a head tilt is a
//     circular column shift.
//  5. Encoding: every strip row is filtered by a 1-D log-Gabor filter along the angle (FFT,
//     exact on the periodic rows); complex responses are averaged over four radial bands and
//     the phase quadrant gives two bits per band and angle: rows 2k and 2k+1 of the IrisCode
//     hold the signs of the real and imaginary parts of band k (pupil side first). A bit is
//     valid when most of the strip pixels behind it are unoccluded and its response is not
//     near zero (a "fragile" bit whose sign noise decides).
//
// Quality (0-100) combines usable iris area, focus (high-frequency energy of the iris
// texture), pupil/iris radius ratio, concentricity (gaze) and iris size, with a reason for
// every factor that pulled it down. ExtractIris fails with BIO-404 when no plausible iris is
// found and BIO-406 when the quality is below the configured minimum.
//
// Unsegmented polar images (ISO/IEC 19794-6 kind 16) need no search for circles:
// iris_polar.h finds their boundaries along the radius axis, then shares the encoding
// (step 5) and the quality score.
//
// Thread-safety: pure functions over their arguments; safe to call concurrently.
#ifndef SIJIL_BIOMETRICS_IRIS_PIPELINE_H_
#define SIJIL_BIOMETRICS_IRIS_PIPELINE_H_

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "sijil/base/result.h"
#include "sijil/biometrics/image_codec.h"
#include "sijil/biometrics/iris_code.h"

namespace sijil::biometrics {

struct Circle {
  double x = 0;  // centre, pixels from the left
  double y = 0;  // centre, pixels from the top
  double r = 0;  // radius, pixels
};

struct IrisPipelineOptions {
  // Radii searched, as fractions of the image's smaller side.
  double min_pupil_fraction = 0.04;
  double max_pupil_fraction = 0.30;
  double min_iris_fraction = 0.12;
  double max_iris_fraction = 0.60;
  // Encoding.
  int strip_radial = 32;               // strip rows between pupil and limbus
  double log_gabor_wavelength = 16;    // columns (of 256) per filter cycle
  double log_gabor_sigma_ratio = 0.5;  // bandwidth: sigma / f0 of the log-Gabor
  double fragile_fraction = 0.10;      // weakest bits of each row masked as unstable
  // Results below this quality fail with BIO-406 (0 accepts anything that segments).
  int min_quality = 0;
};

struct IrisSegmentation {
  Circle pupil;
  Circle iris;
  // Usable iris pixels (255) in the image frame: inside the limbus, outside the pupil, not
  // eyelid, eyelash or reflection.
  cv::Mat valid;
  double upper_eyelid_y = -1;  // topmost visible iris row (-1: eyelid clear of the iris)
  double lower_eyelid_y = -1;  // bottommost visible iris row
  double pupil_contrast = 0;   // intensity step at the pupil boundary (grey levels)
  double iris_contrast = 0;    // intensity step at the limbus
};

struct IrisQuality {
  int score = 0;                // 0..100, ISO/IEC 19794-6 convention
  double usable_area = 0;       // fraction of the iris annulus that is usable
  double sharpness = 0;         // 0..1 focus measure of the iris texture
  double pupil_iris_ratio = 0;  // pupil radius / iris radius
  double concentricity = 0;     // centre offset / iris radius (0: concentric)
  double iris_radius_pixels = 0;
  std::vector<std::string> reasons;  // why the score is not 100, one line per factor
};

struct IrisExtraction {
  IrisCode code;
  IrisSegmentation segmentation;
  IrisQuality quality;
  cv::Mat strip;       // normalised iris, CV_8UC1, strip_radial x 256
  cv::Mat strip_mask;  // 255 where the strip pixel is usable
};

// Runs the whole pipeline. `image` may be grey or RGB (converted to grey). BIO-401 for an
// empty or tiny image, BIO-404 when no pupil/limbus pair is found, BIO-406 when the quality
// is below options.min_quality.
Result<IrisExtraction> ExtractIris(const Image& image, const IrisPipelineOptions& options = {});
Result<IrisExtraction> ExtractIris(const cv::Mat& gray, const IrisPipelineOptions& options = {});

// The individual stages, for tests and diagnostics. `gray` is CV_8UC1.
Result<IrisSegmentation> SegmentIris(const cv::Mat& gray, const IrisPipelineOptions& options = {});
// Rubber-sheet strip (rows pupil -> limbus, 256 columns) and its mask.
void NormalizeIris(const cv::Mat& gray, const IrisSegmentation& seg, int radial, cv::Mat* strip,
                   cv::Mat* strip_mask);
IrisCode EncodeIris(const cv::Mat& strip, const cv::Mat& strip_mask,
                    const IrisPipelineOptions& options = {});

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_IRIS_PIPELINE_H_
