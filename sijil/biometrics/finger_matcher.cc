#include "sijil/biometrics/finger_matcher.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <numbers>

#if defined(__x86_64__)
// GCC 12's AVX-512 intrinsics pass _mm*_undefined_*() through their own inline code, which
// -Wmaybe-uninitialized reports at the header's lines.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

namespace sijil::biometrics {
namespace {

using EdgeBlock = PreparedFingerprint::EdgeBlock;
using PackedMinutia = PreparedFingerprint::PackedMinutia;
// The AVX-512 kernel gathers a minutia's type as byte 5 of its 8 bytes.
static_assert(sizeof(PackedMinutia) == 8 && offsetof(PackedMinutia, type) == 5);

// Edge geometry. Lengths are in quarter pixels at 500 dpi; angles in 1/256 of a turn.
constexpr int kMinEdgePx = 5;    // closer neighbours are usually extraction noise
constexpr int kMaxEdgePx = 250;  // farther ones distort too much to compare
// Edge compatibility: length within kLengthTolQ + length * kLengthTolFrac, both relative
// angles within kAngleTol. Skin distortion stretches edges by a few percent; minutia
// directions from a typical extractor wobble by ~10-15 degrees.
constexpr int kLengthTolQ = 16;        // 4 px
constexpr int kLengthTolFrac256 = 17;  // + 7% of the length
constexpr int kAngleTol = 12;          // ~17 degrees

// Edges per minutia: its nearest neighbours. More edges let the pairing cross spurious
// minutiae (poor prints), fewer are faster; 12 is the measured balance.
constexpr size_t kEdgesPerMinutia = PreparedFingerprint::kMaxEdgesPerMinutia;
// Weight of a confirming edge relative to a paired minutia in the raw score.
constexpr double kSupportWeight = 1.5;

// Score combination: the MCC score and the consolidation's pairing evidence are each put on
// the -10 log10 FMR scale by their own impostor quantile table (MccScore(), PairingScore())
// and added: the sum is the evidence of two tail probabilities multiplied as if independent.
// No weight is fitted; each part counts by how rarely impostors reach it.
double MccScore(double mcc);
double PairingScore(double raw);

// Consolidation effort: pairings grown from the best MCC pairs.
constexpr int kRoots = 4;
constexpr size_t kHeapCapacity = 1 << 16;

inline int AngleDiff(uint8_t a, uint8_t b) {
  return std::abs(static_cast<int>(static_cast<int8_t>(static_cast<uint8_t>(a - b))));
}

inline int LengthTolerance(uint16_t length_q) {
  return kLengthTolQ + ((length_q * kLengthTolFrac256) >> 8);
}

// Edges are at most kMaxEdgePx long, so their length tolerance is bounded.
constexpr int kMaxLengthTol = kLengthTolQ + ((kMaxEdgePx * 4 * kLengthTolFrac256) >> 8);

// Division of dl * 256 (dl <= tol, so below 2^16) by tol + 1 as a multiply and shift:
// with m = ceil(2^32 / d) the quotient is exact for numerators below 2^32 / d.
const std::array<uint64_t, kMaxLengthTol + 1>& LengthReciprocals() {
  static const auto t = [] {
    std::array<uint64_t, kMaxLengthTol + 1> t{};
    for (int tol = 0; tol <= kMaxLengthTol; ++tol) {
      const uint64_t d = static_cast<uint64_t>(tol) + 1;
      t[tol] = ((uint64_t{1} << 32) + d - 1) / d;
    }
    return t;
  }();
  return t;
}

// Mismatch cost in [0, 3 * 256) of two compatible edges: length difference dl <= tol, angle
// differences d1, d2 <= kAngleTol. `recip` is LengthReciprocals()[tol].
inline int EdgeCost(int dl, int d1, int d2, uint64_t recip) {
  return static_cast<int>((static_cast<uint64_t>(dl) * 256 * recip) >> 32) +
         (d1 + d2) * 256 / (kAngleTol + 1);
}

// Bit j (j < count) set when candidate edge j is compatible with the probe edge (length,
// beta1, beta2): length within [min_len, max_len], both relative angles within kAngleTol.
inline uint32_t CompatibleEdgesPortable(const EdgeBlock& c, int count, int min_len, int max_len,
                                        uint8_t beta1, uint8_t beta2) {
  uint32_t mask = 0;
  for (int j = 0; j < count; ++j) {
    const bool ok = c.length[j] >= min_len && c.length[j] <= max_len &&
                    AngleDiff(beta1, c.beta1[j]) <= kAngleTol &&
                    AngleDiff(beta2, c.beta2[j]) <= kAngleTol;
    mask |= static_cast<uint32_t>(ok) << j;
  }
  return mask;
}

// The same for 16 slots at once (SSE2, part of every x86-64 CPU): no branch per edge.
inline uint32_t CompatibleEdgesVector(const EdgeBlock& c, int count, int min_len, int max_len,
                                      uint8_t beta1, uint8_t beta2) {
#if defined(__SSE2__)
  const __m128i l0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c.length));
  const __m128i l1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c.length + 8));
  const __m128i lo = _mm_set1_epi16(static_cast<int16_t>(min_len - 1));
  const __m128i hi = _mm_set1_epi16(static_cast<int16_t>(max_len + 1));
  const __m128i in_window =
      _mm_packs_epi16(_mm_and_si128(_mm_cmpgt_epi16(l0, lo), _mm_cmplt_epi16(l0, hi)),
                      _mm_and_si128(_mm_cmpgt_epi16(l1, lo), _mm_cmplt_epi16(l1, hi)));
  // |int8(a - b)| <= kAngleTol, as AngleDiff (a difference of -128 fails).
  const __m128i above = _mm_set1_epi8(static_cast<char>(kAngleTol + 1));
  const __m128i below = _mm_set1_epi8(static_cast<char>(-(kAngleTol + 1)));
  const __m128i d1 = _mm_sub_epi8(_mm_set1_epi8(static_cast<char>(beta1)),
                                  _mm_loadu_si128(reinterpret_cast<const __m128i*>(c.beta1)));
  const __m128i d2 = _mm_sub_epi8(_mm_set1_epi8(static_cast<char>(beta2)),
                                  _mm_loadu_si128(reinterpret_cast<const __m128i*>(c.beta2)));
  const __m128i ok = _mm_and_si128(
      in_window,
      _mm_and_si128(_mm_and_si128(_mm_cmpgt_epi8(above, d1), _mm_cmpgt_epi8(d1, below)),
                    _mm_and_si128(_mm_cmpgt_epi8(above, d2), _mm_cmpgt_epi8(d2, below))));
  return static_cast<uint32_t>(_mm_movemask_epi8(ok)) & ((1u << count) - 1);
#else
  return CompatibleEdgesPortable(c, count, min_len, max_len, beta1, beta2);
#endif
}

uint8_t ToAngleUnits(double radians) {
  double turns = radians / (2.0 * std::numbers::pi);
  turns -= std::floor(turns);
  return static_cast<uint8_t>(static_cast<int>(std::lround(turns * 256.0)) & 0xff);
}

struct HeapEntry {
  uint16_t cost;
  uint8_t probe;
  uint8_t candidate;
};

// Per-thread working memory, allocated once per thread on first use so that Match() itself
// never allocates.
struct Scratch {
  std::array<int16_t, 256> probe_pair;
  std::array<int16_t, 256> candidate_pair;
  // The pairs of a grown pairing in probe order, and whether each is an inlier.
  std::array<uint8_t, 256> list_p, list_c, list_inlier;
  std::array<int16_t, 256> best_pair;
  std::array<HeapEntry, kHeapCapacity> heap;
};

Scratch& ThreadScratch() {
  thread_local std::unique_ptr<Scratch> scratch = std::make_unique<Scratch>();
  return *scratch;
}

