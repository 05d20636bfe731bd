// Ridge-flow analysis of a fingerprint image at 500 dpi: local normalisation, foreground
// segmentation, orientation field with coherence, ridge period, and oriented Gabor
// enhancement. Shared by the extractor, the quality measure and the synthetic generator.
// Stateless free functions; thread-safe.
#ifndef SIJIL_BIOMETRICS_INTERNAL_RIDGE_ANALYSIS_H_
#define SIJIL_BIOMETRICS_INTERNAL_RIDGE_ANALYSIS_H_

#include <vector>

#include <opencv2/core.hpp>

namespace sijil::biometrics::internal {

// Block size of the coarse maps, in pixels at 500 dpi.
inline constexpr int kBlock = 16;

struct RidgeMaps {
  // CV_32F, zero local mean and unit local deviation; ridges (dark in the input) positive.
  cv::Mat normalized;
  // CV_8U, 255 = foreground, full resolution.
  cv::Mat mask;
  // Block maps (one value per kBlock x kBlock block), CV_32F.
  cv::Mat block_contrast;   // local grey-level deviation of the high-passed image
  cv::Mat block_coherence;  // orientation coherence 0..1
  cv::Mat block_mask;       // CV_8U 0/255
  cv::Mat block_clarity;    // set by RefineMaskByClarity
  // Full-resolution orientation as a doubled-angle unit field: cos(2t), sin(2t), where t is
  // the ridge direction in pixel coordinates (y down), direction vector (cos t, sin t).
  cv::Mat cos2;
  cv::Mat sin2;
  // Full-resolution coherence 0..1 (CV_32F).
  cv::Mat coherence;
  // Median ridge period in pixels over the foreground, and the fraction of foreground
  // blocks whose own period estimate was valid, and the spread (IQR/median) of those.
  float period = 9.0f;
  float period_valid_fraction = 0.0f;
  float period_spread = 0.0f;
};

// Computes normalisation, mask, orientation and period of `gray` (CV_8U, 500 dpi).
RidgeMaps AnalyseRidges(const cv::Mat& gray);

// Gabor filters tuned to a fixed orientation field (cos2, sin2: doubled-angle unit field as
// in RidgeMaps) and ridge period, with `orientations` quantised directions (a pixel between
// two directions takes both responses, linearly weighted); `sigma` is the isotropic Gaussian
// envelope. Built once and applied to many images of the field's size (the synthetic
// generator filters the same field many times). Apply keeps scratch buffers in the bank, so
// one bank serves one thread at a time.
class OrientedGaborBank {
 public:
  OrientedGaborBank(const cv::Mat& cos2, const cv::Mat& sin2, float period, float sigma,
                    int orientations);
  // Filters `src` (CV_32F, the field's size) into `out`, which must not share `src`'s
  // memory. `border` is the OpenCV border mode beyond `src` (a submatrix reads its parent's
  // pixels there).
  void Apply(const cv::Mat& src, cv::Mat& out, int border);

 private:
  struct Kernels {
    cv::Mat xc, xs, yc, ys;
  };
  int orientations_;
  std::vector<Kernels> kernels_;  // directions 0 .. orientations / 2
  cv::Mat bin_, frac_;            // per pixel: lower direction bin and weight of the next
  cv::Mat a_, b_;                 // scratch: the cosine and sine products
};

// Filters `src` (CV_32F) with Gabor kernels tuned to the orientation field (cos2, sin2) and the
// ridge period `period`, interpolating between `orientations` quantised directions. `sigma`
// is the isotropic Gaussian envelope. Pixels outside `roi` are left 0. Returns CV_32F.
cv::Mat OrientedGabor(const cv::Mat& src, const cv::Mat& cos2, const cv::Mat& sin2, float period,
                      float sigma, int orientations, const cv::Rect& roi);

// Measures, per block, the correlation between the normalised image and its Gabor
// enhancement (ridge clarity, stored in maps.block_clarity) and removes from the mask the
// foreground blocks below `min_clarity` (sensor edges, speckle, smudges), keeping the largest
// blob with its holes filled.
void RefineMaskByClarity(RidgeMaps& maps, const cv::Mat& enhanced, float min_clarity);

// Ridge direction in [0, pi) at a full-resolution pixel.
float RidgeDirection(const RidgeMaps& maps, int x, int y);

}  // namespace sijil::biometrics::internal

#endif  // SIJIL_BIOMETRICS_INTERNAL_RIDGE_ANALYSIS_H_
