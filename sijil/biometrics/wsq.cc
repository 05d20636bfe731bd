#include "sijil/biometrics/wsq.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
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

}  // namespace sijil::biometrics