// Min-heap by cost on a fixed array.
class Heap {
 public:
  explicit Heap(std::array<HeapEntry, kHeapCapacity>& a) : a_(a) {}
  bool empty() const { return n_ == 0; }
  void Push(HeapEntry e) {
    if (n_ == kHeapCapacity) return;  // bounded: drop the newest (never hit in practice)
    size_t i = n_++;
    while (i > 0) {
      size_t parent = (i - 1) / 2;
      if (a_[parent].cost <= e.cost) break;
      a_[i] = a_[parent];
      i = parent;
    }
    a_[i] = e;
  }
  HeapEntry Pop() {
    HeapEntry top = a_[0];
    HeapEntry last = a_[--n_];
    size_t i = 0;
    while (true) {
      size_t child = 2 * i + 1;
      if (child >= n_) break;
      if (child + 1 < n_ && a_[child + 1].cost < a_[child].cost) ++child;
      if (a_[child].cost >= last.cost) break;
      a_[i] = a_[child];
      i = child;
    }
    if (n_ > 0) a_[i] = last;
    return top;
  }

 private:
  std::array<HeapEntry, kHeapCapacity>& a_;
  size_t n_ = 0;
};

struct Pairing {
  int paired = 0;
  int support = 0;
  int probe_overlap = -1;  // minutiae of each side inside the other's area, -1: unknown
  int candidate_overlap = -1;
};

// Grows a pairing from the root (root_p, root_c) along compatible edges, cheapest first.
template <bool kVector>
Pairing Grow(const PreparedFingerprint& probe, const PreparedFingerprint& cand, int root_p,
             int root_c, Scratch& s) {
  const size_t np = probe.size();
  const size_t nc = cand.size();
  std::fill_n(s.probe_pair.begin(), np, int16_t{-1});
  std::fill_n(s.candidate_pair.begin(), nc, int16_t{-1});
  const auto& pm = probe.minutiae();
  const auto& cm = cand.minutiae();
  Heap heap(s.heap);
  const uint64_t* recip = LengthReciprocals().data();
  Pairing result;
  int a = root_p, b = root_c;
  s.probe_pair[a] = static_cast<int16_t>(b);
  s.candidate_pair[b] = static_cast<int16_t>(a);
  result.paired = 1;
  while (true) {
    const EdgeBlock pe = probe.edges(a);
    const EdgeBlock ce = cand.edges(b);
    const int cn = cm[b].edge_count;
    for (int i = 0; i < pm[a].edge_count; ++i) {
      const int length = pe.length[i];
      const int tol = LengthTolerance(pe.length[i]);
      const uint8_t p_to = pe.to[i];
      uint32_t mask = kVector ? CompatibleEdgesVector(ce, cn, length - tol, length + tol,
                                                      pe.beta1[i], pe.beta2[i])
                              : CompatibleEdgesPortable(ce, cn, length - tol, length + tol,
                                                        pe.beta1[i], pe.beta2[i]);
      const int16_t p_partner = s.probe_pair[p_to];
      // An edge whose far end is paired can only confirm that pair (a minutia's edges lead
      // to distinct neighbours); one whose far ends are both free proposes a new pair.
      if (p_partner >= 0) {
        for (; mask != 0; mask &= mask - 1) {
          if (ce.to[std::countr_zero(mask)] == p_partner) {
            ++result.support;
            break;
          }
        }
        continue;
      }
      for (; mask != 0; mask &= mask - 1) {
        const int j = std::countr_zero(mask);
        const uint8_t c_to = ce.to[j];
        if (s.candidate_pair[c_to] >= 0) continue;
        const int cost =
            EdgeCost(std::abs(length - ce.length[j]), AngleDiff(pe.beta1[i], ce.beta1[j]),
                     AngleDiff(pe.beta2[i], ce.beta2[j]), recip[tol]);
        heap.Push(HeapEntry{static_cast<uint16_t>(cost), p_to, c_to});
      }
    }
    // Next pair: the cheapest edge that still leads to two unpaired minutiae.
    bool found = false;
    while (!heap.empty()) {
      HeapEntry e = heap.Pop();
      if (s.probe_pair[e.probe] >= 0 || s.candidate_pair[e.candidate] >= 0) continue;
      a = e.probe;
      b = e.candidate;
      s.probe_pair[a] = static_cast<int16_t>(b);
      s.candidate_pair[b] = static_cast<int16_t>(a);
      ++result.paired;
      ++result.support;
      found = true;
      break;
    }
    if (!found) break;
  }
  return result;
}

// Global check: pairs must agree with one rotation and translation within kGlobalTolPx
// (skin distortion at 500 dpi rarely moves a minutia further) and kGlobalAngTol.
constexpr int kGlobalTolPx = 32;
constexpr int kGlobalAngTol = 24;  // ~34 degrees
// Overlap estimate: bounding boxes grown by this margin (pixels).
constexpr double kOverlapMargin = 10;
// Floor of the overlap minutia count in the score normaliser, so that a tiny overlap
// cannot turn three chance pairs into a strong score.
constexpr size_t kMinOverlap = 8;

// cos and sin of the 256 angle units.
struct TrigTables {
  std::array<double, 256> cos, sin;
};
const TrigTables& Trig() {
  static const TrigTables t = [] {
    TrigTables t;
    for (int u = 0; u < 256; ++u) {
      const double r = u * (2 * std::numbers::pi / 256);
      t.cos[u] = std::cos(r);
      t.sin[u] = std::sin(r);
    }
    return t;
  }();
  return t;
}

// Global check of a grown pairing: fits one rotation and translation to the pairs and keeps
// those that agree with it within a distortion allowance. Growth checks consistency only
// edge by edge, so on two unrelated prints with regular ridge flow it can wander through
// chains of locally plausible pairs that no single placement of the finger explains.
// The candidate's bounding box (y up), computed on first use and kept for the comparison.
struct CandidateBox {
  bool known = false;
  double minx = 1e9, maxx = -1e9, miny = 1e9, maxy = -1e9;
};

