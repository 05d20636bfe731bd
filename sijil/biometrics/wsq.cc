#include "sijil/biometrics/wsq.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/internal/wsq_common.h"
#include "sijil/biometrics/record_header.h"

namespace sijil::biometrics {
namespace wsq_internal {

std::pair<int, int> SplitLargeFirst(int n) { return {(n + 1) / 2, n / 2}; }
std::pair<int, int> SplitSmallFirst(int n) { return {n / 2, (n + 1) / 2}; }

namespace {

// One split of a wavelet-tree node into its four quadrants (the fourth is skipped for the
// first level, whose high-high quadrant the spec never codes). Nodes 4 and 5 are the
// spectrally inverted ones whose odd split puts the smaller half first.
void SplitNode(WsqTrees& t, int parent, int first_child, int w, int h, int x, int y,
               bool with_fourth) {
  Region& p = t.wavelet[parent];
  p.x = x;
  p.y = y;
  p.w = w;
  p.h = h;
  auto [a, b] = parent == 4 ? SplitSmallFirst(w) : SplitLargeFirst(w);
  auto [c, d] = parent == 5 ? SplitSmallFirst(h) : SplitLargeFirst(h);
  auto set = [&](int i, int rx, int ry, int rw, int rh) {
    Region& r = t.wavelet[i];
    r.x = rx;
    r.y = ry;
    r.w = rw;
    r.h = rh;
  };
  set(first_child, x, y, a, c);
  set(first_child + 1, x + a, y, b, c);
  set(first_child + 2, x, y + c, a, d);
  if (with_fourth) set(first_child + 3, x + a, y + c, b, d);
}

void SetSubband(WsqTrees& t, int i, int x, int y, int w, int h) {
  Region& r = t.subband[i];
  r.x = x;
  r.y = y;
  r.w = w;
  r.h = h;
}

// The 16 subbands (a 4x4 grid, two levels of splitting) of one wavelet-tree node, numbered
// quadrant by quadrant. `small_first_x`/`small_first_y` say that the node's first split puts
// the smaller half first (spectral inversion); inside the right and bottom halves the second
// split always does.
void Split16(WsqTrees& t, int p, const Region& n, bool small_first_y, bool small_first_x) {
  auto [tx, t2x] = small_first_x ? SplitSmallFirst(n.w) : SplitLargeFirst(n.w);
  auto [ty, t2y] = small_first_y ? SplitSmallFirst(n.h) : SplitLargeFirst(n.h);
  auto [a0, a1] = SplitLargeFirst(tx);
  auto [b0, b1] = SplitSmallFirst(t2x);
  auto [c0, c1] = SplitLargeFirst(ty);
  auto [d0, d1] = SplitSmallFirst(t2y);
  const int x = n.x, y = n.y;
  SetSubband(t, p + 0, x, y, a0, c0);
  SetSubband(t, p + 1, x + a0, y, a1, c0);
  SetSubband(t, p + 2, x, y + c0, a0, c1);
  SetSubband(t, p + 3, x + a0, y + c0, a1, c1);
  SetSubband(t, p + 4, x + tx, y, b0, c0);
  SetSubband(t, p + 5, x + tx + b0, y, b1, c0);
  SetSubband(t, p + 6, x + tx, y + c0, b0, c1);
  SetSubband(t, p + 7, x + tx + b0, y + c0, b1, c1);
  SetSubband(t, p + 8, x, y + ty, a0, d0);
  SetSubband(t, p + 9, x + a0, y + ty, a1, d0);
  SetSubband(t, p + 10, x, y + ty + d0, a0, d1);
  SetSubband(t, p + 11, x + a0, y + ty + d0, a1, d1);
  SetSubband(t, p + 12, x + tx, y + ty, b0, d0);
  SetSubband(t, p + 13, x + tx + b0, y + ty, b1, d0);
  SetSubband(t, p + 14, x + tx, y + ty + d0, b0, d1);
  SetSubband(t, p + 15, x + tx + b0, y + ty + d0, b1, d1);
}

void Split4(WsqTrees& t, int p, const Region& n) {
  auto [a0, a1] = SplitLargeFirst(n.w);
  auto [c0, c1] = SplitLargeFirst(n.h);
  SetSubband(t, p + 0, n.x, n.y, a0, c0);
  SetSubband(t, p + 1, n.x + a0, n.y, a1, c0);
  SetSubband(t, p + 2, n.x, n.y + c0, a0, c1);
  SetSubband(t, p + 3, n.x + a0, n.y + c0, a1, c1);
}

}  // namespace

WsqTrees BuildTrees(int width, int height) {
  WsqTrees t;
  for (int i : {2, 4, 7, 9, 11, 13, 16, 18}) t.wavelet[i].inv_rows = true;
  for (int i : {3, 5, 8, 9, 12, 13, 17, 18}) t.wavelet[i].inv_cols = true;
  SplitNode(t, 0, 1, width, height, 0, 0, false);
  auto [lx, lx2] = SplitLargeFirst(t.wavelet[1].w);
  auto [ly, ly2] = SplitLargeFirst(t.wavelet[1].h);
  SplitNode(t, 4, 6, lx2, ly, lx, 0, true);
  SplitNode(t, 5, 10, lx, ly2, 0, ly, true);
  SplitNode(t, 14, 15, lx, ly, 0, 0, true);
  Region& n19 = t.wavelet[19];
  n19.x = 0;
  n19.y = 0;
  n19.w = (t.wavelet[15].w + 1) / 2;
  n19.h = (t.wavelet[15].h + 1) / 2;

  Split16(t, 3, t.wavelet[14], false, false);
  Split16(t, 19, t.wavelet[4], false, true);
  Split16(t, 48, t.wavelet[0], false, false);
  Split16(t, 35, t.wavelet[5], true, false);
  Split4(t, 0, t.wavelet[19]);
  return t;
}

int Reflect(int m, int n) {
  if (n <= 1) return 0;
  const int period = 2 * (n - 1);
  m %= period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}

Result<SynthesisFilters> MakeSynthesisFilters(const std::vector<double>& lo,
                                              const std::vector<double>& hi) {
  if (lo.size() % 2 == 0 || hi.size() % 2 == 0) {
    return BioStatus(BioErrorCode::kInvalidInput, StatusKind::kUnimplemented,
                     "WSQ: even-length wavelet filters are not supported");
  }
  const int lr = static_cast<int>(lo.size()) / 2, hr = static_cast<int>(hi.size()) / 2;
  double s = 0;
  for (int j = -std::min(lr, hr); j <= std::min(lr, hr); ++j) {
    double term = lo[lr + j] * hi[hr + j];
    s += (j % 2 == 0) ? term : -term;
  }
  if (!(std::fabs(s) > 1e-6) || !std::isfinite(s)) {
    return InvalidBioInput("WSQ: the transform table's filters do not form a reconstructing pair");
  }
  SynthesisFilters f;
  f.lo_radius = hr;  // the low band is synthesised with the modulated high-pass filter
  f.hi_radius = lr;
  f.g0.resize(hi.size());
  f.g1.resize(lo.size());
  for (int j = -hr; j <= hr; ++j) f.g0[hr + j] = ((j % 2 == 0) ? 1 : -1) * hi[hr + j] / s;
  for (int j = -lr; j <= lr; ++j) f.g1[lr + j] = ((j % 2 == 0) ? 1 : -1) * lo[lr + j] / s;
  return f;
}

void SynthesizeLine(const float* in, float* out, int n, bool inverted, const SynthesisFilters& f) {
  if (n <= 0) return;
  const int llen = (n + 1) / 2, hlen = n / 2;
  const float* lo = inverted ? in + hlen : in;
  const float* hi = inverted ? in : in + llen;
  // The zero-filled upsampled bands, extended symmetrically so the filter loops need no
  // boundary tests: up_lo[i + r] = band value at full-rate position Reflect(i).
  const int r = std::max(f.lo_radius, f.hi_radius);
  thread_local std::vector<double> up_lo, up_hi;
  up_lo.assign(size_t(n) + 2 * r, 0.0);
  up_hi.assign(size_t(n) + 2 * r, 0.0);
  for (int i = -r; i < n + r; ++i) {
    int e = Reflect(i, n);
    if ((e & 1) == 0) {
      up_lo[i + r] = lo[e / 2];
    } else {
      up_hi[i + r] = hi[e / 2];
    }
  }
  for (int i = 0; i < n; ++i) {
    double acc = 0;
    const double* pl = up_lo.data() + i + r;
    for (int j = -f.lo_radius; j <= f.lo_radius; ++j) acc += f.g0[f.lo_radius + j] * pl[-j];
    const double* ph = up_hi.data() + i + r;
    for (int j = -f.hi_radius; j <= f.hi_radius; ++j) acc += f.g1[f.hi_radius + j] * ph[-j];
    out[i] = static_cast<float>(acc);
  }
}

void Reconstruct(std::vector<float>& img, int width, const WsqTrees& trees,
                 const SynthesisFilters& f) {
  std::vector<float> in, out;
  for (int node = 19; node >= 0; --node) {
    const Region& r = trees.wavelet[node];
    if (r.w <= 0 || r.h <= 0) continue;
    // Columns first (the encoder split them last), then rows.
    in.resize(r.h);
    out.resize(r.h);
    for (int c = 0; c < r.w; ++c) {
      float* base = img.data() + size_t(r.y) * width + r.x + c;
      for (int k = 0; k < r.h; ++k) in[k] = base[size_t(k) * width];
      SynthesizeLine(in.data(), out.data(), r.h, r.inv_cols, f);
      for (int k = 0; k < r.h; ++k) base[size_t(k) * width] = out[k];
    }
    in.resize(r.w);
    out.resize(r.w);
    for (int row = 0; row < r.h; ++row) {
      float* base = img.data() + size_t(r.y + row) * width + r.x;
      std::copy(base, base + r.w, in.begin());
      SynthesizeLine(in.data(), out.data(), r.w, r.inv_rows, f);
      std::copy(out.begin(), out.end(), base);
    }
  }
}

}  // namespace wsq_internal

namespace {

using wsq_internal::kCodedSubbands;
using wsq_internal::Region;
using wsq_internal::WsqTrees;

constexpr uint16_t kSoi = 0xFFA0;
constexpr uint16_t kEoi = 0xFFA1;
constexpr uint16_t kSof = 0xFFA2;
constexpr uint16_t kSob = 0xFFA3;
constexpr uint16_t kDtt = 0xFFA4;
constexpr uint16_t kDqt = 0xFFA5;
constexpr uint16_t kDht = 0xFFA6;
constexpr uint16_t kDrt = 0xFFA7;
constexpr uint16_t kCom = 0xFFA8;
constexpr int kMaxHuffmanTables = 8;

Status WsqError(std::string message) { return InvalidBioInput("WSQ: " + message); }

double Scaled(uint32_t value, uint8_t scale) {
  double v = value;
  for (int i = 0; i < scale && v != 0; ++i) v /= 10.0;
  return v;
}

struct HuffmanTable {
  bool defined = false;
  std::array<int, 17> max_code{};
  std::array<int, 17> min_code{};
  std::array<int, 17> first_index{};
  std::vector<uint8_t> values;
};

struct Frame {
  bool defined = false;
  uint8_t black = 0, white = 255;
  uint16_t height = 0, width = 0;
  double shift = 0, scale = 1;
  uint8_t encoder = 0;
  uint16_t software = 0;
};

struct Quantization {
  bool defined = false;
  double bin_center = 0;
  std::array<double, 64> q{};
  std::array<double, 64> z{};
};

struct Transform {
  bool defined = false;
  std::vector<double> lo, hi;
};

struct DecoderState {
  Frame frame;
  Quantization quant;
  Transform transform;
  std::array<HuffmanTable, kMaxHuffmanTables> huffman;
  WsqInfo info;
};

Status ReadTransform(ByteReader& seg, Transform& t) {
  uint8_t lo_len = 0, hi_len = 0;
  SIJIL_RETURN_IF_ERROR(seg.U8(lo_len, "DTT low-pass length"));
  SIJIL_RETURN_IF_ERROR(seg.U8(hi_len, "DTT high-pass length"));
  if (lo_len == 0 || hi_len == 0 || lo_len > 64 || hi_len > 64) {
    return WsqError("transform table filter lengths out of range");
  }
  auto read_half = [&](int len, std::vector<double>& full) -> Status {
    int half = (len + 1) / 2;
    std::vector<double> h(half);
    for (int i = 0; i < half; ++i) {
      uint8_t sign = 0, scale = 0;
      uint32_t v = 0;
      SIJIL_RETURN_IF_ERROR(seg.U8(sign, "DTT coefficient sign"));
      SIJIL_RETURN_IF_ERROR(seg.U8(scale, "DTT coefficient scale"));
      SIJIL_RETURN_IF_ERROR(seg.U32(v, "DTT coefficient"));
      h[i] = Scaled(v, scale) * (sign != 0 ? -1.0 : 1.0);
    }
    full.assign(len, 0.0);
    if (len % 2 == 1) {
      // Centre first, then outwards.
      const int c = len / 2;
      for (int i = 0; i < half; ++i) full[c + i] = full[c - i] = h[i];
    } else {
      const int c = len / 2;
      for (int i = 0; i < half; ++i) full[c + i] = full[c - 1 - i] = h[i];
    }
    return Status::Ok();
  };
  SIJIL_RETURN_IF_ERROR(read_half(lo_len, t.lo));
  SIJIL_RETURN_IF_ERROR(read_half(hi_len, t.hi));
  t.defined = true;
  return Status::Ok();
}

Status ReadQuantization(ByteReader& seg, Quantization& q) {
  uint8_t scale = 0;
  uint16_t v = 0;
  SIJIL_RETURN_IF_ERROR(seg.U8(scale, "DQT bin centre scale"));
  SIJIL_RETURN_IF_ERROR(seg.U16(v, "DQT bin centre"));
  q.bin_center = Scaled(v, scale);
  for (int i = 0; i < 64; ++i) {
    SIJIL_RETURN_IF_ERROR(seg.U8(scale, "DQT bin width scale"));
    SIJIL_RETURN_IF_ERROR(seg.U16(v, "DQT bin width"));
    q.q[i] = Scaled(v, scale);
    SIJIL_RETURN_IF_ERROR(seg.U8(scale, "DQT zero bin scale"));
    SIJIL_RETURN_IF_ERROR(seg.U16(v, "DQT zero bin"));
    q.z[i] = Scaled(v, scale);
  }
  q.defined = true;
  return Status::Ok();
}

Status ReadHuffman(ByteReader& seg, std::array<HuffmanTable, kMaxHuffmanTables>& tables) {
  while (seg.remaining() > 0) {
    uint8_t id = 0;
    SIJIL_RETURN_IF_ERROR(seg.U8(id, "DHT table id"));
    if (id >= kMaxHuffmanTables) return WsqError("Huffman table id out of range");
    std::array<uint8_t, 17> counts{};
    int total = 0;
    for (int len = 1; len <= 16; ++len) {
      SIJIL_RETURN_IF_ERROR(seg.U8(counts[len], "DHT code counts"));
      total += counts[len];
    }
    if (total == 0 || total > 256) return WsqError("Huffman table has a bad number of codes");
    HuffmanTable& t = tables[id];
    t.values.resize(total);
    for (int i = 0; i < total; ++i) SIJIL_RETURN_IF_ERROR(seg.U8(t.values[i], "DHT values"));
    // Canonical codes, shortest first, as JPEG assigns them.
    int code = 0, index = 0;
    for (int len = 1; len <= 16; ++len) {
      if (counts[len] == 0) {
        t.max_code[len] = -1;
      } else {
        t.first_index[len] = index;
        t.min_code[len] = code;
        code += counts[len];
        index += counts[len];
        t.max_code[len] = code - 1;
      }
      if (code > (1 << len)) return WsqError("Huffman code lengths over-subscribed");
      code <<= 1;
    }
    t.defined = true;
  }
  return Status::Ok();
}

Status ReadFrame(ByteReader& seg, Frame& f) {
  uint8_t em = 0, er = 0;
  uint16_t m = 0, r = 0;
  SIJIL_RETURN_IF_ERROR(seg.U8(f.black, "SOF black"));
  SIJIL_RETURN_IF_ERROR(seg.U8(f.white, "SOF white"));
  SIJIL_RETURN_IF_ERROR(seg.U16(f.height, "SOF height"));
  SIJIL_RETURN_IF_ERROR(seg.U16(f.width, "SOF width"));
  SIJIL_RETURN_IF_ERROR(seg.U8(em, "SOF shift scale"));
  SIJIL_RETURN_IF_ERROR(seg.U16(m, "SOF shift"));
  SIJIL_RETURN_IF_ERROR(seg.U8(er, "SOF rescale scale"));
  SIJIL_RETURN_IF_ERROR(seg.U16(r, "SOF rescale"));
  SIJIL_RETURN_IF_ERROR(seg.U8(f.encoder, "SOF encoder"));
  SIJIL_RETURN_IF_ERROR(seg.U16(f.software, "SOF software"));
  f.shift = Scaled(m, em);
  f.scale = Scaled(r, er);
  if (f.width == 0 || f.height == 0) return WsqError("frame has zero width or height");
  f.defined = true;
  return Status::Ok();
}

void ParseNistCom(std::string_view text, WsqInfo& info) {
  if (text.substr(0, 8) != "NIST_COM") return;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    size_t sp = line.find(' ');
    if (sp != std::string_view::npos) {
      std::string key(line.substr(0, sp));
      std::string value(line.substr(sp + 1));
      if (key == "PPI") {
        char* e = nullptr;
        long v = std::strtol(value.c_str(), &e, 10);
        if (e != value.c_str() && v > 0 && v < 100000) info.ppi = static_cast<int>(v);
      } else if (key == "WSQ_BITRATE") {
        char* e = nullptr;
        double v = std::strtod(value.c_str(), &e);
        if (e != value.c_str() && std::isfinite(v)) info.bitrate = v;
      }
    }
    start = end + 1;
  }
}

// Reads one marker segment's payload (the 2-byte length counts itself).
Status ReadSegment(ByteReader& r, ByteReader& seg, std::string_view name) {
  uint16_t len = 0;
  SIJIL_RETURN_IF_ERROR(r.U16(len, name));
  if (len < 2) return WsqError(std::string(name) + " has a bad length");
  return r.Sub(len - 2, seg, name);
}

// Handles a table or comment segment; `marker` has been read.
Status ReadTableOrComment(uint16_t marker, ByteReader& r, DecoderState& st, bool frozen_quant) {
  ByteReader seg(std::span<const uint8_t>{}, "WSQ");
  switch (marker) {
    case kDtt:
      SIJIL_RETURN_IF_ERROR(ReadSegment(r, seg, "DTT"));
      return ReadTransform(seg, st.transform);
    case kDqt:
      SIJIL_RETURN_IF_ERROR(ReadSegment(r, seg, "DQT"));
      if (frozen_quant) return WsqError("quantization table redefined after the first block");
      return ReadQuantization(seg, st.quant);
    case kDht:
      SIJIL_RETURN_IF_ERROR(ReadSegment(r, seg, "DHT"));
      return ReadHuffman(seg, st.huffman);
    case kCom: {
      SIJIL_RETURN_IF_ERROR(ReadSegment(r, seg, "COM"));
      std::span<const uint8_t> text;
      SIJIL_RETURN_IF_ERROR(seg.Span(seg.remaining(), text, "COM"));
      std::string s(AsChars(text));
      ParseNistCom(s, st.info);
      if (st.info.comments.size() < 64) st.info.comments.push_back(std::move(s));
      return Status::Ok();
    }
    case kDrt:
      // The restart interval only matters to an encoder; decoders skip restart markers.
      SIJIL_RETURN_IF_ERROR(ReadSegment(r, seg, "DRT"));
      return Status::Ok();
    default:
      return WsqError("unexpected marker");
  }
}

// Reads bits of entropy-coded data, undoing 0xFF00 stuffing and stopping at a marker.
class BitReader {
 public:
  BitReader(std::span<const uint8_t> data, size_t pos) : data_(data), pos_(pos) {}

