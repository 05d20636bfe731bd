// Fingerprint minutiae matcher: 1:1 comparison of two FingerTemplates, invariant to rotation
// and translation, tolerant of partial overlap and skin distortion.
//
// How it works (details and measured figures in docs/benchmarks.md):
//  1. Preparation (once per template, at enrolment or probe time): minutiae are packed into
//     small integer structs and every minutia gets edges to its nearest neighbours. An edge
//     stores its length and the two minutia directions relative to the edge direction, so it
//     does not change when the print is rotated or shifted (the local descriptor).
//  2. Probe preparation (once per search): the probe's edges go into a quantised hash table
//     (length x angle x angle cells), so that for each candidate edge the compatible probe
//     edges are found by one table lookup.
//  3. Matching: compatible edge pairs vote for minutia pairs; the best-supported pairs become
//     roots. From each root the pairing grows outwards along edges in order of edge
//     similarity (consolidation): a neighbour pair is added only if its edge to an already
//     paired minutia agrees in length and angles. Distortion accumulates slowly along edges,
//     so the pairing stays correct far from the root where a single rigid alignment would
//     fail. The best pairing over the roots gives the raw score.
//  4. Calibration: the raw score is mapped through a table of impostor score quantiles
//     (measured on FVC2004 impostor pairs, see finger_matcher.cc) to
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

// A template packed for matching: 8 bytes per minutia plus 8 bytes per edge. At most
// kMaxMatchMinutiae minutiae are kept (the best by quality when there are more).
class PreparedFingerprint {
 public:
  static constexpr size_t kMaxMatchMinutiae = 255;
  static constexpr size_t kMaxEdgesPerMinutia = 12;

  struct PackedMinutia {
    int16_t x;
    int16_t y;
    uint8_t angle;        // 256 units per turn, counter-clockwise as ISO
    uint8_t type;         // MinutiaType
    uint16_t edge_begin;  // index of this minutia's first edge
  };
  struct PackedEdge {
    uint16_t length;  // quarter pixels
    uint8_t to;       // neighbour index
    uint8_t beta1;    // this minutia's direction minus the edge direction (256 units)
    uint8_t beta2;    // neighbour's direction minus the edge direction
    uint8_t from;     // source minutia index
    uint16_t cell;    // quantised (length, beta1, beta2) hash cell
  };

  PreparedFingerprint() = default;
  explicit PreparedFingerprint(const FingerTemplate& tmpl);

  size_t size() const { return minutiae_.size(); }
  const std::vector<PackedMinutia>& minutiae() const { return minutiae_; }
  const std::vector<PackedEdge>& edges() const { return edges_; }
  size_t EdgeEnd(size_t i) const {
    return i + 1 < minutiae_.size() ? minutiae_[i + 1].edge_begin : edges_.size();
  }
  // Bytes of packed data (what a gallery holds per finger).
  size_t ByteSize() const {
    return minutiae_.size() * sizeof(PackedMinutia) + edges_.size() * sizeof(PackedEdge);
  }

 private:
  std::vector<PackedMinutia> minutiae_;
  std::vector<PackedEdge> edges_;
};

// Details of one comparison, for diagnostics and fusion.
struct MatchDetails {
  double score = 0;      // calibrated: -10 * log10(FMR)
  double raw_score = 0;  // before calibration
  int paired = 0;        // paired minutiae in the best pairing
  int supporting_edges = 0;
};

// A probe prepared for comparison against many candidates.
class FingerMatcher {
 public:
  explicit FingerMatcher(const PreparedFingerprint& probe);
  explicit FingerMatcher(const FingerTemplate& probe) : FingerMatcher(PreparedFingerprint(probe)) {}

  // Calibrated similarity in [0, kMaxScore]: -10 * log10(estimated FMR). Symmetric in spirit
  // but not bit-exact: the probe side's edges set the tolerances.
  double Match(const PreparedFingerprint& candidate) const;
  MatchDetails MatchWithDetails(const PreparedFingerprint& candidate) const;

  const PreparedFingerprint& probe() const { return probe_; }

 private:
  PreparedFingerprint probe_;
  // A probe edge as filed in the hash table: the accepted candidate length range is
  // precomputed and the entry is stored in place, so a lookup reads one contiguous run.
  struct HashedEdge {
    uint16_t min_length;
    uint16_t max_length;
    uint8_t beta1;
    uint8_t beta2;
    uint8_t from;
    uint8_t to;
  };
  // Hash table over probe edges, CSR layout: cell c holds
  // cell_edges_[cell_begin_[c] .. cell_begin_[c + 1]).
  std::vector<uint32_t> cell_begin_;
  std::vector<HashedEdge> cell_edges_;
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