Pairing GlobalCheck(const PreparedFingerprint& probe, const PreparedFingerprint& cand,
                    const Pairing& grown, Scratch& s, CandidateBox& box) {
  if (grown.paired < 3) return grown;
  const auto& P = probe.minutiae();
  const auto& C = cand.minutiae();
  const size_t np = probe.size();
  const TrigTables& trig = Trig();
  // The pairs in probe order (every sum below runs in that order).
  uint8_t* const la = s.list_p.data();
  uint8_t* const lb = s.list_c.data();
  uint8_t* const inlier = s.list_inlier.data();
  int count = 0;
  for (size_t a = 0; a < np; ++a) {
    const int b = s.probe_pair[a];
    if (b < 0) continue;
    la[count] = static_cast<uint8_t>(a);
    lb[count++] = static_cast<uint8_t>(b);
  }
  // Rotation: circular mean of the direction differences.
  double cx = 0, sy = 0;
  for (int k = 0; k < count; ++k) {
    const int a = la[k], b = lb[k];
    const uint8_t d = static_cast<uint8_t>(C[b].angle - P[a].angle);
    cx += trig.cos[d];
    sy += trig.sin[d];
  }
  double rot = std::atan2(sy, cx);
  uint8_t rot_units = ToAngleUnits(rot);
  int inliers = 0;
  for (int pass = 0; pass < 2; ++pass) {
    const double cs = std::cos(rot), sn = std::sin(rot);
    // Translation: mean offset after rotation (image y points down: rotate in y-up frame).
    double tx = 0, ty = 0;
    int n = 0;
    for (int k = 0; k < count; ++k) {
      if (pass == 1 && !inlier[k]) continue;  // refit on the first pass's inliers
      const int a = la[k], b = lb[k];
      double px = P[a].x, py = -P[a].y;
      tx += C[b].x - (cs * px - sn * py);
      ty += -C[b].y - (sn * px + cs * py);
      ++n;
    }
    if (n == 0) break;
    tx /= n;
    ty /= n;
    inliers = 0;
    double rx = 0, ry = 0;
    for (int k = 0; k < count; ++k) {
      const int a = la[k], b = lb[k];
      double px = P[a].x, py = -P[a].y;
      double ex = C[b].x - (cs * px - sn * py + tx);
      double ey = -C[b].y - (sn * px + cs * py + ty);
      bool ok =
          ex * ex + ey * ey <= kGlobalTolPx * kGlobalTolPx &&
          AngleDiff(C[b].angle, static_cast<uint8_t>(P[a].angle + rot_units)) <= kGlobalAngTol;
      if (pass == 0) inlier[k] = ok;
      if (ok) {
        ++inliers;
        const uint8_t d = static_cast<uint8_t>(C[b].angle - P[a].angle);
        rx += trig.cos[d];
        ry += trig.sin[d];
      }
    }
    if (inliers == 0) break;
    rot = std::atan2(ry, rx);
    rot_units = ToAngleUnits(rot);
  }
  Pairing out;
  out.paired = inliers;
  if (inliers >= 3) {
    // Overlap: minutiae of each print that fall inside the other's bounding box (shrunk
    // by a margin, since minutiae near a print's edge are often missed).
    const double cs = std::cos(rot), sn = std::sin(rot);
    double tx = 0, ty = 0;
    int n = 0;
    for (int k = 0; k < count; ++k) {
      const int a = la[k], b = lb[k];
      double px = P[a].x, py = -P[a].y;
      tx += C[b].x - (cs * px - sn * py);
      ty += -C[b].y - (sn * px + cs * py);
      ++n;
    }
    tx /= n;
    ty /= n;
    if (!box.known) {
      for (const auto& m : C) {
        box.minx = std::min<double>(box.minx, m.x);
        box.maxx = std::max<double>(box.maxx, m.x);
        box.miny = std::min<double>(box.miny, -m.y);
        box.maxy = std::max<double>(box.maxy, -m.y);
      }
      box.known = true;
    }
    const double cminx = box.minx, cmaxx = box.maxx, cminy = box.miny, cmaxy = box.maxy;
    double pminx = 1e9, pmaxx = -1e9, pminy = 1e9, pmaxy = -1e9;
    int pin = 0;
    const double margin = kOverlapMargin;
    for (const auto& m : P) {
      double px = m.x, py = -m.y;
      double x = cs * px - sn * py + tx, y = sn * px + cs * py + ty;
      pminx = std::min(pminx, x);
      pmaxx = std::max(pmaxx, x);
      pminy = std::min(pminy, y);
      pmaxy = std::max(pmaxy, y);
      if (x >= cminx - margin && x <= cmaxx + margin && y >= cminy - margin && y <= cmaxy + margin)
        ++pin;
    }
    int cin = 0;
    for (const auto& m : C) {
      double x = m.x, y = -m.y;
      if (x >= pminx - margin && x <= pmaxx + margin && y >= pminy - margin && y <= pmaxy + margin)
        ++cin;
    }
    out.probe_overlap = pin;
    out.candidate_overlap = cin;
  }
  double frac = static_cast<double>(inliers) / grown.paired;
  out.support = static_cast<int>(grown.support * frac * frac);
  return out;
}

// Raw score of a pairing: paired minutiae and the edges that confirm them, normalised by
// the template sizes so that large templates do not collect chance pairs for free.
double RawScore(const Pairing& p, size_t np, size_t nc) {
  if (p.paired < 3) return 0;
  double m = p.paired;
  double support = p.support;
  double evidence = m + kSupportWeight * support;
  size_t pn = p.probe_overlap >= 0 ? static_cast<size_t>(p.probe_overlap) : np;
  size_t cn = p.candidate_overlap >= 0 ? static_cast<size_t>(p.candidate_overlap) : nc;
  double size = std::sqrt(static_cast<double>(std::max(pn, kMinOverlap)) *
                          static_cast<double>(std::max(cn, kMinOverlap)));
  return evidence * evidence / size;
}

// --- Minutia Cylinder-Code -------------------------------------------------------------------
// Cappelli, Ferrara, Maltoni, "Minutia Cylinder-Code: a new representation and matching
// technique for fingerprint recognition", IEEE TPAMI 32(12), 2010. Bit-based cylinders,
// local similarity with the common validity mask, and global score by local similarity
// sort with relaxation (LSS-R). Parameter names follow the paper.
namespace mcc {

constexpr int kNs = 16;  // spatial cells per side
constexpr int kNd = 6;   // direction layers
constexpr double kR = 70.0;
constexpr double kDeltaS = 2.0 * kR / kNs;
constexpr double kSigmaS = 28.0 / 3.0;
constexpr double kSigmaD = 2.0 * std::numbers::pi / 9.0;
constexpr double kDeltaD = 2.0 * std::numbers::pi / kNd;
constexpr double kMuPsi = 0.005;  // below the paper's 0.01: sparse templates need more set bits
constexpr int kMinM = 2;          // contributing minutiae needed for a valid cylinder
// Cylinders are compared only when their directions differ by at most kDeltaTheta (pi/2),
// as in the paper: captures are near upright, and the gate halves the comparisons and
// removes chance pairs. Prints rotated by more than 90 degrees do not match.
constexpr int kDeltaTheta = 64;

// Global score (LSS-R): n_P grows from kMinNp to kMaxNp with the smaller template's size
// (sigmoid kMuP, kTauP); kNrel relaxation iterations with weight kWr; compatibility of two
// pairs by sigmoids of their distance, relative direction and radial angle differences.
constexpr double kMuP = 20, kTauP = 0.4;
constexpr int kMinNp = 4, kMaxNp = 12;
constexpr double kWr = 0.5;
constexpr int kNrel = 5;
// Pairs taken into relaxation: the paper takes min(n_A, n_B); beyond 30 the extra pairs
// cost time and, measured, add chance agreements more than true ones.
constexpr size_t kMaxNr = 30;
constexpr float kTypeMismatch = 0.85f;
constexpr double kMu1 = 12, kTau1 = -1.6;  // pixels; the paper's 5 px is too strict here
constexpr double kMu2 = std::numbers::pi / 12, kTau2 = -30;
constexpr double kMu3 = std::numbers::pi / 12, kTau3 = -30;

double Sigmoid(double v, double mu, double tau) { return 1.0 / (1.0 + std::exp(-tau * (v - mu))); }

// Cells whose centre lies within kR of the cylinder axis: 208 of the 16 x 16.
constexpr int CountDiscCells() {
  int count = 0;
  for (int i = 0; i < kNs; ++i) {
    for (int j = 0; j < kNs; ++j) {
      const double u = (i + 0.5 - kNs / 2.0) * kDeltaS, v = (j + 0.5 - kNs / 2.0) * kDeltaS;
      count += u * u + v * v <= kR * kR;
    }
  }
  return count;
}
constexpr int kDiscCells = CountDiscCells();
static_assert(kDiscCells * kNd <= static_cast<int>(PreparedFingerprint::kCylinderWords) * 64);
static_assert(kDiscCells * kNd > static_cast<int>(PreparedFingerprint::kCylinderWords - 1) * 64);

struct CellGeometry {
  int count = 0;
  std::array<uint16_t, kNs * kNs> index{};
  std::array<float, kNs * kNs> u{}, v{};
  std::array<uint8_t, kNs * kNs> in_circle{};
};
const CellGeometry& Cells() {
  static const CellGeometry g = [] {
    CellGeometry g;
    for (int i = 0; i < kNs; ++i) {
      for (int j = 0; j < kNs; ++j) {
        double u = (i + 0.5 - kNs / 2.0) * kDeltaS;
        double v = (j + 0.5 - kNs / 2.0) * kDeltaS;
        if (u * u + v * v > kR * kR) continue;
        g.index[g.count] = static_cast<uint16_t>(i * kNs + j);
        g.in_circle[i * kNs + j] = 1;
        g.u[g.count] = static_cast<float>(u);
        g.v[g.count] = static_cast<float>(v);
        ++g.count;
      }
    }
    return g;
  }();
  return g;
}

// Relaxation lookup tables: compatibility factors by quantised difference.
struct RhoTables {
  static constexpr int kDistSteps = 256;  // quarter pixels
  std::array<float, kDistSteps> dist{};
  std::array<float, 129> dir{}, radial{};
};
const RhoTables& Rho() {
  static const RhoTables r = [] {
    RhoTables r;
    for (int i = 0; i < RhoTables::kDistSteps; ++i)
      r.dist[i] = static_cast<float>(Sigmoid(i / 4.0, kMu1, kTau1));
    for (int i = 0; i <= 128; ++i) {
      double a = i * 2 * std::numbers::pi / 256;
      r.dir[i] = static_cast<float>(Sigmoid(a, kMu2, kTau2));
      r.radial[i] = static_cast<float>(Sigmoid(a, kMu3, kTau3));
    }
    return r;
  }();
  return r;
}

double NormAngle(double a) {
  a = std::fmod(a + std::numbers::pi, 2 * std::numbers::pi);
  if (a < 0) a += 2 * std::numbers::pi;
  return a - std::numbers::pi;
}

// Directional contribution G_D of a neighbour to each direction layer, by the neighbour's
// direction relative to the cylinder's (256 units): the normal density (sigma kSigmaD)
// integrated over the layer's kDeltaD interval.
const std::array<std::array<float, kNd>, 256>& DirectionTable() {
  static const auto t = [] {
    std::array<std::array<float, kNd>, 256> t{};
    for (int u = 0; u < 256; ++u) {
      const double alpha = NormAngle(u * 2 * std::numbers::pi / 256);
      for (int k = 0; k < kNd; ++k) {
        const double phi = -std::numbers::pi + (k + 0.5) * kDeltaD;
        const double d = NormAngle(phi - alpha);
        t[u][k] =
            static_cast<float>(0.5 * (std::erf((d + kDeltaD / 2) / (kSigmaD * std::sqrt(2.0))) -
                                      std::erf((d - kDeltaD / 2) / (kSigmaD * std::sqrt(2.0)))));
      }
    }
    return t;
  }();
  return t;
}

// Spatial contribution G_S by squared distance in 1/4 px^2 steps, up to (3 sigma)^2.
constexpr int kSpatialSteps = static_cast<int>(9 * kSigmaS * kSigmaS * 4) + 2;
const std::array<float, kSpatialSteps>& SpatialTable() {
  static const auto t = [] {
    std::array<float, kSpatialSteps> t{};
    const double norm = 1.0 / (kSigmaS * std::sqrt(2 * std::numbers::pi));
    for (int i = 0; i < kSpatialSteps; ++i) {
      t[i] = static_cast<float>(norm * std::exp(-(i / 4.0) / (2 * kSigmaS * kSigmaS)));
    }
    return t;
  }();
  return t;
}

}  // namespace mcc