  // 0 or 1; -1 at a marker or the end of the data (then position() is at the marker).
  int Bit() {
    if (bits_ == 0) {
      while (true) {
        if (pos_ >= data_.size()) return -1;
        uint8_t b = data_[pos_];
        if (b != 0xFF) {
          ++pos_;
          acc_ = b;
          break;
        }
        if (pos_ + 1 >= data_.size()) return -1;
        uint8_t next = data_[pos_ + 1];
        if (next == 0x00) {
          pos_ += 2;
          acc_ = 0xFF;
          break;
        }
        if (next >= 0xB0 && next <= 0xB7) {
          // Restart marker: byte-aligned resynchronisation point, nothing to reset.
          pos_ += 2;
          continue;
        }
        return -1;
      }
      bits_ = 8;
    }
    --bits_;
    return (acc_ >> bits_) & 1;
  }

  // `n` bits MSB first, or -1 if the data ends first.
  int32_t Bits(int n) {
    int32_t v = 0;
    for (int i = 0; i < n; ++i) {
      int b = Bit();
      if (b < 0) return -1;
      v = (v << 1) | b;
    }
    return v;
  }

  // Next Huffman symbol; -1 at a marker / end; -2 for an invalid code.
  int Symbol(const HuffmanTable& t) {
    int code = 0;
    for (int len = 1; len <= 16; ++len) {
      int b = Bit();
      if (b < 0) return -1;
      code = (code << 1) | b;
      if (t.max_code[len] >= 0 && code <= t.max_code[len]) {
        return t.values[t.first_index[len] + code - t.min_code[len]];
      }
    }
    return -2;
  }

