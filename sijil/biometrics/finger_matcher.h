// Fingerprint minutiae matcher: 1:1 comparison of two FingerTemplates, invariant to rotation
// and translation, tolerant of partial overlap and skin distortion.
//
// How it works (details and measured figures in docs/benchmarks.md):
//  1. Preparation (once per template, at enrolment or probe time): minutiae are packed into
//     small integer structs; every minutia gets a Minutia Cylinder-Code descriptor (Cappelli,
//     Ferrara, Maltoni 2010: a 16 x 16 x 6 bit grid, in the minutia's own frame, of where
//     and at which relative direction its neighbours lie; only the 208 cells on the disc are
//     stored, 160 bytes) and edges to its nearest neighbours (length and the two directions
//     relative to the edge), plus the pairwise distances and directions used by relaxation
//     (once per unordered pair; FingerMatcher unfolds the probe's into full rows).
//  2. Local similarity: every pair of cylinders whose directions differ by at most 90
//     degrees is compared by popcount (AVX-512 VPOPCNTDQ where the CPU has it, the direction
//     gate evaluated for 64 candidates at once). The pairs are bucketed by similarity
//     as they are computed, so the greedy selection below reads them in order without
//     sorting.
//  3. Global score (LSS-R): the most similar one-to-one pairs are relaxed, each keeping
//     its similarity in proportion to the pairs that agree with it in distance, relative
//     direction and radial angle; the score is the mean relaxed similarity of the n_P most
//     consistent pairs.
//  4. Consolidation: the best relaxed pairs are roots from which a pairing grows along
//     edges, cheapest first, then passes a global rotation+translation check with a
//     distortion allowance. Its evidence (paired minutiae and confirming edges over the
//     overlap's minutiae) is added to the MCC score with a small weight.
//  5. Calibration: the combined raw score is mapped through a table of impostor score
//     quantiles (measured on FVC2004 impostor pairs, see finger_matcher.cc) to
//     score = -10 * log10(FMR), so a threshold of 40 means FMR 1e-4 and ThresholdForFmr()
//     converts a target FMR to a threshold.
//
// Thread safety: PreparedFingerprint and FingerMatcher are immutable after construction and
// may be shared by any number of threads. Match() allocates nothing: it uses a fixed-size
// per-thread scratch area.
#ifndef SIJIL_BIOMETRICS_FINGER_MATCHER_H_
#define SIJIL_BIOMETRICS_FINGER_MATCHER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sijil/biometrics/minutiae.h"

namespace sijil::biometrics {

// A template packed for matching: per minutia 8 bytes, a 160-byte cylinder and 6 bytes of
// flags, direction and norm, kMaxEdgesPerMinutia 5-byte edge slots, and 3 bytes per
// unordered pair of minutiae (pairwise geometry). At most kMaxMatchMinutiae minutiae are kept
// (the best by quality when there are more).
class PreparedFingerprint {
 public:
  static constexpr size_t kMaxMatchMinutiae = 255;
  static constexpr size_t kMaxEdgesPerMinutia = 12;

  struct PackedMinutia {
    int16_t x;
    int16_t y;
    uint8_t angle;       // 256 units per turn, counter-clockwise as ISO
    uint8_t type;        // MinutiaType
    uint8_t edge_count;  // edges to its nearest neighbours (at most kMaxEdgesPerMinutia)
    uint8_t reserved = 0;
  };
  // A minutia's edges, nearest neighbour first (so by increasing length), one array per
  // field so that a whole block is compared at once.
  struct EdgeBlock {
    const uint16_t* length;  // quarter pixels
    const uint8_t* to;       // neighbour index
    const uint8_t* beta1;    // this minutia's direction minus the edge direction (256 units)
    const uint8_t* beta2;    // neighbour's direction minus the edge direction
  };

  PreparedFingerprint() = default;
  explicit PreparedFingerprint(const FingerTemplate& tmpl);

  // Minutia Cylinder-Code: per minutia, kCylinderWords words of cell bits: 6 direction
  // layers of the 208 cells (of a 16 x 16 grid) whose centre lies on the cylinder's disc,
  // 1,248 bits, the last 32 bits zero. Cells off the disc are never set, so they are not
  // stored.
  static constexpr size_t kCylinderWords = 20;