namespace mcc {

// A comparable cylinder pair: its local similarity (after the type penalty) and the next
// pair of the same similarity bucket.
struct LocalPair {
  float similarity;
  uint8_t probe;
  uint8_t candidate;
  uint16_t next;
};

constexpr int kBuckets = 256;
constexpr uint16_t kNoPair = 0xffff;

inline uint8_t BucketOf(float l) {
  return static_cast<uint8_t>(kBuckets - 1 -
                              std::min(kBuckets - 1, static_cast<int>(l * kBuckets)));
}

struct MccScratch {
  std::array<LocalPair, 256 * 256> pairs;
  std::array<uint16_t, kBuckets> head;  // first pair of each similarity bucket
  std::array<uint8_t, 256> used_p, used_c;
  std::array<LocalPair, 256> sel;
  std::array<float, 256> l0, l1, l2, eff;
  std::array<uint8_t, 256> order;
  static constexpr size_t kMaxStride = (kMaxNr + 7) & ~size_t{7};
  std::array<float, kMaxStride * kMaxStride> rho;
};

MccScratch& ThreadMccScratch() {
  thread_local std::unique_ptr<MccScratch> s = std::make_unique<MccScratch>();
  return *s;
}

// sqrt of 0..1536 (cell bit counts; at most 1,248 are used).
const std::array<float, 1537>& SqrtTable() {
  static const std::array<float, 1537> t = [] {
    std::array<float, 1537> t{};
    for (size_t i = 0; i < t.size(); ++i)
      t[i] = static_cast<float>(std::sqrt(static_cast<double>(i)));
    return t;
  }();
  return t;
}

// Records one comparable pair: applies the type penalty and puts it at the front of its
// similarity bucket's list (`head`).
inline size_t EmitPair(LocalPair* out, size_t n, uint16_t* head, float l, bool same_type, size_t a,
                       size_t b) {
  // Minutia type (ending or bifurcation) is not part of a cylinder; a pair whose types
  // differ keeps kTypeMismatch of its similarity (types flip with finger pressure, so this
  // is a soft penalty, not a filter).
  if (!same_type) l *= kTypeMismatch;
  const uint8_t bucket = BucketOf(l);
  out[n] = LocalPair{l, static_cast<uint8_t>(a), static_cast<uint8_t>(b), head[bucket]};
  head[bucket] = static_cast<uint16_t>(n);
  return n + 1;
}

// Local similarities of every comparable cylinder pair, bucketed by similarity: `head` (all
// kNoPair on entry) receives each bucket's list. Pairs are visited in decreasing (probe,
// candidate) order, so each list runs in increasing order. Returns the number of pairs.
// lambda = 1 - |a xor b| / (|a| + |b|), norms of bit vectors being square roots of popcounts.
template <typename Popcount>
inline size_t LocalSimilaritiesImpl(const PreparedFingerprint& p, const PreparedFingerprint& c,
                                    LocalPair* out, uint16_t* head, Popcount pc) {
  const size_t np = p.size(), nc = c.size();
  const float* sq = SqrtTable().data();
  const auto& pm = p.minutiae();
  const auto& cm = c.minutiae();
  size_t n = 0;
  for (size_t a = np; a-- > 0;) {
    if (!p.cylinder_valid(a)) continue;
    const uint64_t* A = p.cylinder(a);
    const float na = p.cylinder_norm(a);
    for (size_t b = nc; b-- > 0;) {
      if (!c.cylinder_valid(b)) continue;
      if (AngleDiff(pm[a].angle, cm[b].angle) > kDeltaTheta) continue;
      const uint64_t* B = c.cylinder(b);
      int nx = 0;
      for (size_t w = 0; w < PreparedFingerprint::kCylinderWords; ++w) nx += pc(A[w] ^ B[w]);
      const float l = 1.0f - sq[nx] / (na + c.cylinder_norm(b));
      if (l <= 0) continue;
      n = EmitPair(out, n, head, l, pm[a].type == cm[b].type, a, b);
    }
  }
  return n;
}

size_t LocalSimilaritiesGeneric(const PreparedFingerprint& p, const PreparedFingerprint& c,
                                LocalPair* out, uint16_t* head) {
  return LocalSimilaritiesImpl(p, c, out, head, [](uint64_t v) { return std::popcount(v); });
}
#if defined(__x86_64__)
[[gnu::target("popcnt")]] size_t LocalSimilaritiesPopcnt(const PreparedFingerprint& p,
                                                         const PreparedFingerprint& c,
                                                         LocalPair* out, uint16_t* head) {
  return LocalSimilaritiesImpl(
      p, c, out, head, [](uint64_t v) { return static_cast<int>(__builtin_popcountll(v)); });
}

// 1,248 cell bits fit in two and a half 512-bit registers: the probe cylinder stays in registers
// while the candidate's cylinders stream past. The direction gate is evaluated for 64 candidates at
// once on their packed directions, so the loop visits only the comparable pairs (a per-pair branch
// on the gate would be mispredicted half the time).
[[gnu::target("avx512f,avx512bw,avx512vpopcntdq")]] size_t LocalSimilaritiesAvx512(
    const PreparedFingerprint& p, const PreparedFingerprint& c, LocalPair* out, uint16_t* head) {
  const size_t np = p.size(), nc = c.size();
  const auto& pm = p.minutiae();
  const auto& cm = c.minutiae();
  const size_t blocks = (nc + 63) / 64;
  __m512i angles[4];
  __mmask64 valid[4];
  for (size_t k = 0; k < blocks; ++k) {
    const size_t left = nc - k * 64;
    const __mmask64 m = left >= 64 ? ~__mmask64{0} : (__mmask64{1} << left) - 1;
    angles[k] = _mm512_maskz_loadu_epi8(m, c.angles() + k * 64);
    const __m512i v = _mm512_maskz_loadu_epi8(m, c.valid_flags() + k * 64);
    valid[k] = _mm512_test_epi8_mask(v, v);
  }
  const __m512i gate = _mm512_set1_epi8(static_cast<char>(kDeltaTheta));
  const float* norms = c.cylinder_norms();
  const char* minutia_bytes = reinterpret_cast<const char*>(cm.data());
  const __m512 one = _mm512_set1_ps(1.0f), penalty = _mm512_set1_ps(kTypeMismatch);
  const __m512 scale = _mm512_set1_ps(static_cast<float>(kBuckets));
  const __m512i last = _mm512_set1_epi32(kBuckets - 1);
  alignas(64) int32_t xor_bits[256 + 16];
  alignas(64) int32_t partner[256 + 16];
  alignas(64) float sims[16];
  alignas(64) int32_t buckets[16];
  // Up to 64 candidates, their norms and types are held in registers and picked by
  // permutation: a gather costs several times more.
  const bool in_registers = nc <= 64;
  __m512 norm_reg[4];
  __m512i type_reg[4];
  if (in_registers) {
    alignas(64) int32_t types[64] = {};
    for (size_t b = 0; b < nc; ++b) types[b] = cm[b].type;
    for (size_t q = 0; q < 4; ++q) {
      const size_t at = q * 16;
      const __mmask16 m = at >= nc        ? __mmask16{0}
                          : nc - at >= 16 ? __mmask16{0xffff}
                                          : static_cast<__mmask16>((1u << (nc - at)) - 1);
      norm_reg[q] = _mm512_maskz_loadu_ps(m, c.cylinder_norms() + at);
      type_reg[q] = _mm512_load_si512(types + at);
    }
  }
  size_t n = 0;
  for (size_t a = np; a-- > 0;) {
    if (!p.cylinder_valid(a)) continue;
    size_t count = 0;
    const uint64_t* A = p.cylinder(a);
    const __m512i a0 = _mm512_loadu_si512(A);
    const __m512i a1 = _mm512_loadu_si512(A + 8);
    // The last 4 of the 20 words.
    const __m512i a2 = _mm512_maskz_loadu_epi64(0x0f, A + 16);
    const float na = p.cylinder_norm(a);
    const int ta = pm[a].type;
    const __m512i pa = _mm512_set1_epi8(static_cast<char>(pm[a].angle));
    for (size_t k = blocks; k-- > 0;) {
      // |int8(pa - angle)| <= kDeltaTheta; a difference of -128 stays 128 (unsigned).
      const __m512i d = _mm512_abs_epi8(_mm512_sub_epi8(pa, angles[k]));
      uint64_t m = valid[k] & _mm512_cmple_epu8_mask(d, gate);
      while (m != 0) {
        const unsigned top = 63 - static_cast<unsigned>(__builtin_clzll(m));
        const size_t b = k * 64 + top;
        m ^= uint64_t{1} << top;
        const uint64_t* B = c.cylinder(b);
        const __m512i x = _mm512_add_epi64(
            _mm512_add_epi64(_mm512_popcnt_epi64(_mm512_xor_si512(a0, _mm512_loadu_si512(B))),
                             _mm512_popcnt_epi64(_mm512_xor_si512(a1, _mm512_loadu_si512(B + 8)))),
            _mm512_popcnt_epi64(_mm512_xor_si512(a2, _mm512_maskz_loadu_epi64(0x0f, B + 16))));
        // Horizontal sum of the eight 64-bit counts.
        const __m256i h = _mm512_castsi512_si256(
            _mm512_add_epi64(x, _mm512_shuffle_i64x2(x, x, _MM_SHUFFLE(1, 0, 3, 2))));
        const __m128i q = _mm_add_epi64(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
        xor_bits[count] = static_cast<int32_t>(_mm_cvtsi128_si64(q) + _mm_extract_epi64(q, 1));
        partner[count++] = static_cast<int32_t>(b);
      }
    }
    // Similarities, type penalty and buckets of the minutia's comparable pairs, 16 at a time
    // (the same float operations as EmitPair, so the same values).
    const __m512 va = _mm512_set1_ps(na);
    const __m512i vta = _mm512_set1_epi32(ta);
    for (size_t i = 0; i < count; i += 16) {
      const __mmask16 lanes =
          count - i >= 16 ? __mmask16{0xffff} : static_cast<__mmask16>((1u << (count - i)) - 1);
      const __m512i vb = _mm512_maskz_loadu_epi32(lanes, partner + i);
      const __m512i vx = _mm512_maskz_loadu_epi32(lanes, xor_bits + i);
      // The float square root of a count up to 1,536 equals SqrtTable()'s (checked for every
      // count: both are the correctly rounded root).
      const __m512 root = _mm512_sqrt_ps(_mm512_cvtepi32_ps(vx));
      __m512 nb;
      __m512i tb;
      if (in_registers) {
        // Candidate index bit 5 picks the upper or lower 32 of the 64 held in registers.
        const __mmask16 high = _mm512_test_epi32_mask(vb, _mm512_set1_epi32(32));
        nb = _mm512_mask_blend_ps(high, _mm512_permutex2var_ps(norm_reg[0], vb, norm_reg[1]),
                                  _mm512_permutex2var_ps(norm_reg[2], vb, norm_reg[3]));
        tb = _mm512_mask_blend_epi32(high, _mm512_permutex2var_epi32(type_reg[0], vb, type_reg[1]),
                                     _mm512_permutex2var_epi32(type_reg[2], vb, type_reg[3]));
      } else {
        nb = _mm512_mask_i32gather_ps(_mm512_set1_ps(1.0f), lanes, vb, norms, 4);
        // Bytes 4..7 of a PackedMinutia: angle, type, edge_count, reserved.
        const __m512i word =
            _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), lanes, vb, minutia_bytes + 4, 8);
        tb = _mm512_and_si512(_mm512_srli_epi32(word, 8), _mm512_set1_epi32(0xff));
      }
      __m512 l = _mm512_sub_ps(one, _mm512_div_ps(root, _mm512_add_ps(va, nb)));
      l = _mm512_mask_mul_ps(l, _mm512_cmpneq_epi32_mask(tb, vta), l, penalty);
      __m512i bucket = _mm512_cvttps_epi32(_mm512_mul_ps(l, scale));
      bucket = _mm512_sub_epi32(last, _mm512_min_epi32(bucket, last));
      _mm512_store_ps(sims, l);
      _mm512_store_si512(buckets, bucket);
      uint32_t keep = _mm512_mask_cmp_ps_mask(lanes, l, _mm512_setzero_ps(), _CMP_GT_OQ);
      while (keep != 0) {
        const unsigned j = static_cast<unsigned>(__builtin_ctz(keep));
        keep &= keep - 1;
        const int bk = buckets[j];
        out[n] = LocalPair{sims[j], static_cast<uint8_t>(a), static_cast<uint8_t>(partner[i + j]),
                           head[bk]};
        head[bk] = static_cast<uint16_t>(n++);
      }
    }
  }
  return n;
}
#endif