  // Drops the partial byte so that position() is at the marker that ended the block.
  size_t position() const { return pos_; }

 private:
  std::span<const uint8_t> data_;
  size_t pos_;
  uint32_t acc_ = 0;
  int bits_ = 0;
};

// Decodes one block's symbols into `coeffs` from `count` on; returns the position of the
// marker that ends the block.
Result<size_t> DecodeBlock(std::span<const uint8_t> data, size_t pos, const HuffmanTable& t,
                           std::vector<int32_t>& coeffs, size_t& count) {
  BitReader br(data, pos);
  const size_t cap = coeffs.size();
  auto put_zeros = [&](int64_t n) -> Status {
    if (n < 0 || count + static_cast<size_t>(n) > cap) {
      return WsqError("decoded data extends past the image's coefficients");
    }
    count += static_cast<size_t>(n);  // coeffs is zero-initialised
    return Status::Ok();
  };
  auto put = [&](int32_t v) -> Status {
    if (count >= cap) return WsqError("decoded data extends past the image's coefficients");
    coeffs[count++] = v;
    return Status::Ok();
  };
  while (true) {
    int sym = br.Symbol(t);
    if (sym == -1) break;
    if (sym == -2) return WsqError("invalid Huffman code in block data");
    if (sym >= 1 && sym <= 100) {
      SIJIL_RETURN_IF_ERROR(put_zeros(sym));
    } else if (sym >= 107 && sym <= 254) {
      SIJIL_RETURN_IF_ERROR(put(sym - 180));
    } else if (sym >= 101 && sym <= 106) {
      int nbits = (sym == 101 || sym == 102 || sym == 105) ? 8 : 16;
      int32_t v = br.Bits(nbits);
      if (v < 0) return WsqError("block data ends inside an escape code");
      if (sym == 101 || sym == 103) {
        SIJIL_RETURN_IF_ERROR(put(v));
      } else if (sym == 102 || sym == 104) {
        SIJIL_RETURN_IF_ERROR(put(-v));
      } else {
        SIJIL_RETURN_IF_ERROR(put_zeros(v));
      }
    } else {
      return WsqError("invalid Huffman category " + std::to_string(sym));
    }
  }
  return br.position();
}

// Parses SOI and everything up to and including SOF; leaves `r` after the frame header.
Status ReadHeaders(ByteReader& r, DecoderState& st) {
  uint16_t marker = 0;
  SIJIL_RETURN_IF_ERROR(r.U16(marker, "SOI"));
  if (marker != kSoi) return WsqError("missing SOI marker");
  while (true) {
    SIJIL_RETURN_IF_ERROR(r.U16(marker, "marker"));
    if (marker == kSof) {
      ByteReader seg(std::span<const uint8_t>{}, "WSQ");
      SIJIL_RETURN_IF_ERROR(ReadSegment(r, seg, "SOF"));
      SIJIL_RETURN_IF_ERROR(ReadFrame(seg, st.frame));
      st.info.width = st.frame.width;
      st.info.height = st.frame.height;
      st.info.black = st.frame.black;
      st.info.white = st.frame.white;
      st.info.software_id = st.frame.software;
      return Status::Ok();
    }
    if (marker != kDtt && marker != kDqt && marker != kDht && marker != kCom && marker != kDrt) {
      return WsqError("expected a table, comment or frame header before the image data");
    }
    SIJIL_RETURN_IF_ERROR(ReadTableOrComment(marker, r, st, false));
  }
}

}  // namespace

