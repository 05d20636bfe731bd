#include "sijil/biometrics/iris_code.h"

#include "sijil/biometrics/bio_status.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace sijil::biometrics {
namespace {

inline int WordOf(int row, int column) { return row * kIrisWordsPerRow + column / 64; }
inline uint64_t BitOf(int column) { return uint64_t{1} << (column % 64); }

// Popcounts of (probe XOR gallery) AND both masks, and of both masks, for each of `n`
// prepared rotations. Inlined into per-ISA wrappers so __builtin_popcountll becomes the
// POPCNT instruction where the CPU has it, without -march flags in the build.
[[gnu::always_inline]] inline void CountGeneric(const IrisCode* shifted, int n, const IrisCode& g,
                                                uint32_t* diff, uint32_t* valid) {
  for (int i = 0; i < n; ++i) {
    const IrisCode& p = shifted[i];
    uint32_t d = 0;
    uint32_t m = 0;
    for (int w = 0; w < kIrisWords; ++w) {
      const uint64_t both = p.mask[w] & g.mask[w];
      d += static_cast<uint32_t>(__builtin_popcountll((p.code[w] ^ g.code[w]) & both));
      m += static_cast<uint32_t>(__builtin_popcountll(both));
    }
    diff[i] = d;
    valid[i] = m;
  }
}

void CountDefault(const IrisCode* s, int n, const IrisCode& g, uint32_t* d, uint32_t* v) {
  CountGeneric(s, n, g, d, v);
}

#if defined(__x86_64__)
[[gnu::target("popcnt")]] void CountPopcnt(const IrisCode* s, int n, const IrisCode& g, uint32_t* d,
                                           uint32_t* v) {
  CountGeneric(s, n, g, d, v);
}

// 2,048 bits are four 512-bit registers: the gallery stays in registers across rotations.
[[gnu::target("avx512f,avx512vpopcntdq")]] void CountAvx512(const IrisCode* s, int n,
                                                            const IrisCode& g, uint32_t* d,
                                                            uint32_t* v) {
  __m512i gc[4];
  __m512i gm[4];
  for (int k = 0; k < 4; ++k) {
    gc[k] = _mm512_loadu_si512(g.code.data() + 8 * k);
    gm[k] = _mm512_loadu_si512(g.mask.data() + 8 * k);
  }
  for (int i = 0; i < n; ++i) {
    __m512i dacc = _mm512_setzero_si512();
    __m512i macc = _mm512_setzero_si512();
    for (int k = 0; k < 4; ++k) {
      const __m512i pc = _mm512_loadu_si512(s[i].code.data() + 8 * k);
      const __m512i pm = _mm512_loadu_si512(s[i].mask.data() + 8 * k);
      const __m512i both = _mm512_and_si512(pm, gm[k]);
      const __m512i x = _mm512_and_si512(_mm512_xor_si512(pc, gc[k]), both);
      dacc = _mm512_add_epi64(dacc, _mm512_popcnt_epi64(x));
      macc = _mm512_add_epi64(macc, _mm512_popcnt_epi64(both));
    }
    // Horizontal sums through memory: GCC 12's _mm512_reduce_add_epi64 trips
    // -Wmaybe-uninitialized inside its own header.
    alignas(64) uint64_t dl[8];
    alignas(64) uint64_t ml[8];
    _mm512_store_si512(dl, dacc);
    _mm512_store_si512(ml, macc);
    uint64_t ds = 0;
    uint64_t ms = 0;
    for (int k = 0; k < 8; ++k) {
      ds += dl[k];
      ms += ml[k];
    }
    d[i] = static_cast<uint32_t>(ds);
    v[i] = static_cast<uint32_t>(ms);
  }
}
#endif

using CountFn = void (*)(const IrisCode*, int, const IrisCode&, uint32_t*, uint32_t*);

CountFn SelectCount() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq")) {
    return &CountAvx512;
  }
  if (__builtin_cpu_supports("popcnt")) return &CountPopcnt;
#endif
  return &CountDefault;
}

Result<IrisComparison> Finish(const PreparedIrisProbe& probe, const uint32_t* diff,
                              const uint32_t* valid, int n) {
  int best = -1;
  for (int i = 0; i < n; ++i) {
    if (valid[i] < static_cast<uint32_t>(kIrisMinBitsCompared)) continue;
    // diff[i]/valid[i] < diff[best]/valid[best], exactly, without division.
    if (best < 0 || uint64_t{diff[i]} * valid[best] < uint64_t{diff[best]} * valid[i]) best = i;
  }
  if (best < 0) {
    return Status::InvalidArgument("SIJ-BIO-041", "iris codes share fewer than " +
                                                      std::to_string(kIrisMinBitsCompared) +
                                                      " valid bits at every rotation; no score");
  }
  IrisComparison out;
  out.bits_compared = static_cast<int>(valid[best]);
  out.hamming_distance = static_cast<double>(diff[best]) / valid[best];
  out.best_shift = best - probe.max_shift();
  out.normalized_hd = 0.5 - (0.5 - out.hamming_distance) *
                                std::sqrt(out.bits_compared / kDaugmanTypicalBitsCompared);
  return out;
}

}  // namespace