using LocalSimilaritiesFn = size_t (*)(const PreparedFingerprint&, const PreparedFingerprint&,
                                       LocalPair*, uint16_t*);

// One relaxation step: next[i] = w * cur[i] + norm * (row i of rho) . cur for i < ns, the dot
// product accumulated in 8 lanes over blocks of 8 (rows padded with zeros to `stride`) and
// the lanes summed pairwise.
void RelaxStepPortable(const float* rho, size_t ns, size_t stride, const float* cur, float* next,
                       float w, float norm) {
  for (size_t i = 0; i < ns; ++i) {
    float acc[8] = {};
    const float* row = rho + i * stride;
    for (size_t k = 0; k < stride; k += 8) {
      for (int j = 0; j < 8; ++j) acc[j] += row[k + j] * cur[k + j];
    }
    const float sum =
        ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    next[i] = w * cur[i] + norm * sum;
  }
}

#if defined(__x86_64__)
// The same operations in the same order, the 8 lanes in one register (no FMA: a fused
// multiply-add would round differently).
[[gnu::target("avx2")]] void RelaxStepAvx2(const float* rho, size_t ns, size_t stride,
                                           const float* cur, float* next, float w, float norm) {
  for (size_t i = 0; i < ns; ++i) {
    const float* row = rho + i * stride;
    __m256 acc = _mm256_setzero_ps();
    for (size_t k = 0; k < stride; k += 8) {
      acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_loadu_ps(row + k), _mm256_loadu_ps(cur + k)));
    }
    // Lanes 0 and 4 of h2: (a0 + a1) + (a2 + a3) and (a4 + a5) + (a6 + a7).
    const __m256 h = _mm256_hadd_ps(acc, acc);
    const __m256 h2 = _mm256_hadd_ps(h, h);
    const float sum =
        _mm_cvtss_f32(_mm_add_ss(_mm256_castps256_ps128(h2), _mm256_extractf128_ps(h2, 1)));
    next[i] = w * cur[i] + norm * sum;
  }
}
#endif