Result<WsqInfo> ReadWsqInfo(std::span<const uint8_t> data) {
  if (data.empty()) return MissingBioInput("WSQ data is empty");
  ByteReader r(data, "WSQ");
  DecoderState st;
  SIJIL_RETURN_IF_ERROR(ReadHeaders(r, st));
  // Comments may also follow the frame header; collect those before the first block.
  uint16_t marker = 0;
  while (r.remaining() >= 2 && r.U16(marker, "marker").ok() && marker != kSob && marker != kEoi) {
    if (!ReadTableOrComment(marker, r, st, false).ok()) break;
  }
  return st.info;
}

Result<Image> DecodeWsq(std::span<const uint8_t> data, const ImageLimits& limits) {
  if (data.empty()) return MissingBioInput("WSQ data is empty");
  ByteReader r(data, "WSQ");
  DecoderState st;
  SIJIL_RETURN_IF_ERROR(ReadHeaders(r, st));
  const int width = st.frame.width, height = st.frame.height;
  SIJIL_RETURN_IF_ERROR(CheckImageSize(width, height, limits));
  const WsqTrees trees = wsq_internal::BuildTrees(width, height);

  std::vector<int32_t> coeffs;
  size_t count = 0;
  bool blocks_started = false;
  while (true) {
    uint16_t marker = 0;
    SIJIL_RETURN_IF_ERROR(r.U16(marker, "marker"));
    if (marker == kEoi) break;
    if (marker != kSob) {
      SIJIL_RETURN_IF_ERROR(ReadTableOrComment(marker, r, st, blocks_started));
      continue;
    }
    ByteReader seg(std::span<const uint8_t>{}, "WSQ");
    SIJIL_RETURN_IF_ERROR(ReadSegment(r, seg, "SOB"));
    uint8_t table_id = 0;
    SIJIL_RETURN_IF_ERROR(seg.U8(table_id, "SOB table id"));
    if (table_id >= kMaxHuffmanTables || !st.huffman[table_id].defined) {
      return WsqError("block refers to an undefined Huffman table");
    }
    if (!blocks_started) {
      if (!st.quant.defined) return WsqError("image data before the quantization table");
      size_t total = 0;
      for (int i = 0; i < kCodedSubbands; ++i) {
        if (st.quant.q[i] != 0.0) total += size_t(trees.subband[i].w) * trees.subband[i].h;
      }
      coeffs.assign(total, 0);
      blocks_started = true;
    }
    SIJIL_ASSIGN_OR_RETURN(size_t end,
                           DecodeBlock(data, r.position(), st.huffman[table_id], coeffs, count));
    SIJIL_RETURN_IF_ERROR(r.Skip(end - r.position(), "block data"));
  }
  if (!blocks_started) return WsqError("no image data blocks");
  if (!st.transform.defined) return WsqError("no transform table");
  SIJIL_ASSIGN_OR_RETURN(auto filters,
                         wsq_internal::MakeSynthesisFilters(st.transform.lo, st.transform.hi));

  // Dequantize into the subband layout.
  std::vector<float> img(size_t(width) * height, 0.0f);
  size_t k = 0;
  const double c = st.quant.bin_center;
  for (int i = 0; i < kCodedSubbands; ++i) {
    const double q = st.quant.q[i];
    if (q == 0.0) continue;
    const double half_zero = st.quant.z[i] / 2.0;
    const Region& s = trees.subband[i];
    for (int y = 0; y < s.h; ++y) {
      float* row = img.data() + size_t(s.y + y) * width + s.x;
      for (int x = 0; x < s.w; ++x) {
        int32_t p = coeffs[k++];
        double v = 0;
        if (p > 0) v = q * (p - c) + half_zero;
        if (p < 0) v = q * (p + c) - half_zero;
        row[x] = static_cast<float>(v);
      }
    }
  }
  wsq_internal::Reconstruct(img, width, trees, filters);

  Image out;
  out.width = width;
  out.height = height;
  out.channels = 1;
  out.source_bit_depth = 8;
  out.ppi = st.info.ppi > 0 ? static_cast<uint16_t>(st.info.ppi) : 0;
  out.pixels.resize(img.size());
  for (size_t i = 0; i < img.size(); ++i) {
    double v = img[i] * st.frame.scale + st.frame.shift + 0.5;
    out.pixels[i] = v <= 0 ? 0 : v >= 255 ? 255 : static_cast<uint8_t>(v);
  }
  return out;
}