bool IrisCode::Bit(int row, int column) const {
  return (code[WordOf(row, column)] & BitOf(column)) != 0;
}
bool IrisCode::Valid(int row, int column) const {
  return (mask[WordOf(row, column)] & BitOf(column)) != 0;
}
void IrisCode::SetBit(int row, int column, bool value) {
  uint64_t& w = code[WordOf(row, column)];
  w = value ? (w | BitOf(column)) : (w & ~BitOf(column));
}
void IrisCode::SetValid(int row, int column, bool value) {
  uint64_t& w = mask[WordOf(row, column)];
  w = value ? (w | BitOf(column)) : (w & ~BitOf(column));
}
int IrisCode::ValidBits() const {
  int n = 0;
  for (uint64_t w : mask) n += __builtin_popcountll(w);
  return n;
}

IrisCode IrisCode::Rotated(int shift) const {
  IrisCode out;
  const int s = ((shift % kIrisColumns) + kIrisColumns) % kIrisColumns;
  for (int r = 0; r < kIrisRows; ++r) {
    for (int c = 0; c < kIrisColumns; ++c) {
      const int from = (c - s + kIrisColumns) % kIrisColumns;
      out.SetBit(r, c, Bit(r, from));
      out.SetValid(r, c, Valid(r, from));
    }
  }
  return out;
}

Result<PreparedIrisProbe> PreparedIrisProbe::Create(const IrisCode& probe, int max_shift) {
  if (max_shift < 0 || max_shift > kIrisMaxShift) {
    return Status::InvalidArgument(
        "SIJ-BIO-040", "iris max_shift must be in [0, " + std::to_string(kIrisMaxShift) + "]");
  }
  PreparedIrisProbe p;
  p.max_shift_ = max_shift;
  p.shifted_.reserve(2 * max_shift + 1);
  for (int s = -max_shift; s <= max_shift; ++s) p.shifted_.push_back(probe.Rotated(s));
  return p;
}

Result<IrisComparison> CompareIris(const PreparedIrisProbe& probe, const IrisCode& gallery) {
  static const CountFn count = SelectCount();
  uint32_t diff[2 * kIrisMaxShift + 1];
  uint32_t valid[2 * kIrisMaxShift + 1];
  const int n = static_cast<int>(probe.shifted().size());
  count(probe.shifted().data(), n, gallery, diff, valid);
  return Finish(probe, diff, valid, n);
}

Result<IrisComparison> CompareIris(const IrisCode& a, const IrisCode& b, int max_shift) {
  SIJIL_ASSIGN_OR_RETURN(PreparedIrisProbe p, PreparedIrisProbe::Create(a, max_shift));
  return CompareIris(p, b);
}

namespace internal {
Result<IrisComparison> CompareIrisPortable(const PreparedIrisProbe& probe,
                                           const IrisCode& gallery) {
  uint32_t diff[2 * kIrisMaxShift + 1];
  uint32_t valid[2 * kIrisMaxShift + 1];
  const int n = static_cast<int>(probe.shifted().size());
  CountDefault(probe.shifted().data(), n, gallery, diff, valid);
  return Finish(probe, diff, valid, n);
}
}  // namespace internal

namespace {
constexpr uint8_t kStoredMagic[4] = {'S', 'I', 'C', 0};
constexpr uint8_t kStoredVersion = 1;
}  // namespace

Bytes SerializeIrisCode(const IrisCode& code) {
  Bytes out;
  out.reserve(kIrisCodeStoredBytes);
  out.insert(out.end(), std::begin(kStoredMagic), std::end(kStoredMagic));
  out.push_back(kStoredVersion);
  out.push_back(static_cast<uint8_t>(kIrisRows));
  out.push_back(static_cast<uint8_t>(kIrisColumns >> 8));
  out.push_back(static_cast<uint8_t>(kIrisColumns & 0xFF));
  for (const auto* words : {&code.code, &code.mask}) {
    for (uint64_t w : *words) {
      for (int b = 0; b < 8; ++b) out.push_back(static_cast<uint8_t>(w >> (8 * b)));
    }
  }
  return out;
}

bool LooksLikeIrisCode(std::span<const uint8_t> data) {
  return data.size() >= 4 &&
         std::equal(std::begin(kStoredMagic), std::end(kStoredMagic), data.begin());
}