using RelaxStepFn = void (*)(const float*, size_t, size_t, const float*, float*, float, float);

// The vectorised inner loops, chosen once for the CPU, or the portable ones.
struct Kernels {
  LocalSimilaritiesFn local_similarities;
  RelaxStepFn relax_step;
  bool vector_edges;  // CompatibleEdgesVector in the pairing growth
};
constexpr Kernels kPortableKernels = {&LocalSimilaritiesGeneric, &RelaxStepPortable, false};
LocalSimilaritiesFn PickLocalSimilarities() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vpopcntdq")) {
    return &LocalSimilaritiesAvx512;
  }
  if (__builtin_cpu_supports("popcnt")) return &LocalSimilaritiesPopcnt;
#endif
  return &LocalSimilaritiesGeneric;
}

Kernels PickKernels() {
  Kernels k = {PickLocalSimilarities(), &RelaxStepPortable, true};
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2")) k.relax_step = &RelaxStepAvx2;
#endif
  return k;
}

// The probe's pairwise geometry as size() x size() rows (FingerMatcher unfolds it once).
struct ProbeGeometry {
  const uint16_t* distance;
  const uint8_t* radial;
};

// LSS-R global score in [0, 1]; `paired` receives the pairs that kept most of their
// similarity through relaxation.
inline double Score(const Kernels& kernels, const PreparedFingerprint& p, const ProbeGeometry& pg,
                    const PreparedFingerprint& c, int* paired, std::pair<uint8_t, uint8_t>* roots,
                    int* nroots, int max_roots) {
  *paired = 0;
  if (nroots) *nroots = 0;
  const size_t np = p.size(), nc = c.size();
  if (np < 2 || nc < 2) return 0;
  MccScratch& s = ThreadMccScratch();
  uint16_t* head = s.head.data();
  std::fill_n(head, kBuckets, kNoPair);
  const size_t n = kernels.local_similarities(p, c, s.pairs.data(), head);
  if (n == 0) return 0;
  const auto& pm = p.minutiae();
  const auto& cm = c.minutiae();
  const size_t n_r = std::min({np, nc, kMaxNr});
  // Greedy one-to-one selection in decreasing similarity, quantised to 1/kBuckets, pairs of
  // one bucket in (probe, candidate) order. The bucket lists are a counting sort that moves
  // nothing (a comparison sort of ~1,000 pairs would cost more than everything else); the
  // selection typically reads ~300 of ~700 pairs.
  std::fill_n(s.used_p.begin(), np, uint8_t{0});
  std::fill_n(s.used_c.begin(), nc, uint8_t{0});
  size_t ns = 0;
  for (int k = 0; k < kBuckets && ns < n_r; ++k) {
    // Without a branch on whether the pair is free: that branch is mispredicted often, and
    // the list walk is a chain of dependent loads that a misprediction restarts.
    for (uint16_t i = head[k]; i != kNoPair && ns < n_r; i = s.pairs[i].next) {
      const LocalPair lp = s.pairs[i];
      const uint8_t free = (s.used_p[lp.probe] | s.used_c[lp.candidate]) ^ 1;
      s.sel[ns] = lp;
      s.used_p[lp.probe] |= free;
      s.used_c[lp.candidate] |= free;
      ns += free;
    }
  }
  const int n_p = kMinNp + static_cast<int>(std::lround(
                               Sigmoid(static_cast<double>(n_r), kMuP, kTauP) * (kMaxNp - kMinNp)));
  // Relaxation: a pair keeps its similarity in proportion to the similarity of the pairs
  // that agree with it geometrically (distance, relative direction, radial angle).
  const RhoTables& rt = Rho();
  // Rows are padded to a multiple of 8 with zeros so that the relaxation's dot products
  // run in fixed 8-wide blocks (vectorised by the compiler).
  const size_t stride = (ns + 7) & ~size_t{7};
  float* rho = s.rho.data();
  for (size_t i = 0; i < ns; ++i) {
    // The diagonal and the padding stay zero.
    rho[i * stride + i] = 0.0f;
    std::fill(rho + i * stride + ns, rho + (i + 1) * stride, 0.0f);
    const int ai = s.sel[i].probe, bi = s.sel[i].candidate;
    const uint16_t* p_distance = pg.distance + static_cast<size_t>(ai) * np;
    const uint8_t* p_radial = pg.radial + static_cast<size_t>(ai) * np;
    for (size_t k = i + 1; k < ns; ++k) {
      const int ak = s.sel[k].probe, bk = s.sel[k].candidate;
      const int dd = std::abs(static_cast<int>(p_distance[ak]) - c.distance_q(bi, bk));
      float r = rt.dist[std::min(dd, RhoTables::kDistSteps - 1)];
      r *= rt.dir[AngleDiff(static_cast<uint8_t>(pm[ai].angle - pm[ak].angle),
                            static_cast<uint8_t>(cm[bi].angle - cm[bk].angle))];
      r *= rt.radial[AngleDiff(p_radial[ak], c.radial_angle(bi, bk))];
      rho[i * stride + k] = rho[k * stride + i] = r;
    }
  }
  float* cur = s.l1.data();
  float* next = s.l2.data();
  std::fill_n(cur, stride, 0.0f);
  std::fill_n(next, stride, 0.0f);
  for (size_t i = 0; i < ns; ++i) s.l0[i] = cur[i] = s.sel[i].similarity;
  const float w = static_cast<float>(kWr);
  const float norm = ns > 1 ? (1.0f - w) / static_cast<float>(ns - 1) : 0.0f;
  for (int it = 0; it < kNrel; ++it) {
    kernels.relax_step(rho, ns, stride, cur, next, w, norm);
    std::swap(cur, next);
  }
  for (size_t i = 0; i < ns; ++i) {
    s.eff[i] = cur[i] / s.l0[i];
    s.order[i] = static_cast<uint8_t>(i);
  }
  const size_t take = std::min(ns, static_cast<size_t>(n_p));
  std::partial_sort(s.order.begin(), s.order.begin() + static_cast<std::ptrdiff_t>(take),
                    s.order.begin() + static_cast<std::ptrdiff_t>(ns),
                    [&](uint8_t x, uint8_t y) { return s.eff[x] > s.eff[y]; });
  double sum = 0;
  for (size_t i = 0; i < take; ++i) sum += cur[s.order[i]];
  for (size_t i = 0; i < ns; ++i) *paired += s.eff[i] >= 0.5f;
  if (roots) {
    const size_t k = std::min(take, static_cast<size_t>(max_roots));
    for (size_t i = 0; i < k; ++i)
      roots[i] = {s.sel[s.order[i]].probe, s.sel[s.order[i]].candidate};
    *nroots = static_cast<int>(k);
  }
  return sum / n_p;
}

}  // namespace mcc

}  // namespace