// ---- encoder -----------------------------------------------------------------------------

namespace {

// The spec's 9/7 analysis filters (Part 3, encoder number one), centre tap first.
constexpr double kLowPassHalf[] = {0.852698679009403, 0.377402855612654, -0.110624404418423,
                                   -0.023849465019380, 0.037828455506995};
constexpr double kHighPassHalf[] = {0.788485616405665, -0.418092273222212, -0.040689417609558,
                                    0.064538882628938};

std::vector<double> FullFilter(std::span<const double> half) {
  const int r = static_cast<int>(half.size()) - 1;
  std::vector<double> f(2 * r + 1);
  for (int i = 0; i <= r; ++i) f[r + i] = f[r - i] = half[i];
  return f;
}

// One analysis step on a line of n samples: low band (centred on even samples) then high
// band (odd samples), or high then low when `inverted`.
void AnalyzeLine(const float* in, float* out, int n, bool inverted, const std::vector<double>& lo,
                 const std::vector<double>& hi) {
  if (n <= 0) return;
  const int llen = (n + 1) / 2, hlen = n / 2;
  float* lo_out = inverted ? out + hlen : out;
  float* hi_out = inverted ? out : out + llen;
  const int lr = static_cast<int>(lo.size()) / 2, hr = static_cast<int>(hi.size()) / 2;
  for (int k = 0; k < llen; ++k) {
    double acc = 0;
    for (int m = -lr; m <= lr; ++m) {
      acc += lo[lr + m] * in[wsq_internal::Reflect(2 * k + m, n)];
    }
    lo_out[k] = static_cast<float>(acc);
  }
  for (int k = 0; k < hlen; ++k) {
    double acc = 0;
    for (int m = -hr; m <= hr; ++m) {
      acc += hi[hr + m] * in[wsq_internal::Reflect(2 * k + 1 + m, n)];
    }
    hi_out[k] = static_cast<float>(acc);
  }
}

void Decompose(std::vector<float>& img, int width, const WsqTrees& trees,
               const std::vector<double>& lo, const std::vector<double>& hi) {
  std::vector<float> in, out;
  for (int node = 0; node < 20; ++node) {
    const Region& r = trees.wavelet[node];
    if (r.w <= 0 || r.h <= 0) continue;
    in.resize(r.w);
    out.resize(r.w);
    for (int row = 0; row < r.h; ++row) {
      float* base = img.data() + size_t(r.y + row) * width + r.x;
      std::copy(base, base + r.w, in.begin());
      AnalyzeLine(in.data(), out.data(), r.w, r.inv_rows, lo, hi);
      std::copy(out.begin(), out.end(), base);
    }
    in.resize(r.h);
    out.resize(r.h);
    for (int c = 0; c < r.w; ++c) {
      float* base = img.data() + size_t(r.y) * width + r.x + c;
      for (int k = 0; k < r.h; ++k) in[k] = base[size_t(k) * width];
      AnalyzeLine(in.data(), out.data(), r.h, r.inv_cols, lo, hi);
      for (int k = 0; k < r.h; ++k) base[size_t(k) * width] = out[k];
    }
  }
}

// A non-negative value as (scale, integer) with value ~ integer / 10^scale and the integer
// below `max_int`, keeping as many digits as fit.
std::pair<uint8_t, uint32_t> ToScaled(double v, uint64_t max_int) {
  v = std::fabs(v);
  uint8_t scale = 0;
  while (scale < 20 && v * 10.0 < static_cast<double>(max_int) &&
         std::fabs(v - std::round(v)) > 1e-12 * std::max(1.0, v)) {
    v *= 10.0;
    ++scale;
  }
  double r = std::round(v);
  if (r > static_cast<double>(max_int)) r = static_cast<double>(max_int);
  return {scale, static_cast<uint32_t>(r)};
}

double FromScaled(std::pair<uint8_t, uint32_t> s) { return Scaled(s.second, s.first); }

// Subband variances over the spec's central window (or the whole subband for images with
// little low-frequency energy).
std::array<double, 64> SubbandVariances(const std::vector<float>& img, int width,
                                        const WsqTrees& trees) {
  std::array<double, 64> var{};
  auto variance = [&](const Region& s, bool cropped) {
    int x0 = s.x, y0 = s.y, w = s.w, h = s.h;
    if (cropped) {
      x0 += s.w / 8;
      y0 += (9 * s.h) / 32;
      w = (3 * s.w) / 4;
      h = (7 * s.h) / 16;
    }
    if (w * h < 2) return 0.0;
    double sum = 0, sq = 0;
    for (int y = 0; y < h; ++y) {
      const float* row = img.data() + size_t(y0 + y) * width + x0;
      for (int x = 0; x < w; ++x) {
        sum += row[x];
        sq += double(row[x]) * row[x];
      }
    }
    double n = double(w) * h;
    return (sq - sum * sum / n) / (n - 1.0);
  };
  double low = 0;
  for (int i = 0; i < 4; ++i) low += var[i] = variance(trees.subband[i], true);
  bool cropped = low >= 20000.0;
  for (int i = cropped ? 4 : 0; i < kCodedSubbands; ++i) {
    var[i] = variance(trees.subband[i], cropped);
  }
  return var;
}

// Bin widths from the spec's bit allocation (Part 3): weights A, relative subband sizes m,
// proportionality constant q found by removing subbands that would get no bits.
std::array<double, 64> BinWidths(const std::array<double, 64>& var, double bitrate) {
  constexpr double kVarianceThreshold = 1.01;
  std::array<double, 64> a;
  a.fill(1.0);
  const double tail[] = {1.32, 1.08, 1.42, 1.08, 1.32, 1.42, 1.08, 1.08};
  for (int i = 0; i < 8; ++i) a[52 + i] = tail[i];
  std::array<double, 64> q1{}, m{}, sigma{};
  std::vector<int> k;
  for (int i = 0; i < kCodedSubbands; ++i) {
    m[i] = i < 4 ? 1.0 / 1024 : i < 51 ? 1.0 / 256 : 1.0 / 16;
    if (var[i] < kVarianceThreshold) continue;
    q1[i] = i < 4 ? 1.0 : 10.0 / (a[i] * std::log(var[i]));
    sigma[i] = std::sqrt(var[i]);
    k.push_back(i);
  }
  const std::vector<int> k0 = k;
  double q = 1.0;
  while (!k.empty()) {
    double s = 0, log_p = 0;
    for (int i : k) {
      s += m[i];
      log_p += m[i] * std::log(sigma[i] / q1[i]);
    }
    q = (std::pow(2.0, bitrate / s - 1.0) / 2.5) / std::exp(log_p / s);
    std::vector<int> next;
    for (int i : k) {
      if (q1[i] / q < 5.0 * sigma[i]) next.push_back(i);
    }
    if (next.size() == k.size()) break;
    k = std::move(next);
  }
  std::array<double, 64> widths{};
  for (int i : k0) widths[i] = q1[i] / q;
  return widths;
}

// Huffman code lengths (at most 16 bits, the all-ones code left unused) for symbol counts,
// as JPEG's Annex K builds them.
std::array<uint8_t, 256> CodeLengths(const std::array<uint64_t, 257>& counts_in) {
  std::array<uint64_t, 257> freq = counts_in;
  freq[256] = 1;  // reserves the all-ones code
  std::array<int, 257> size{}, others;
  others.fill(-1);
  while (true) {
    int c1 = -1, c2 = -1;
    for (int i = 0; i < 257; ++i) {
      if (freq[i] == 0) continue;
      if (c1 < 0 || freq[i] <= freq[c1]) c1 = i;
    }
    for (int i = 0; i < 257; ++i) {
      if (freq[i] == 0 || i == c1) continue;
      if (c2 < 0 || freq[i] <= freq[c2]) c2 = i;
    }
    if (c2 < 0) break;
    freq[c1] += freq[c2];
    freq[c2] = 0;
    ++size[c1];
    while (others[c1] >= 0) {
      c1 = others[c1];
      ++size[c1];
    }
    others[c1] = c2;
    ++size[c2];
    while (others[c2] >= 0) {
      c2 = others[c2];
      ++size[c2];
    }
  }
  std::array<int, 64> bits{};
  for (int i = 0; i < 257; ++i) {
    if (size[i] > 0) ++bits[std::min(size[i], 63)];
  }
  for (int i = 63; i > 16; --i) {
    while (bits[i] > 0) {
      int j = i - 2;
      while (bits[j] == 0) --j;
      bits[i] -= 2;
      bits[i - 1] += 1;
      bits[j + 1] += 2;
      bits[j] -= 1;
    }
  }
  int i = 16;
  while (bits[i] == 0) --i;
  bits[i] -= 1;  // drop the reserved code
  // Assign lengths to symbols, most frequent first.
  std::vector<int> order;
  for (int s = 0; s < 256; ++s) {
    if (counts_in[s] > 0) order.push_back(s);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](int x, int y) { return counts_in[x] > counts_in[y]; });
  std::array<uint8_t, 256> len{};
  size_t next = 0;
  for (int l = 1; l <= 16; ++l) {
    for (int n = 0; n < bits[l] && next < order.size(); ++n) len[order[next++]] = l;
  }
  return len;
}