  size_t size() const { return minutiae_.size(); }
  const uint64_t* cylinder(size_t i) const { return cylinders_.data() + i * kCylinderWords; }
  // Whether the cylinder has enough neighbours to be compared; its norm is
  // sqrt(set bits).
  bool cylinder_valid(size_t i) const { return cylinder_valid_[i] != 0; }
  float cylinder_norm(size_t i) const { return cylinder_norm_[i]; }
  const float* cylinder_norms() const { return cylinder_norm_.data(); }
  // Per minutia, contiguous: direction (as minutiae()[i].angle) and cylinder validity (0/1),
  // for comparing many at once.
  const uint8_t* angles() const { return angles_.data(); }
  const uint8_t* valid_flags() const { return cylinder_valid_.data(); }
  // Pairwise geometry of minutiae i != j: distance in quarter pixels, and the direction of
  // the segment i->j relative to minutia i's direction (256 units). Stored once per
  // unordered pair: the segment j->i points half a turn away.
  uint16_t distance_q(size_t i, size_t j) const { return pair_distance_[PairIndex(i, j)]; }
  uint8_t radial_angle(size_t i, size_t j) const {
    const uint8_t radial =
        static_cast<uint8_t>(minutiae_[i].angle - pair_direction_[PairIndex(i, j)]);
    return i < j ? radial : static_cast<uint8_t>(radial - 128);
  }
  // Position of the unordered pair {i, j} (i != j) in the pairwise tables.
  size_t PairIndex(size_t i, size_t j) const {
    const size_t a = i < j ? i : j, b = i < j ? j : i;
    return a * (2 * size() - a - 1) / 2 + (b - a - 1);
  }
  const std::vector<PackedMinutia>& minutiae() const { return minutiae_; }
  // Minutia i's edges: minutiae()[i].edge_count of them in a block of kMaxEdgesPerMinutia
  // slots (readable up to 16 slots).
  EdgeBlock edges(size_t i) const {
    const size_t at = i * kMaxEdgesPerMinutia;
    return {edge_length_.data() + at, edge_to_.data() + at, edge_beta1_.data() + at,
            edge_beta2_.data() + at};
  }
  // Bytes of packed data (what a gallery holds per finger).
  size_t ByteSize() const {
    return minutiae_.size() * sizeof(PackedMinutia) + edge_length_.size() * sizeof(uint16_t) +
           edge_to_.size() + edge_beta1_.size() + edge_beta2_.size() +
           cylinders_.size() * sizeof(uint64_t) + cylinder_valid_.size() + angles_.size() +
           cylinder_norm_.size() * sizeof(float) + pair_distance_.size() * sizeof(uint16_t) +
           pair_direction_.size();
  }

 private:
  void BuildCylinders(const std::vector<double>& xs, const std::vector<double>& ys,
                      const std::vector<double>& angles);

  std::vector<PackedMinutia> minutiae_;
  // Slots past the last block, so that 16-slot reads stay inside the arrays.
  static constexpr size_t kEdgePadding = 16 - kMaxEdgesPerMinutia;
  std::vector<uint16_t> edge_length_;
  std::vector<uint8_t> edge_to_, edge_beta1_, edge_beta2_;
  std::vector<uint64_t> cylinders_;
  std::vector<uint8_t> cylinder_valid_;
  std::vector<uint8_t> angles_;
  std::vector<float> cylinder_norm_;
  std::vector<uint16_t> pair_distance_;  // per unordered pair {i < j}
  std::vector<uint8_t> pair_direction_;  // direction of i->j, i < j (256 units)
};

// Details of one comparison, for diagnostics and fusion.
struct MatchDetails {
  double score = 0;      // calibrated: -10 * log10(FMR)
  double raw_score = 0;  // before calibration
  int paired = 0;        // paired minutiae in the best pairing
  int supporting_edges = 0;
  // The two parts of the raw score: the MCC (LSS-R) score in [0, 1] and the best pairing's
  // evidence before calibration, with the minutiae of each side inside the other's area
  // (-1 when no pairing reached the global check).
  double mcc_score = 0;
  double pairing_evidence = 0;
  int probe_overlap = -1;
  int candidate_overlap = -1;
};

// A probe prepared for comparison against many candidates.
class FingerMatcher {
 public:
  // Code path of Match(): kAuto uses the widest instruction set the CPU has (AVX-512 with
  // VPOPCNTDQ on x86-64); kPortable the baseline C++ code. Scores are identical; kPortable
  // exists to test that.
  enum class Kernel : uint8_t { kAuto, kPortable };

  explicit FingerMatcher(const PreparedFingerprint& probe, Kernel kernel = Kernel::kAuto);
  explicit FingerMatcher(const FingerTemplate& probe, Kernel kernel = Kernel::kAuto)
      : FingerMatcher(PreparedFingerprint(probe), kernel) {}

  // Calibrated similarity in [0, kMaxScore]: -10 * log10(estimated FMR). Symmetric in spirit
  // but not bit-exact: the probe side's edges set the tolerances.
  double Match(const PreparedFingerprint& candidate) const;
  MatchDetails MatchWithDetails(const PreparedFingerprint& candidate) const;

  const PreparedFingerprint& probe() const { return probe_; }

 private:
  PreparedFingerprint probe_;
  Kernel kernel_ = Kernel::kAuto;
  // The probe's pairwise geometry unfolded to size() x size() rows (the probe side of the
  // relaxation reads it most).
  std::vector<uint16_t> distance_;
  std::vector<uint8_t> radial_;
};

inline constexpr double kMaxScore = 100.0;

// Calibrated score threshold for a target false-match rate: -10 * log10(fmr).
double ThresholdForFmr(double fmr);
// Estimated FMR of a calibrated score (inverse of ThresholdForFmr).
double FmrForScore(double score);
// Calibrates a raw score (exposed for the evaluation and tests).
double CalibrateRawScore(double raw);

// One-shot comparison (prepares both sides; use FingerMatcher for 1:N).
double MatchFingerprints(const FingerTemplate& probe, const FingerTemplate& candidate);

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_FINGER_MATCHER_H_
