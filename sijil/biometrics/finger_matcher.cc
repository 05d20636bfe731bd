#include "sijil/biometrics/finger_matcher.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <numbers>

namespace sijil::biometrics {
namespace {

using PackedEdge = PreparedFingerprint::PackedEdge;
using PackedMinutia = PreparedFingerprint::PackedMinutia;

// Edge geometry. Lengths are in quarter pixels at 500 dpi; angles in 1/256 of a turn.
constexpr int kMinEdgePx = 5;    // closer neighbours are usually extraction noise
constexpr int kMaxEdgePx = 250;  // farther ones distort too much to compare
constexpr int kLengthBinPx = 8;  // hash cell size along the length axis
constexpr int kLengthBins = (kMaxEdgePx + kLengthBinPx) / kLengthBinPx;
constexpr int kAngleBinShift = 4;  // 16 bins of 22.5 degrees
constexpr int kAngleBins = 256 >> kAngleBinShift;
constexpr int kCells = kLengthBins * kAngleBins * kAngleBins;

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

// Matching effort: pairings grown from the best-supported roots.
constexpr int kRoots = 6;
constexpr size_t kHeapCapacity = 1 << 16;

inline int AngleDiff(uint8_t a, uint8_t b) {
  return std::abs(static_cast<int>(static_cast<int8_t>(static_cast<uint8_t>(a - b))));
}

// Root voting uses tighter tolerances than growth: a root needs a few near-exact local
// agreements, and a tighter window means fewer hash entries to check per lookup.
constexpr int kVoteAngleTol = 8;  // ~11 degrees
constexpr int kVoteLenQ = 12;     // 3 px
constexpr int kVoteLenF = 10;     // + 4% of the length (in 1/256)
inline int VoteLengthTolerance(uint16_t length_q) {
  return kVoteLenQ + ((length_q * kVoteLenF) >> 8);
}

inline int LengthTolerance(uint16_t length_q) {
  return kLengthTolQ + ((length_q * kLengthTolFrac256) >> 8);
}

// Returns a mismatch cost in [0, 3 * 256) or -1 when the edges are not compatible.
inline int EdgeCost(const PackedEdge& p, const PackedEdge& c) {
  int tol = LengthTolerance(p.length);
  int dl = std::abs(static_cast<int>(p.length) - static_cast<int>(c.length));
  if (dl > tol) return -1;
  int d1 = AngleDiff(p.beta1, c.beta1);
  if (d1 > kAngleTol) return -1;
  int d2 = AngleDiff(p.beta2, c.beta2);
  if (d2 > kAngleTol) return -1;
  return dl * 256 / (tol + 1) + (d1 + d2) * 256 / (kAngleTol + 1);
}

inline int LengthBin(int length_px) { return std::min(length_px / kLengthBinPx, kLengthBins - 1); }

inline uint16_t CellOf(int length_bin, int b1_bin, int b2_bin) {
  return static_cast<uint16_t>((length_bin * kAngleBins + b1_bin) * kAngleBins + b2_bin);
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
  std::array<uint8_t, 256 * 256> votes;
  std::array<int16_t, 256> probe_pair;
  std::array<int16_t, 256> candidate_pair;
  std::array<int16_t, 256> best_pair;
  std::array<int16_t, 256> inlier_pair;
  std::array<uint16_t, 256 * 256> touched;
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
Pairing Grow(const PreparedFingerprint& probe, const PreparedFingerprint& cand, int root_p,
             int root_c, Scratch& s) {
  const size_t np = probe.size();
  const size_t nc = cand.size();
  std::fill_n(s.probe_pair.begin(), np, int16_t{-1});
  std::fill_n(s.candidate_pair.begin(), nc, int16_t{-1});
  const PackedEdge* pe = probe.edges().data();
  const PackedEdge* ce = cand.edges().data();
  Heap heap(s.heap);
  Pairing result;
  int a = root_p, b = root_c;
  s.probe_pair[a] = static_cast<int16_t>(b);
  s.candidate_pair[b] = static_cast<int16_t>(a);
  result.paired = 1;
  while (true) {
    const size_t pa_end = probe.EdgeEnd(a);
    const size_t cb_begin = cand.minutiae()[b].edge_begin;
    const size_t cb_end = cand.EdgeEnd(b);
    // Both edge lists are sorted by length, so the candidate edges within the length
    // tolerance of each probe edge form a window that only moves forwards.
    size_t lo = cb_begin;
    for (size_t i = probe.minutiae()[a].edge_begin; i < pa_end; ++i) {
      const PackedEdge& p = pe[i];
      const int tol = LengthTolerance(p.length);
      const int min_len = p.length - tol;
      const int max_len = p.length + tol;
      while (lo < cb_end && ce[lo].length < min_len) ++lo;
      const int16_t p_partner = s.probe_pair[p.to];
      for (size_t j = lo; j < cb_end && ce[j].length <= max_len; ++j) {
        const PackedEdge& c = ce[j];
        int cost = EdgeCost(p, c);
        if (cost < 0) continue;
        if (p_partner == c.to) {
          ++result.support;
        } else if (p_partner < 0 && s.candidate_pair[c.to] < 0) {
          heap.Push(HeapEntry{static_cast<uint16_t>(cost), p.to, c.to});
        }
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

// Global check of a grown pairing: fits one rotation and translation to the pairs and keeps
// those that agree with it within a distortion allowance. Growth checks consistency only
// edge by edge, so on two unrelated prints with regular ridge flow it can wander through
// chains of locally plausible pairs that no single placement of the finger explains.
Pairing GlobalCheck(const PreparedFingerprint& probe, const PreparedFingerprint& cand,
                    const Pairing& grown, Scratch& s) {
  if (grown.paired < 3) return grown;
  const auto& P = probe.minutiae();
  const auto& C = cand.minutiae();
  const size_t np = probe.size();
  // Rotation: circular mean of the direction differences.
  double cx = 0, sy = 0;
  for (size_t a = 0; a < np; ++a) {
    int b = s.probe_pair[a];
    if (b < 0) continue;
    double d = static_cast<uint8_t>(C[b].angle - P[a].angle) * (2 * std::numbers::pi / 256);
    cx += std::cos(d);
    sy += std::sin(d);
  }
  double rot = std::atan2(sy, cx);
  uint8_t rot_units = ToAngleUnits(rot);
  int inliers = 0;
  for (int pass = 0; pass < 2; ++pass) {
    const double cs = std::cos(rot), sn = std::sin(rot);
    // Translation: mean offset after rotation (image y points down: rotate in y-up frame).
    double tx = 0, ty = 0;
    int n = 0;
    for (size_t a = 0; a < np; ++a) {
      int b = s.probe_pair[a];
      if (b < 0) continue;
      if (pass == 1 && s.inlier_pair[a] != b) continue;  // refit on the first pass's inliers
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
    for (size_t a = 0; a < np; ++a) {
      int b = s.probe_pair[a];
      if (b < 0) continue;
      double px = P[a].x, py = -P[a].y;
      double ex = C[b].x - (cs * px - sn * py + tx);
      double ey = -C[b].y - (sn * px + cs * py + ty);
      bool ok =
          ex * ex + ey * ey <= kGlobalTolPx * kGlobalTolPx &&
          AngleDiff(C[b].angle, static_cast<uint8_t>(P[a].angle + rot_units)) <= kGlobalAngTol;
      if (pass == 0) s.inlier_pair[a] = ok ? static_cast<int16_t>(b) : int16_t{-1};
      if (ok) {
        ++inliers;
        double d = static_cast<uint8_t>(C[b].angle - P[a].angle) * (2 * std::numbers::pi / 256);
        rx += std::cos(d);
        ry += std::sin(d);
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
    for (size_t a = 0; a < np; ++a) {
      int b = s.probe_pair[a];
      if (b < 0) continue;
      double px = P[a].x, py = -P[a].y;
      tx += C[b].x - (cs * px - sn * py);
      ty += -C[b].y - (sn * px + cs * py);
      ++n;
    }
    tx /= n;
    ty /= n;
    double cminx = 1e9, cmaxx = -1e9, cminy = 1e9, cmaxy = -1e9;
    for (const auto& m : C) {
      cminx = std::min<double>(cminx, m.x);
      cmaxx = std::max<double>(cmaxx, m.x);
      cminy = std::min<double>(cminy, -m.y);
      cmaxy = std::max<double>(cmaxy, -m.y);
    }
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
  std::vector<std::pair<double, size_t>> near;
  near.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    minutiae_[i].edge_begin = static_cast<uint16_t>(edges_.size());
    near.clear();
    for (size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      double d = std::hypot(xs[j] - xs[i], ys[j] - ys[i]);
      if (d < kMinEdgePx || d > kMaxEdgePx) continue;
      near.emplace_back(d, j);
    }
    size_t k = std::min(near.size(), kEdgesPerMinutia);
    std::partial_sort(near.begin(), near.begin() + static_cast<std::ptrdiff_t>(k), near.end());
    for (size_t e = 0; e < k; ++e) {
      auto [d, j] = near[e];
      // Pixel y grows downwards; angles are counter-clockwise as the image is viewed.
      double dir = std::atan2(-(ys[j] - ys[i]), xs[j] - xs[i]);
      PackedEdge edge;
      edge.length = static_cast<uint16_t>(std::lround(d * 4.0));
      edge.to = static_cast<uint8_t>(j);
      edge.from = static_cast<uint8_t>(i);
      const uint8_t direction = ToAngleUnits(dir);
      edge.beta1 = static_cast<uint8_t>(minutiae_[i].angle - direction);
      edge.beta2 = static_cast<uint8_t>(minutiae_[j].angle - direction);
      edge.cell = CellOf(LengthBin(static_cast<int>(d)), edge.beta1 >> kAngleBinShift,
                         edge.beta2 >> kAngleBinShift);
      edges_.push_back(edge);
    }
  }
}

FingerMatcher::FingerMatcher(const PreparedFingerprint& probe) : probe_(probe) {
  // Each probe edge is filed under every cell that a compatible candidate edge can fall in,
  // so a candidate edge needs exactly one lookup. Two passes (count, then fill) build the
  // CSR layout without per-cell containers.
  const auto& edges = probe_.edges();
  auto for_each_cell = [&](const PackedEdge& e, auto&& fn) {
    int tol = VoteLengthTolerance(e.length);
    int lo = LengthBin(std::max(0, e.length - tol) / 4);
    int hi = LengthBin((e.length + tol) / 4);
    int b1lo = static_cast<uint8_t>(e.beta1 - kVoteAngleTol) >> kAngleBinShift;
    int b1hi = static_cast<uint8_t>(e.beta1 + kVoteAngleTol) >> kAngleBinShift;
    int b2lo = static_cast<uint8_t>(e.beta2 - kVoteAngleTol) >> kAngleBinShift;
    int b2hi = static_cast<uint8_t>(e.beta2 + kVoteAngleTol) >> kAngleBinShift;
    for (int l = lo; l <= hi; ++l) {
      for (int b1 = b1lo;; b1 = (b1 + 1) % kAngleBins) {
        for (int b2 = b2lo;; b2 = (b2 + 1) % kAngleBins) {
          fn(CellOf(l, b1, b2));
          if (b2 == b2hi) break;
        }
        if (b1 == b1hi) break;
      }
    }
  };
  cell_begin_.assign(kCells + 1, 0);
  for (const PackedEdge& e : edges) for_each_cell(e, [&](uint16_t c) { ++cell_begin_[c + 1]; });
  for (int c = 0; c < kCells; ++c) cell_begin_[c + 1] += cell_begin_[c];
  cell_edges_.resize(cell_begin_[kCells]);
  std::vector<uint32_t> fill(cell_begin_.begin(), cell_begin_.end() - 1);
  for (const PackedEdge& e : edges) {
    const int tol = VoteLengthTolerance(e.length);
    const HashedEdge h{static_cast<uint16_t>(std::max(0, e.length - tol)),
                       static_cast<uint16_t>(std::min(0xffff, e.length + tol)),
                       e.beta1,
                       e.beta2,
                       e.from,
                       e.to};
    for_each_cell(e, [&](uint16_t c) { cell_edges_[fill[c]++] = h; });
  }
}

MatchDetails FingerMatcher::MatchWithDetails(const PreparedFingerprint& cand) const {
  MatchDetails out;
  const size_t np = probe_.size();
  const size_t nc = cand.size();
  if (np < 2 || nc < 2) return out;
  Scratch& s = ThreadScratch();
  uint8_t* votes = s.votes.data();
  std::memset(votes, 0, np * nc);

  // 1. Compatible edge pairs vote for the minutia pairs at both of their ends. The pairs
  // that receive votes are listed so that root selection need not scan the whole matrix.
  const auto& cedges = cand.edges();
  const HashedEdge* table = cell_edges_.data();
  uint16_t* touched = s.touched.data();
  size_t ntouched = 0;
  auto vote = [&](size_t index) {
    uint8_t& v = votes[index];
    if (v == 0 && ntouched < s.touched.size()) touched[ntouched++] = static_cast<uint16_t>(index);
    if (v < 255) ++v;
  };
  for (size_t ci = 0; ci < cedges.size(); ++ci) {
    const PackedEdge& c = cedges[ci];
    const HashedEdge* h = table + cell_begin_[c.cell];
    const HashedEdge* end = table + cell_begin_[c.cell + 1];
    for (; h < end; ++h) {
      if (c.length < h->min_length || c.length > h->max_length) continue;
      if (AngleDiff(h->beta1, c.beta1) > kVoteAngleTol ||
          AngleDiff(h->beta2, c.beta2) > kVoteAngleTol) {
        continue;
      }
      vote(h->from * nc + c.from);
      vote(h->to * nc + c.to);
    }
  }

  // 2. The best-supported minutia pairs become roots.
  std::array<std::pair<uint8_t, uint16_t>, kRoots> roots{};
  int nroots = 0;
  for (size_t t = 0; t < ntouched; ++t) {
    const size_t index = touched[t];
    const uint8_t v = votes[index];
    const uint16_t key = static_cast<uint16_t>((index / nc) * 256 + index % nc);
    if (nroots < kRoots) {
      roots[nroots++] = {v, key};
    } else {
      auto worst = std::min_element(roots.begin(), roots.begin() + nroots);
      if (v > worst->first) *worst = {v, key};
    }
  }
  // Strongest first (insertion sort: at most kRoots entries).
  for (int i = 1; i < nroots; ++i) {
    for (int j = i; j > 0 && roots[j - 1] < roots[j]; --j) std::swap(roots[j - 1], roots[j]);
  }

  // 3. Consolidation: grow a pairing from each root and keep the best.
  double best = 0;
  for (int r = 0; r < nroots; ++r) {
    int rp = roots[r].second >> 8;
    int rc = roots[r].second & 0xff;
    // A root that the best pairing so far already contains would grow the same pairing.
    if (best > 0 && s.best_pair[rp] == rc) continue;
    Pairing p = GlobalCheck(probe_, cand, Grow(probe_, cand, rp, rc, s), s);
    double raw = RawScore(p, np, nc);
    if (raw > best) {
      best = raw;
      std::copy_n(s.probe_pair.begin(), np, s.best_pair.begin());
      out.paired = p.paired;
      out.supporting_edges = p.support;
    }
  }
  out.raw_score = best;
  out.score = CalibrateRawScore(best);
  return out;
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

// Raw-score quantiles of the impostor distribution: kCalibration[i] = {raw, log10 FMR}.
// Derived from impostor comparisons; see docs/benchmarks.md. Between points the mapping
// is linear; above the last point it extends with the slope of the last segment (an
// exponential tail fitted to the upper impostor quantiles).
struct CalibrationPoint {
  double raw;
  double log10_fmr;
};
// Measured on 49,920 impostor comparisons: every cross-finger pair within FVC2004 DB1-DB4_B
// and every pair across the four databases (templates fixed up as eval.h describes). One
// table for all sensors: no per-database thresholds.
constexpr CalibrationPoint kCalibration[] = {
    {0.0, 0.0},       {15.06, -0.301},  {21.64, -0.523},  {26.84, -0.699},  {36.08, -1.000},
    {45.71, -1.301},  {53.26, -1.523},  {59.30, -1.699},  {70.41, -2.000},  {82.07, -2.301},
    {92.03, -2.523},  {100.08, -2.699}, {112.71, -3.000}, {129.00, -3.301}, {145.27, -3.523},
    {157.74, -3.699}, {175.87, -4.000}, {222.34, -4.699},
};

}  // namespace

double CalibrateRawScore(double raw) {
  constexpr size_t n = std::size(kCalibration);
  double log_fmr;
  if (raw <= kCalibration[0].raw) {
    log_fmr = kCalibration[0].log10_fmr;
  } else if (raw >= kCalibration[n - 1].raw) {
    const CalibrationPoint& a = kCalibration[n - 2];
    const CalibrationPoint& b = kCalibration[n - 1];
    log_fmr = b.log10_fmr + (raw - b.raw) * (b.log10_fmr - a.log10_fmr) / (b.raw - a.raw);
  } else {
    size_t i = 1;
    while (kCalibration[i].raw < raw) ++i;
    const CalibrationPoint& a = kCalibration[i - 1];
    const CalibrationPoint& b = kCalibration[i];
    log_fmr = a.log10_fmr + (raw - a.raw) * (b.log10_fmr - a.log10_fmr) / (b.raw - a.raw);
  }
  return std::clamp(-10.0 * log_fmr, 0.0, kMaxScore);
}

double ThresholdForFmr(double fmr) {
  if (!(fmr > 0)) return kMaxScore;
  return std::clamp(-10.0 * std::log10(fmr), 0.0, kMaxScore);
}

double FmrForScore(double score) { return std::pow(10.0, -score / 10.0); }

}  // namespace sijil::biometrics
