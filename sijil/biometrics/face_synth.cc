#include "sijil/biometrics/face_synth.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sijil::biometrics {
namespace {

uint64_t SplitMix(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// xoshiro256** seeded from (seed, a, b) through SplitMix64; the same inputs give the same
// stream on every platform (std::normal_distribution does not promise that).
class Rng {
 public:
  Rng(uint64_t seed, uint64_t a, uint64_t b) {
    uint64_t x = seed ^ (a * 0xD1B54A32D192ED03ull) ^ (b * 0x8CB92BA72F3D8DD7ull);
    for (uint64_t& s : s_) s = SplitMix(x);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0], s_[3] ^= s_[1], s_[1] ^= s_[2], s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in (0, 1).
  double Uniform() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }
  // Standard normal (Box-Muller, one value per call for simplicity).
  double Normal() {
    const double u = Uniform(), v = Uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * v);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

constexpr uint64_t kCentreStream = ~uint64_t{0};
constexpr uint64_t kSharedStream = ~uint64_t{0} - 1;

void Normalise(std::vector<double>& v) {
  double n = 0;
  for (double x : v) n += x * x;
  n = std::sqrt(n);
  if (n > 0) {
    for (double& x : v) x /= n;
  }
}

std::vector<float> ToFloat(const std::vector<double>& v) { return {v.begin(), v.end()}; }

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0;
  for (size_t i = 0; i < a.size(); ++i) dot += double{a[i]} * b[i];
  return dot;
}

// Mean and sd of 1 / sqrt((1 + s1^2)(1 + s2^2)) with s = noise * exp(spread * z), over
// fixed normal draws `z` (pairs): the genuine cosine of two noisy copies of one centre.
void GenuineMoments(const std::vector<double>& z, double noise, double spread, double& mean,
                    double& sd) {
  double sum = 0, sq = 0;
  const size_t pairs = z.size() / 2;
  for (size_t i = 0; i < pairs; ++i) {
    const double s1 = noise * std::exp(spread * z[2 * i]);
    const double s2 = noise * std::exp(spread * z[2 * i + 1]);
    const double c = 1.0 / std::sqrt((1 + s1 * s1) * (1 + s2 * s2));
    sum += c, sq += c * c;
  }
  mean = sum / static_cast<double>(pairs);
  sd = std::sqrt(std::max(0.0, sq / static_cast<double>(pairs) - mean * mean));
}

// The noise giving genuine mean `target` for a given spread (the mean falls as noise grows).
double NoiseForMean(const std::vector<double>& z, double spread, double target) {
  double lo = 0, hi = 50;
  for (int i = 0; i < 60; ++i) {
    const double mid = (lo + hi) / 2;
    double mean = 0, sd = 0;
    GenuineMoments(z, mid, spread, mean, sd);
    (mean > target ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

}  // namespace

FaceSynth::FaceSynth(const FaceSynthParams& params) : params_(params) {
  params_.dim = std::max(params_.dim, 2);
  params_.identity_dims = std::clamp(params_.identity_dims, 2, params_.dim);
  Rng rng(params_.seed, kSharedStream, 0);
  shared_.resize(params_.dim);
  for (double& x : shared_) x = rng.Normal();
  Normalise(shared_);
}

std::vector<float> FaceSynth::Centre(uint64_t identity) const {
  Rng rng(params_.seed, identity, kCentreStream);
  std::vector<double> z(params_.dim, 0.0);
  for (int i = 0; i < params_.identity_dims; ++i) z[i] = rng.Normal();
  Normalise(z);
  for (int i = 0; i < params_.dim; ++i) z[i] += params_.shared_weight * shared_[i];
  Normalise(z);
  return ToFloat(z);
}

std::vector<float> FaceSynth::Sample(uint64_t identity, uint64_t sample) const {
  std::vector<float> c = Centre(identity);
  Rng rng(params_.seed, identity, sample);
  const double sigma = params_.noise * std::exp(params_.noise_spread * rng.Normal());
  const double scale = sigma / std::sqrt(static_cast<double>(params_.dim));
  std::vector<double> x(params_.dim);
  for (int i = 0; i < params_.dim; ++i) x[i] = c[i] + scale * rng.Normal();
  Normalise(x);
  return ToFloat(x);
}

FaceScoreTargets MeasureFaceSynth(const FaceSynth& synth, int identities, int samples) {
  std::vector<std::vector<float>> v;
  std::vector<int> who;
  for (int i = 0; i < identities; ++i) {
    for (int s = 0; s < samples; ++s) {
      v.push_back(synth.Sample(static_cast<uint64_t>(i), static_cast<uint64_t>(s)));
      who.push_back(i);
    }
  }
  double gs = 0, gq = 0, is = 0, iq = 0;
  size_t gn = 0, in = 0;
  for (size_t a = 0; a < v.size(); ++a) {
    for (size_t b = a + 1; b < v.size(); ++b) {
      const double c = Cosine(v[a], v[b]);
      if (who[a] == who[b]) {
        gs += c, gq += c * c, ++gn;
      } else {
        is += c, iq += c * c, ++in;
      }
    }
  }
  FaceScoreTargets t;
  if (gn > 0) {
    t.genuine_mean = gs / gn;
    t.genuine_sd = std::sqrt(std::max(0.0, gq / gn - t.genuine_mean * t.genuine_mean));
  }
  if (in > 0) {
    t.impostor_mean = is / in;
    t.impostor_sd = std::sqrt(std::max(0.0, iq / in - t.impostor_mean * t.impostor_mean));
  }
  return t;
}

FaceSynthParams FitFaceSynth(const FaceScoreTargets& targets, uint64_t seed, int dim) {
  FaceSynthParams p;
  p.dim = std::max(dim, 2);
  p.seed = seed;
  const double gm = std::clamp(targets.genuine_mean, 0.01, 0.999);
  // Genuine: noise and its spread, on fixed draws (common random numbers keep the search
  // monotone). Wider spread lowers the mean, so the noise is re-solved for each spread.
  Rng rng(seed, 0, 0);
  std::vector<double> z(8000);
  for (double& x : z) x = rng.Normal();
  double lo = 0, hi = 3;
  for (int i = 0; i < 40; ++i) {
    const double mid = (lo + hi) / 2;
    double mean = 0, sd = 0;
    GenuineMoments(z, NoiseForMean(z, mid, gm), mid, mean, sd);
    (sd < targets.genuine_sd ? lo : hi) = mid;
  }
  p.noise_spread = (lo + hi) / 2;
  p.noise = NoiseForMean(z, p.noise_spread, gm);
  // Impostor: with f = 1 / sqrt((1 + s1^2)(1 + s2^2)) the shrink the noise applies, a
  // sample pair's cosine is f (c1.c2 + c1.n2 + n1.c2 + n1.n2); the noise terms have variance
  // (s1^2 + s2^2 + s1^2 s2^2) / d. So E = E[f] mu_c and
  // Var = E[f^2] (var_c + mu_c^2) - (E[f] mu_c)^2 + E[f^2 (s1^2 + s2^2 + s1^2 s2^2)] / d;
  // solve for the centres' mean mu_c = b^2 / (1 + b^2) and var_c = 1 / (k (1 + b^2)^2).
  double ef = 0, ef2 = 0, enoise = 0;
  const size_t pairs = z.size() / 2;
  for (size_t i = 0; i < pairs; ++i) {
    const double s1 = std::pow(p.noise * std::exp(p.noise_spread * z[2 * i]), 2);
    const double s2 = std::pow(p.noise * std::exp(p.noise_spread * z[2 * i + 1]), 2);
    const double f2 = 1.0 / ((1 + s1) * (1 + s2));
    ef += std::sqrt(f2), ef2 += f2, enoise += f2 * (s1 + s2 + s1 * s2) / p.dim;
  }
  ef /= static_cast<double>(pairs), ef2 /= static_cast<double>(pairs);
  enoise /= static_cast<double>(pairs);
  const double mu_c = std::clamp(targets.impostor_mean / ef, 0.0, 0.95);
  const double var_c =
      (targets.impostor_sd * targets.impostor_sd + std::pow(ef * mu_c, 2) - enoise) / ef2 -
      mu_c * mu_c;
  const double b2 = mu_c / (1 - mu_c);
  p.shared_weight = std::sqrt(b2);
  const double k = var_c > 0 ? 1.0 / (var_c * std::pow(1 + b2, 2)) : p.dim;
  p.identity_dims = static_cast<int>(std::clamp(std::lround(k), 2L, static_cast<long>(p.dim)));
  return p;
}

}  // namespace sijil::biometrics