PreparedFingerprint::PreparedFingerprint(const FingerTemplate& tmpl) {
  // Keep the best kMaxMatchMinutiae minutiae by quality (stable, so ties keep record order).
  std::vector<size_t> order(tmpl.minutiae.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (order.size() > kMaxMatchMinutiae) {
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return tmpl.minutiae[a].quality > tmpl.minutiae[b].quality;
    });
    order.resize(kMaxMatchMinutiae);
  }
  // Scale to 500 dpi (197 px/cm) so that edge lengths compare across resolutions.
  double sx = tmpl.x_resolution_ppcm > 0 ? 197.0 / tmpl.x_resolution_ppcm : 1.0;
  double sy = tmpl.y_resolution_ppcm > 0 ? 197.0 / tmpl.y_resolution_ppcm : 1.0;
  const size_t n = order.size();
  std::vector<double> xs(n), ys(n), angles(n);
  minutiae_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const Minutia& m = tmpl.minutiae[order[i]];
    xs[i] = m.x * sx;
    ys[i] = m.y * sy;
    angles[i] = m.angle;
    minutiae_[i].x = static_cast<int16_t>(std::lround(std::min(xs[i], 32767.0)));
    minutiae_[i].y = static_cast<int16_t>(std::lround(std::min(ys[i], 32767.0)));
    minutiae_[i].angle = ToAngleUnits(m.angle);
    minutiae_[i].type = static_cast<uint8_t>(m.type);
  }
  angles_.resize(n);
  for (size_t i = 0; i < n; ++i) angles_[i] = minutiae_[i].angle;
  std::vector<std::pair<double, size_t>> near;
  near.reserve(n);
  // kMaxEdgesPerMinutia slots per minutia, plus room for 16-slot loads past the last block;
  // unused slots have a length no edge reaches.
  edge_length_.assign(n * kMaxEdgesPerMinutia + kEdgePadding, 0x7fff);
  edge_to_.assign(n * kMaxEdgesPerMinutia + kEdgePadding, 0);
  edge_beta1_.assign(edge_to_.size(), 0);
  edge_beta2_.assign(edge_to_.size(), 0);
  for (size_t i = 0; i < n; ++i) {
    near.clear();
    for (size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      double d = std::hypot(xs[j] - xs[i], ys[j] - ys[i]);
      if (d < kMinEdgePx || d > kMaxEdgePx) continue;
      near.emplace_back(d, j);
    }
    size_t k = std::min(near.size(), kEdgesPerMinutia);
    std::partial_sort(near.begin(), near.begin() + static_cast<std::ptrdiff_t>(k), near.end());
    minutiae_[i].edge_count = static_cast<uint8_t>(k);
    for (size_t e = 0; e < k; ++e) {
      auto [d, j] = near[e];
      // Pixel y grows downwards; angles are counter-clockwise as the image is viewed.
      double dir = std::atan2(-(ys[j] - ys[i]), xs[j] - xs[i]);
      const size_t slot = i * kMaxEdgesPerMinutia + e;
      edge_length_[slot] = static_cast<uint16_t>(std::lround(d * 4.0));
      edge_to_[slot] = static_cast<uint8_t>(j);
      const uint8_t direction = ToAngleUnits(dir);
      edge_beta1_[slot] = static_cast<uint8_t>(minutiae_[i].angle - direction);
      edge_beta2_[slot] = static_cast<uint8_t>(minutiae_[j].angle - direction);
    }
  }
  BuildCylinders(xs, ys, angles);
}

void PreparedFingerprint::BuildCylinders(const std::vector<double>& xs,
                                         const std::vector<double>& ys,
                                         const std::vector<double>& angles) {
  using namespace mcc;
  const size_t n = xs.size();
  cylinders_.assign(n * kCylinderWords, 0);
  cylinder_valid_.assign(n, 0);
  cylinder_norm_.assign(n, 0.0f);
  pair_distance_.assign(n > 1 ? n * (n - 1) / 2 : 0, 0);
  pair_direction_.assign(pair_distance_.size(), 0);
  // A y-up frame, so that directions are counter-clockwise as ISO defines them.
  std::vector<std::pair<double, double>> pts(n);
  for (size_t i = 0; i < n; ++i) pts[i] = {xs[i], -ys[i]};
  // Each unordered pair once: the distance is symmetric and the segment's direction
  // reverses (half a turn) from the other end.
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      const double dx = pts[j].first - pts[i].first, dy = pts[j].second - pts[i].second;
      const auto dq =
          static_cast<uint16_t>(std::min(65535L, std::lround(std::sqrt(dx * dx + dy * dy) * 4.0)));
      pair_distance_[PairIndex(i, j)] = dq;
      pair_direction_[PairIndex(i, j)] = ToAngleUnits(std::atan2(dy, dx));
    }
  }
  const CellGeometry& g = Cells();
  const auto& dtab = DirectionTable();
  const auto& stab = SpatialTable();
  const double reach = 3 * kSigmaS;
  std::vector<float> acc(static_cast<size_t>(kNs * kNs * kNd));
  for (size_t i = 0; i < n; ++i) {
    const double cs = std::cos(angles[i]), sn = std::sin(angles[i]);
    std::fill(acc.begin(), acc.end(), 0.0f);
    int contributors = 0;
    for (size_t t = 0; t < n; ++t) {
      if (t == i) continue;
      double dx = pts[t].first - pts[i].first, dy = pts[t].second - pts[i].second;
      if (dx * dx + dy * dy > (kR + reach) * (kR + reach)) continue;
      ++contributors;
      const double ut = dx * cs + dy * sn, vt = -dx * sn + dy * cs;
      const auto& gd = dtab[static_cast<uint8_t>(minutiae_[i].angle - minutiae_[t].angle)];
      // Only cells within 3 sigma of the neighbour: a small square of the grid.
      const int i0 = std::max(0, static_cast<int>(std::floor((ut - reach) / kDeltaS + kNs / 2.0)));
      const int i1 =
          std::min(kNs - 1, static_cast<int>(std::floor((ut + reach) / kDeltaS + kNs / 2.0)));
      const int j0 = std::max(0, static_cast<int>(std::floor((vt - reach) / kDeltaS + kNs / 2.0)));
      const int j1 =
          std::min(kNs - 1, static_cast<int>(std::floor((vt + reach) / kDeltaS + kNs / 2.0)));
      for (int ci = i0; ci <= i1; ++ci) {
        const double du = (ci + 0.5 - kNs / 2.0) * kDeltaS - ut;
        for (int cj = j0; cj <= j1; ++cj) {
          const int cell = ci * kNs + cj;
          if (!g.in_circle[cell]) continue;
          const double dv = (cj + 0.5 - kNs / 2.0) * kDeltaS - vt;
          const double d2 = du * du + dv * dv;
          if (d2 > reach * reach) continue;
          const float gs = stab[static_cast<int>(d2 * 4)];
          float* a = &acc[static_cast<size_t>(cell) * kNd];
          for (int k = 0; k < kNd; ++k) a[k] += gs * gd[k];
        }
      }
    }
    if (contributors < kMinM) continue;
    // Bit k * kDiscCells + c: direction layer k of the c-th cell on the disc.
    uint64_t* cyl = &cylinders_[i * kCylinderWords];
    int bits = 0;
    for (int c = 0; c < g.count; ++c) {
      const int cell = g.index[c];
      for (int k = 0; k < kNd; ++k) {
        if (acc[static_cast<size_t>(cell) * kNd + k] > kMuPsi) {
          const int bit = k * kDiscCells + c;
          cyl[bit >> 6] |= uint64_t{1} << (bit & 63);
          ++bits;
        }
      }
    }
    // An empty cylinder (neighbours only at its rim) has no norm to compare with.
    cylinder_valid_[i] = bits > 0;
    cylinder_norm_[i] = std::sqrt(static_cast<float>(bits));
  }
}