struct Symbol {
  uint8_t value;
  uint8_t extra_bits;  // 0, 8 or 16
  uint16_t extra;
};

void EmitZeroRun(std::vector<Symbol>& out, size_t run) {
  while (run > 0) {
    if (run <= 100) {
      out.push_back({static_cast<uint8_t>(run), 0, 0});
      return;
    }
    if (run <= 0xFF) {
      out.push_back({105, 8, static_cast<uint16_t>(run)});
      return;
    }
    size_t take = std::min<size_t>(run, 0xFFFF);
    out.push_back({106, 16, static_cast<uint16_t>(take)});
    run -= take;
  }
}

std::vector<Symbol> BlockSymbols(const std::vector<int32_t>& q) {
  std::vector<Symbol> out;
  size_t run = 0;
  for (int32_t v : q) {
    if (v == 0) {
      ++run;
      continue;
    }
    EmitZeroRun(out, run);
    run = 0;
    if (v >= -73 && v <= 74) {
      out.push_back({static_cast<uint8_t>(180 + v), 0, 0});
    } else if (v > 0) {
      out.push_back(v <= 0xFF ? Symbol{101, 8, static_cast<uint16_t>(v)}
                              : Symbol{103, 16, static_cast<uint16_t>(std::min(v, 0xFFFF))});
    } else {
      int32_t a = -v;
      out.push_back(a <= 0xFF ? Symbol{102, 8, static_cast<uint16_t>(a)}
                              : Symbol{104, 16, static_cast<uint16_t>(std::min(a, 0xFFFF))});
    }
  }
  EmitZeroRun(out, run);
  return out;
}

