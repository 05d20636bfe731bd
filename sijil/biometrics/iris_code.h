// IrisCode: a Daugman-style 2,048-bit iris template (8 radial rows x 256 angular columns of
// quantised Gabor phase) with its 2,048-bit validity mask, and masked fractional Hamming
// distance matching minimised over angular rotations.
//
// Layout: row r occupies words [4r, 4r+4) of `code` and `mask`; column c of that row is bit
// (c % 64) of word 4r + c / 64. An angular rotation of the eye is then a circular shift of
// the 256 bits of every row, and a comparison is pure AND/XOR/popcount over 32 words.
//
// Also here: a deterministic synthetic generator (identity codes with realistic angular bit
// correlation, eyelid/reflection masks, genuine samples) for scale tests and benchmarks.
//
// Thread-safety: IrisCode and PreparedIrisProbe are immutable values after construction and
// safe to share across threads; CompareIris is reentrant. IrisSynth draws from an Env and is
// thread-compatible (one per thread, or external locking).
#ifndef SIJIL_BIOMETRICS_IRIS_CODE_H_
#define SIJIL_BIOMETRICS_IRIS_CODE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/env.h"
#include "sijil/base/result.h"
#include "sijil/base/status.h"

namespace sijil::biometrics {

inline constexpr int kIrisRows = 8;
inline constexpr int kIrisColumns = 256;
inline constexpr int kIrisWordsPerRow = kIrisColumns / 64;
inline constexpr int kIrisWords = kIrisRows * kIrisWordsPerRow;  // 32 x 64 = 2,048 bits
// Largest rotation CompareIris accepts, in columns each way (Daugman uses a few; 16 columns
// is 22.5 degrees, beyond any plausible head tilt after normalisation).
inline constexpr int kIrisMaxShift = 16;
// Comparisons resting on fewer valid bits than this are refused: the HD would be noise.
inline constexpr int kIrisMinBitsCompared = 100;
// Daugman's score normalisation reference: the typical number of bits compared in his
// large-scale studies ("Probing the uniqueness and randomness of IrisCodes", Proc. IEEE
// 94(11), 2006), used in HD_norm = 0.5 - (0.5 - HD) * sqrt(n / 911).
inline constexpr double kDaugmanTypicalBitsCompared = 911.0;

struct IrisCode {
  std::array<uint64_t, kIrisWords> code{};
  std::array<uint64_t, kIrisWords> mask{};  // 1 = bit is valid (not occluded)

  bool Bit(int row, int column) const;
  bool Valid(int row, int column) const;
  void SetBit(int row, int column, bool value);
  void SetValid(int row, int column, bool value);
  int ValidBits() const;
  // The same iris seen rotated by `shift` columns: new column c holds old column c - shift.
  IrisCode Rotated(int shift) const;
};

// Stored form of an IrisCode (what a gallery keeps, `sijil biometrics synth --iris` writes
// and the iris Matcher reads): magic "SIC" 0x00, version 1, rows (8), columns (u16
// big-endian, 256), then the 32 code words and the 32 mask words, each little-endian.
// There is no standard interchange format for iris codes (ISO/IEC 19794-6 carries images).
inline constexpr size_t kIrisCodeStoredBytes = 8 + 2 * kIrisWords * 8;  // 520
Bytes SerializeIrisCode(const IrisCode& code);
// BIO-401 unless `data` is exactly one stored IrisCode of this geometry.
Result<IrisCode> ParseIrisCode(std::span<const uint8_t> data);
// True when `data` starts with the stored IrisCode magic.
bool LooksLikeIrisCode(std::span<const uint8_t> data);

struct IrisComparison {
  double hamming_distance = 1.0;  // raw masked fractional HD at the best shift
  double normalized_hd = 1.0;     // Daugman HD_norm, comparable across different overlaps
  int best_shift = 0;             // columns the probe was rotated by to match the gallery
  int bits_compared = 0;          // popcount(maskA & maskB) at the best shift
};

// A probe with its rotated copies precomputed, so that matching it against many gallery
// codes does no allocation and no bit shuffling in the inner loop.
class PreparedIrisProbe {
 public:
  // max_shift in [0, kIrisMaxShift]; SIJ-BIO-040 otherwise.
  static Result<PreparedIrisProbe> Create(const IrisCode& probe, int max_shift);

  int max_shift() const { return max_shift_; }
  const std::vector<IrisCode>& shifted() const { return shifted_; }

 private:
  PreparedIrisProbe() = default;
  int max_shift_ = 0;
  std::vector<IrisCode> shifted_;  // shifted_[i] = probe rotated by i - max_shift
};

// Minimum masked HD over all prepared rotations. SIJ-BIO-041 when no rotation leaves at
// least kIrisMinBitsCompared commonly valid bits (no fake score for an empty overlap).
Result<IrisComparison> CompareIris(const PreparedIrisProbe& probe, const IrisCode& gallery);
// Convenience for one-off comparisons (prepares `a` each call).
Result<IrisComparison> CompareIris(const IrisCode& a, const IrisCode& b, int max_shift);

namespace internal {
// The same comparison through the portable popcount kernel, bypassing CPU dispatch, so tests
// can check the vector kernel against it.
Result<IrisComparison> CompareIrisPortable(const PreparedIrisProbe& probe, const IrisCode& gallery);
}  // namespace internal

// Synthetic iris templates for scale tests (biometrics.md section 6.3).
struct IrisSynthOptions {
  // Gaussian smoothing (in columns) of the white-noise phase field along the angle. Wider
  // means fewer independent bits and a wider impostor HD spread; ~3 gives Daugman-like
  // N(0.50, ~0.03) instead of the binomial 0.011 of 2,048 independent bits.
  double angular_sigma = 3.0;
  double eyelid_min_fraction = 0.10;  // per eyelid band, fraction of columns occluded
  double eyelid_max_fraction = 0.15;  //   (upper and lower lids: 20-30 % masked in total)
  int max_reflections = 3;            // small specular spots masked at random places
  double flip_rate = 0.15;            // genuine samples: fraction of bits flipped
  int max_rotation = 8;               // genuine samples: rotation drawn from [-m, m]
};

class IrisSynth {
 public:
  IrisSynth(Env& env, IrisSynthOptions options = {}) : env_(env), options_(options) {}
  // A new identity: correlated code bits and a fresh occlusion mask.
  IrisCode NewIdentity();
  // Another capture of `identity`: bits flipped at flip_rate, fresh mask, random rotation
  // (returned in *rotation when non-null).
  IrisCode GenuineSample(const IrisCode& identity, int* rotation = nullptr);
  // A fresh occlusion mask alone (all-valid bits outside eyelids and reflections).
  void FillMask(IrisCode& code);

 private:
  double Uniform();  // [0, 1)
  double Gaussian();
  Env& env_;
  IrisSynthOptions options_;
};

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_IRIS_CODE_H_
