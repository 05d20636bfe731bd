// The face engine behind the Matcher interface (matcher.h): a stored face template is a
// serialised embedding (what FaceEngine::Extract produces), comparison is the cosine
// similarity, and the calibration is a Gaussian impostor model.
//
// Stored form: "SFE\0", a big-endian uint16 length n (1..4096), then n IEEE-754 float32
// values, big-endian; the vector must have unit L2 norm (within 1e-3).
//
// Calibration. Impostor cosines of an embedding model are close to normal; FMR(c) =
// Q((c - mean) / sd). The defaults are what the test models (scripts/fetch-models) gave on
// AT&T/ORL (78,000 impostor pairs: mean 0.064, sd 0.108; the Gaussian puts FMR 1e-3 at
// cosine 0.398, the empirical threshold was 0.403). A deployment re-measures both for the
// model it configures.
//
// Thread-safety: pure functions; the Matcher returned is immutable and thread-safe.
#ifndef SIJIL_BIOMETRICS_FACE_MATCHER_H_
#define SIJIL_BIOMETRICS_FACE_MATCHER_H_

#include <memory>
#include <span>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"
#include "sijil/biometrics/matcher.h"

namespace sijil::biometrics {

struct FaceMatcherOptions {
  double impostor_mean = 0.064;
  double impostor_sd = 0.108;
};

Bytes SerializeFaceEmbedding(std::span<const float> embedding);
// BIO-401 for a wrong magic, length or a vector that is not unit length.
Result<std::vector<float>> ParseFaceEmbedding(std::span<const uint8_t> stored);

// -10 * log10(Q((cosine - mean) / sd)), clamped to [0, kMaxScore].
double FaceScoreForCosine(double cosine, const FaceMatcherOptions& options = {});

// raw_score of a comparison is the cosine similarity.
std::unique_ptr<Matcher> NewFaceMatcher(const FaceMatcherOptions& options = {});

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_FACE_MATCHER_H_