class BitWriter {
 public:
  explicit BitWriter(ByteWriter& w) : w_(w) {}
  void Put(uint32_t bits, int n) {
    for (int i = n - 1; i >= 0; --i) {
      acc_ = (acc_ << 1) | ((bits >> i) & 1);
      if (++count_ == 8) Flush();
    }
  }
  void Finish() {
    while (count_ != 0) {
      acc_ = (acc_ << 1) | 1;
      if (++count_ == 8) Flush();
    }
  }

 private:
  void Flush() {
    uint8_t b = static_cast<uint8_t>(acc_);
    w_.U8(b);
    if (b == 0xFF) w_.U8(0x00);
    acc_ = 0;
    count_ = 0;
  }
  ByteWriter& w_;
  uint32_t acc_ = 0;
  int count_ = 0;
};

void WriteHuffmanTable(ByteWriter& w, uint8_t id, const std::array<uint8_t, 256>& len,
                       std::array<uint16_t, 256>& codes) {
  std::array<uint8_t, 17> counts{};
  std::vector<uint8_t> values;
  for (int l = 1; l <= 16; ++l) {
    for (int s = 0; s < 256; ++s) {
      if (len[s] == l) {
        ++counts[l];
        values.push_back(static_cast<uint8_t>(s));
      }
    }
  }
  w.U16(kDht);
  w.U16(static_cast<uint16_t>(2 + 1 + 16 + values.size()));
  w.U8(id);
  for (int l = 1; l <= 16; ++l) w.U8(counts[l]);
  for (uint8_t v : values) w.U8(v);
  uint32_t code = 0;
  size_t k = 0;
  for (int l = 1; l <= 16; ++l) {
    for (int n = 0; n < counts[l]; ++n) codes[values[k++]] = static_cast<uint16_t>(code++);
    code <<= 1;
  }
}

}  // namespace

