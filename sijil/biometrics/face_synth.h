// Synthetic face embeddings for scale tests of 1:1 and 1:N matching, where no face images
// are available in the millions.
//
// Model: an identity centre is c = normalise(b * m + z), where m is a fixed unit direction
// shared by everyone (real embeddings are not centred: impostor cosines average above 0) and
// z is uniform on the unit sphere of a k-dimensional subspace (k = 512: uniform on the whole
// sphere, impostor cosines ~ N(0, 1/512); smaller k widens them the way a real model's
// correlated features do). A sample is normalise(c + sigma * g / sqrt(d)), g standard normal
// in all d dimensions, with sigma = noise * exp(noise_spread * N(0, 1)) drawn per sample so
// that genuine scores spread like real ones (some pairs are much worse than others).
//
// With b = 0, k = d and noise_spread = 0 this is the plain "centres uniform on the sphere,
// Gaussian noise" model; FitFaceSynth tunes b, k, noise and noise_spread so the genuine and
// impostor cosine distributions match the means and spreads a real model produced.
//
// Every vector is a pure function of (seed, identity, sample), so galleries of any size can
// be generated in parallel and regenerated without storing them. Thread-safe (const).
#ifndef SIJIL_BIOMETRICS_FACE_SYNTH_H_
#define SIJIL_BIOMETRICS_FACE_SYNTH_H_

#include <cstdint>
#include <vector>

namespace sijil::biometrics {

struct FaceSynthParams {
  int dim = 512;
  double shared_weight = 0;  // b
  int identity_dims = 512;   // k, 2..dim
  double noise = 0.5;        // sigma for a typical sample
  double noise_spread = 0;   // log-normal spread of sigma across samples
  uint64_t seed = 1;
};

struct FaceScoreTargets {
  double genuine_mean = 0;
  double genuine_sd = 0;
  double impostor_mean = 0;
  double impostor_sd = 0;
};

class FaceSynth {
 public:
  explicit FaceSynth(const FaceSynthParams& params);

  // Unit vectors of params.dim floats.
  std::vector<float> Centre(uint64_t identity) const;
  std::vector<float> Sample(uint64_t identity, uint64_t sample) const;

  const FaceSynthParams& params() const { return params_; }

 private:
  FaceSynthParams params_;
  std::vector<double> shared_;  // m
};

// Genuine (same identity, different samples) and impostor (different identities) cosine
// statistics of `identities` x `samples` synthetic vectors: every pair is scored.
FaceScoreTargets MeasureFaceSynth(const FaceSynth& synth, int identities, int samples);

// Parameters whose distributions match `targets` (within sampling error), seeded.
FaceSynthParams FitFaceSynth(const FaceScoreTargets& targets, uint64_t seed, int dim = 512);

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_FACE_SYNTH_H_