namespace {

// One comparison with the given inner loops.
MatchDetails Compare(const mcc::Kernels& kernels, const PreparedFingerprint& probe,
                     const mcc::ProbeGeometry& geometry, const PreparedFingerprint& cand) {
  MatchDetails out;
  if (probe.size() < 2 || cand.size() < 2) return out;
  // 1. MCC local similarities, relaxation and the LSS-R score.
  int relaxed = 0;
  std::array<std::pair<uint8_t, uint8_t>, kRoots> roots;
  int nroots = 0;
  const double mcc_score =
      mcc::Score(kernels, probe, geometry, cand, &relaxed, roots.data(), &nroots, kRoots);
  // 2. Consolidation: the most consistent MCC pairs are roots for edge-by-edge pairing
  // growth with a global check; the best pairing adds its evidence to the score.
  Scratch& s = ThreadScratch();
  double best = 0;
  CandidateBox box;
  for (int r = 0; r < nroots; ++r) {
    // A root that the best pairing so far already contains would grow the same pairing.
    if (best > 0 && s.best_pair[roots[r].first] == roots[r].second) continue;
    const Pairing grown = kernels.vector_edges
                              ? Grow<true>(probe, cand, roots[r].first, roots[r].second, s)
                              : Grow<false>(probe, cand, roots[r].first, roots[r].second, s);
    const Pairing p = GlobalCheck(probe, cand, grown, s, box);
    double raw = RawScore(p, probe.size(), cand.size());
    if (raw > best) {
      best = raw;
      std::copy_n(s.probe_pair.begin(), probe.size(), s.best_pair.begin());
      out.paired = p.paired;
      out.supporting_edges = p.support;
      out.probe_overlap = p.probe_overlap;
      out.candidate_overlap = p.candidate_overlap;
    }
  }
  out.mcc_score = mcc_score;
  out.pairing_evidence = best;
  out.raw_score = MccScore(mcc_score) + PairingScore(best);
  out.score = CalibrateRawScore(out.raw_score);
  return out;
}

const mcc::Kernels kKernels = mcc::PickKernels();

}  // namespace

FingerMatcher::FingerMatcher(const PreparedFingerprint& probe, Kernel kernel)
    : probe_(probe), kernel_(kernel) {
  const size_t n = probe_.size();
  distance_.assign(n * n, 0);
  radial_.assign(n * n, 0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      distance_[i * n + j] = probe_.distance_q(i, j);
      radial_[i * n + j] = probe_.radial_angle(i, j);
    }
  }
}

MatchDetails FingerMatcher::MatchWithDetails(const PreparedFingerprint& cand) const {
  return Compare(kernel_ == Kernel::kPortable ? mcc::kPortableKernels : kKernels, probe_,
                 mcc::ProbeGeometry{distance_.data(), radial_.data()}, cand);
}

double FingerMatcher::Match(const PreparedFingerprint& candidate) const {
  return MatchWithDetails(candidate).score;
}

double MatchFingerprints(const FingerTemplate& probe, const FingerTemplate& candidate) {
  FingerMatcher matcher(probe);
  return matcher.Match(PreparedFingerprint(candidate));
}

// --- Calibration ----------------------------------------------------------------------------
namespace {

// Piecewise-linear maps from a raw score to log10 of the impostor tail (FMR). Between points
// the mapping is linear; above the last point it extends with the slope of the last segment
// (an exponential tail fitted to the upper impostor quantiles).
struct CalibrationPoint {
  double raw;
  double log10_fmr;
};

// The tables below are the impostor quantiles of the calibration set: 49,920 impostor
// comparisons (every cross-finger pair within FVC2004 DB1-DB4_B and every pair across the
// four databases), at tail fractions 0.5 ... 1e-4 and the highest score (1 / 49,920). The
// FVC benchmark writes them (BM_FvcImpostorQuantiles in finger_matcher_bench.cc); re-derive
// all three whenever the matcher's scores change, the first two before the third.

// MCC (LSS-R) score alone.
constexpr CalibrationPoint kMccCalibration[] = {
    {0.00000, 0.000},  {0.01436, -0.301}, {0.01545, -0.523}, {0.01628, -0.699}, {0.01776, -1.000},
    {0.01950, -1.301}, {0.02094, -1.523}, {0.02217, -1.699}, {0.02438, -2.000}, {0.02732, -2.300},
    {0.02985, -2.522}, {0.03174, -2.698}, {0.03624, -2.999}, {0.04208, -3.300}, {0.04428, -3.522},
    {0.04800, -3.698}, {0.05526, -3.999}, {0.07138, -4.698},
};

// Edge-pairing evidence (RawScore()) of the consolidation step alone.
constexpr CalibrationPoint kPairingCalibration[] = {
    {0.00, 0.000},    {8.27, -0.301},   {13.97, -0.523},  {18.81, -0.699},  {27.32, -1.000},
    {36.66, -1.301},  {43.77, -1.523},  {49.64, -1.699},  {60.05, -2.000},  {72.17, -2.300},
    {80.34, -2.522},  {88.18, -2.698},  {100.92, -2.999}, {122.58, -3.300}, {129.41, -3.522},
    {140.08, -3.698}, {154.16, -3.999}, {175.87, -4.698},
};

// The combined raw score (MccScore() + PairingScore()), measured on the same 49,920 impostor
// comparisons. One table for all sensors: no per-database
// thresholds.
constexpr CalibrationPoint kCalibration[] = {
    {0.00, 0.000},   {7.24, -0.301},  {10.74, -0.523}, {13.54, -0.699}, {18.41, -1.000},
    {23.32, -1.301}, {26.85, -1.523}, {29.55, -1.699}, {34.34, -2.000}, {39.29, -2.300},
    {42.88, -2.522}, {45.86, -2.698}, {51.80, -2.999}, {55.55, -3.300}, {58.28, -3.522},
    {59.54, -3.698}, {62.04, -3.999}, {70.04, -4.698},
};

template <size_t N>
double Calibrate(const CalibrationPoint (&t)[N], double raw) {
  double log_fmr;
  if (raw <= t[0].raw) {
    log_fmr = t[0].log10_fmr;
  } else if (raw >= t[N - 1].raw) {
    const CalibrationPoint& a = t[N - 2];
    const CalibrationPoint& b = t[N - 1];
    log_fmr = b.log10_fmr + (raw - b.raw) * (b.log10_fmr - a.log10_fmr) / (b.raw - a.raw);
  } else {
    size_t i = 1;
    while (t[i].raw < raw) ++i;
    const CalibrationPoint& a = t[i - 1];
    const CalibrationPoint& b = t[i];
    log_fmr = a.log10_fmr + (raw - a.raw) * (b.log10_fmr - a.log10_fmr) / (b.raw - a.raw);
  }
  return std::clamp(-10.0 * log_fmr, 0.0, kMaxScore);
}

double MccScore(double mcc) { return Calibrate(kMccCalibration, mcc); }
double PairingScore(double raw) { return Calibrate(kPairingCalibration, raw); }

}  // namespace

double CalibrateRawScore(double raw) { return Calibrate(kCalibration, raw); }

double ThresholdForFmr(double fmr) {
  if (!(fmr > 0)) return kMaxScore;
  return std::clamp(-10.0 * std::log10(fmr), 0.0, kMaxScore);
}

double FmrForScore(double score) { return std::pow(10.0, -score / 10.0); }

}  // namespace sijil::biometrics