Result<IrisCode> ParseIrisCode(std::span<const uint8_t> data) {
  if (!LooksLikeIrisCode(data)) return InvalidBioInput("not a stored iris code (bad magic)");
  if (data.size() != kIrisCodeStoredBytes) {
    return InvalidBioInput("stored iris code must be " + std::to_string(kIrisCodeStoredBytes) +
                           " bytes, got " + std::to_string(data.size()));
  }
  if (data[4] != kStoredVersion) {
    return BioStatus(BioErrorCode::kInvalidInput, StatusKind::kUnimplemented,
                     "stored iris code version " + std::to_string(data[4]) + " not supported");
  }
  const int columns = (data[6] << 8) | data[7];
  if (data[5] != kIrisRows || columns != kIrisColumns) {
    return InvalidBioInput("stored iris code geometry " + std::to_string(data[5]) + "x" +
                           std::to_string(columns) + " is not 8x256");
  }
  IrisCode out;
  size_t pos = 8;
  for (auto* words : {&out.code, &out.mask}) {
    for (uint64_t& w : *words) {
      w = 0;
      for (int b = 0; b < 8; ++b) w |= uint64_t{data[pos++]} << (8 * b);
    }
  }
  return out;
}

double IrisSynth::Uniform() { return static_cast<double>(env_.RandomUint64() >> 11) * 0x1.0p-53; }

double IrisSynth::Gaussian() {
  const double u1 = 1.0 - Uniform();  // (0, 1]
  const double u2 = Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

IrisCode IrisSynth::NewIdentity() {
  // Each row is the sign of white noise circularly smoothed along the angle: neighbouring
  // columns agree, as Gabor phase does, so the code has ~250 rather than 2,048 degrees of
  // freedom (Daugman 2006).
  const double sigma = options_.angular_sigma;
  const int radius = sigma > 0 ? static_cast<int>(std::ceil(3 * sigma)) : 0;
  std::vector<double> kernel(2 * radius + 1, 1.0);
  for (int k = -radius; k <= radius; ++k) {
    kernel[k + radius] = sigma > 0 ? std::exp(-0.5 * k * k / (sigma * sigma)) : 1.0;
  }
  IrisCode out;
  double noise[kIrisColumns];
  for (int r = 0; r < kIrisRows; ++r) {
    for (double& x : noise) x = Gaussian();
    for (int c = 0; c < kIrisColumns; ++c) {
      double sum = 0;
      for (int k = -radius; k <= radius; ++k) {
        sum += kernel[k + radius] * noise[(c + k + kIrisColumns) % kIrisColumns];
      }
      out.SetBit(r, c, sum > 0);
    }
  }
  FillMask(out);
  return out;
}

void IrisSynth::FillMask(IrisCode& code) {
  code.mask.fill(~uint64_t{0});
  // Eyelids cover angular sectors centred on the top (90 deg, column 64) and bottom
  // (270 deg, column 192) of the normalised iris.
  for (int centre : {kIrisColumns / 4, 3 * kIrisColumns / 4}) {
    const double f = options_.eyelid_min_fraction +
                     (options_.eyelid_max_fraction - options_.eyelid_min_fraction) * Uniform();
    const int half = static_cast<int>(f * kIrisColumns / 2);
    const int jitter = static_cast<int>(env_.RandomUniform(9)) - 4;
    for (int r = 0; r < kIrisRows; ++r) {
      for (int c = centre + jitter - half; c < centre + jitter + half; ++c) {
        code.SetValid(r, (c + kIrisColumns) % kIrisColumns, false);
      }
    }
  }
  // Specular reflections: small 2-row x 6-column spots.
  const int spots = options_.max_reflections > 0
                        ? static_cast<int>(env_.RandomUniform(options_.max_reflections + 1))
                        : 0;
  for (int i = 0; i < spots; ++i) {
    const int r0 = static_cast<int>(env_.RandomUniform(kIrisRows - 1));
    const int c0 = static_cast<int>(env_.RandomUniform(kIrisColumns));
    for (int r = r0; r < r0 + 2; ++r) {
      for (int c = c0; c < c0 + 6; ++c) code.SetValid(r, c % kIrisColumns, false);
    }
  }
}

IrisCode IrisSynth::GenuineSample(const IrisCode& identity, int* rotation) {
  IrisCode noisy = identity;
  for (int r = 0; r < kIrisRows; ++r) {
    for (int c = 0; c < kIrisColumns; ++c) {
      if (Uniform() < options_.flip_rate) noisy.SetBit(r, c, !noisy.Bit(r, c));
    }
  }
  const int m = options_.max_rotation;
  const int shift = m > 0 ? static_cast<int>(env_.RandomUniform(2 * m + 1)) - m : 0;
  if (rotation != nullptr) *rotation = shift;
  IrisCode out = noisy.Rotated(shift);
  FillMask(out);  // a fresh capture has its own eyelids and reflections
  return out;
}

}  // namespace sijil::biometrics