Result<Bytes> EncodeWsq(const Image& image, const WsqEncodeOptions& options) {
  if (image.channels != 1) return InvalidBioInput("WSQ encodes grey images only");
  if (image.width < 32 || image.height < 32 || image.width > 0xFFFF || image.height > 0xFFFF ||
      image.pixels.size() != image.pixel_count()) {
    return InvalidBioInput("WSQ encoder: image must be 32..65535 pixels on each side");
  }
  if (!(options.bitrate > 0.0f && options.bitrate < 8.0f)) {
    return InvalidBioInput("WSQ encoder: bit rate must be in (0, 8)");
  }
  const int width = image.width, height = image.height;
  // Mean shift and rescale so samples span about +-128 (values as the frame header will
  // carry them, so the decoder inverts exactly what was applied).
  double sum = 0;
  int lo_px = 255, hi_px = 0;
  for (uint8_t p : image.pixels) {
    sum += p;
    lo_px = std::min<int>(lo_px, p);
    hi_px = std::max<int>(hi_px, p);
  }
  const auto m_scaled = ToScaled(sum / image.pixels.size(), 0xFFFF);
  const double shift = FromScaled(m_scaled);
  double spread = std::max(shift - lo_px, hi_px - shift) / 128.0;
  if (spread <= 0) spread = 1.0;
  const auto r_scaled = ToScaled(spread, 0xFFFF);
  const double rescale = std::max(FromScaled(r_scaled), 1e-4);
  std::vector<float> img(image.pixels.size());
  for (size_t i = 0; i < img.size(); ++i) {
    img[i] = static_cast<float>((image.pixels[i] - shift) / rescale);
  }

  const WsqTrees trees = wsq_internal::BuildTrees(width, height);
  const std::vector<double> lo = FullFilter(kLowPassHalf), hi = FullFilter(kHighPassHalf);
  Decompose(img, width, trees, lo, hi);
  const std::array<double, 64> widths =
      BinWidths(SubbandVariances(img, width, trees), options.bitrate);

  // Quantize with the bin widths as the DQT will carry them.
  std::array<std::pair<uint8_t, uint32_t>, 64> q_scaled{}, z_scaled{};
  std::array<std::vector<int32_t>, 3> blocks;
  for (int i = 0; i < kCodedSubbands; ++i) {
    if (widths[i] <= 0) continue;
    q_scaled[i] = ToScaled(widths[i], 0xFFFF);
    z_scaled[i] = ToScaled(1.2 * widths[i], 0xFFFF);
    const double q = FromScaled(q_scaled[i]), half_zero = FromScaled(z_scaled[i]) / 2.0;
    if (q <= 0) {
      q_scaled[i] = z_scaled[i] = {0, 0};
      continue;
    }
    std::vector<int32_t>& block = blocks[i < 19 ? 0 : i < 52 ? 1 : 2];
    const Region& s = trees.subband[i];
    for (int y = 0; y < s.h; ++y) {
      const float* row = img.data() + size_t(s.y + y) * width + s.x;
      for (int x = 0; x < s.w; ++x) {
        double v = row[x];
        int32_t p = 0;
        if (v > half_zero) p = static_cast<int32_t>((v - half_zero) / q) + 1;
        if (v < -half_zero) p = static_cast<int32_t>((v + half_zero) / q) - 1;
        block.push_back(std::clamp(p, -0xFFFF, 0xFFFF));
      }
    }
  }

  ByteWriter w;
  w.U16(kSoi);
  std::string nistcom = "NIST_COM 9\nPIX_WIDTH " + std::to_string(width) + "\nPIX_HEIGHT " +
                        std::to_string(height) + "\nPIX_DEPTH 8\nPPI " +
                        std::to_string(options.ppi) + "\nLOSSY 1\nCOLORSPACE GRAY\n" +
                        "COMPRESSION WSQ\nWSQ_BITRATE " + std::to_string(options.bitrate);
  for (const std::string& text : {nistcom, options.comment}) {
    if (text.empty()) continue;
    if (text.size() > 0xFFF0) return InvalidBioInput("WSQ encoder: comment too long");
    w.U16(kCom);
    w.U16(static_cast<uint16_t>(2 + text.size()));
    w.Append(text);
  }
  // Transform table: the low-pass then the high-pass half filters, centre first.
  w.U16(kDtt);
  w.U16(static_cast<uint16_t>(2 + 2 + 6 * (std::size(kLowPassHalf) + std::size(kHighPassHalf))));
  w.U8(static_cast<uint8_t>(lo.size()));
  w.U8(static_cast<uint8_t>(hi.size()));
  for (std::span<const double> half :
       {std::span<const double>(kLowPassHalf), std::span<const double>(kHighPassHalf)}) {
    for (double c : half) {
      auto [scale, v] = ToScaled(c, 0xFFFFFFFFull);
      w.U8(c < 0 ? 1 : 0);
      w.U8(scale);
      w.U32(v);
    }
  }
  w.U16(kDqt);
  w.U16(2 + 3 + 64 * 6);
  w.U8(2);
  w.U16(44);  // bin centre 0.44
  for (int i = 0; i < 64; ++i) {
    w.U8(q_scaled[i].first);
    w.U16(static_cast<uint16_t>(q_scaled[i].second));
    w.U8(z_scaled[i].first);
    w.U16(static_cast<uint16_t>(z_scaled[i].second));
  }

  std::array<std::vector<Symbol>, 3> symbols;
  for (int b = 0; b < 3; ++b) symbols[b] = BlockSymbols(blocks[b]);
  // Table 0 codes block 1, table 1 blocks 2 and 3 (as FBI encoders do).
  std::array<std::array<uint16_t, 256>, 2> codes{};
  std::array<std::array<uint8_t, 256>, 2> lengths{};
  for (int t = 0; t < 2; ++t) {
    std::array<uint64_t, 257> counts{};
    for (int b = (t == 0 ? 0 : 1); b < (t == 0 ? 1 : 3); ++b) {
      for (const Symbol& s : symbols[b]) ++counts[s.value];
    }
    bool any = false;
    for (int s = 0; s < 256; ++s) any |= counts[s] > 0;
    if (!any) counts[1] = 1;  // an empty block still needs a valid table
    lengths[t] = CodeLengths(counts);
  }

  w.U16(kSof);
  w.U16(17);
  w.U8(0);
  w.U8(255);
  w.U16(static_cast<uint16_t>(height));
  w.U16(static_cast<uint16_t>(width));
  w.U8(m_scaled.first);
  w.U16(static_cast<uint16_t>(m_scaled.second));
  w.U8(r_scaled.first);
  w.U16(static_cast<uint16_t>(r_scaled.second));
  w.U8(2);   // encoder
  w.U16(0);  // software implementation number

  for (int b = 0; b < 3; ++b) {
    int t = b == 0 ? 0 : 1;
    if (b < 2) WriteHuffmanTable(w, static_cast<uint8_t>(t), lengths[t], codes[t]);
    w.U16(kSob);
    w.U16(3);
    w.U8(static_cast<uint8_t>(t));
    BitWriter bits(w);
    for (const Symbol& s : symbols[b]) {
      bits.Put(codes[t][s.value], lengths[t][s.value]);
      if (s.extra_bits) bits.Put(s.extra, s.extra_bits);
    }
    bits.Finish();
  }
  w.U16(kEoi);
  return w.Take();
}

}  // namespace sijil::biometrics
