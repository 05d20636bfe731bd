// Agreement between an extracted minutiae set and a reference set (e.g. a vendor template of
// the same image): one-to-one pairs within a distance and an angle tolerance, paired
// greedily by distance. Pure function; thread-safe.
#ifndef SIJIL_BIOMETRICS_INTERNAL_MINUTIAE_AGREEMENT_H_
#define SIJIL_BIOMETRICS_INTERNAL_MINUTIAE_AGREEMENT_H_

#include <vector>

#include "sijil/biometrics/minutiae.h"

namespace sijil::biometrics::internal {

struct Agreement {
  int reference = 0;  // reference minutiae considered
  int extracted = 0;  // extracted minutiae considered
  int paired = 0;     // one-to-one pairs within tolerance
  int same_type = 0;  // pairs whose types agree
};

// Reference minutiae are shifted by (dx, dy) before comparison (a reference made on a
// cropped or padded image). Angles compare modulo 2*pi.
Agreement CompareMinutiae(const std::vector<Minutia>& extracted,
                          const std::vector<Minutia>& reference, float dx, float dy,
                          float max_distance, float max_angle_rad);

}  // namespace sijil::biometrics::internal

#endif  // SIJIL_BIOMETRICS_INTERNAL_MINUTIAE_AGREEMENT_H_
