// Verification evaluation of the face engine on a folder of face images laid out one
// sub-folder per person (the AT&T/ORL layout: s1/1.pgm ... s40/10.pgm).
//
// Pair sets (each unordered pair compared once): genuine = every pair of images of the same
// person (40 x 45 = 1,800 for AT&T); impostor = every pair of images of different people
// (78,000). Templates are extracted once; comparisons per second are measured on the cosine
// loop alone, single-threaded, as 1:N search would run it. Images where the detector finds
// no face fall back to the whole image when `whole_image_fallback` is set (counted in
// `fallback`); images that still fail are left out of every pair and counted in `failed`.
//
// Thread-compatible.
#ifndef SIJIL_BIOMETRICS_FACE_EVAL_H_
#define SIJIL_BIOMETRICS_FACE_EVAL_H_

#include <filesystem>
#include <string>
#include <vector>

#include "sijil/base/env.h"
#include "sijil/base/result.h"
#include "sijil/biometrics/det.h"
#include "sijil/biometrics/face_engine.h"

namespace sijil::biometrics {

struct FaceSample {
  std::string subject;  // sub-folder name
  std::string name;     // file name
  FaceTemplate tmpl;
};

struct FaceDatabase {
  std::vector<FaceSample> samples;  // by subject, then file (natural order: s2 before s10)
  size_t subjects = 0;
  size_t images = 0;    // image files found
  size_t detected = 0;  // face found by the detector
  size_t fallback = 0;  // whole image used as the face box
  size_t failed = 0;    // no template (left out)
  double extract_seconds_per_image = 0;
  double mean_quality = 0;
};

// Reads every image (pgm, png, jpg, jpeg, jp2, j2k) and 19794-5 record (iso) in the
// sub-folders of `dir` and extracts a template from each. Fails if `dir` has no such files.
Result<FaceDatabase> LoadFaceDatabase(Env& env, FaceEngine& engine,
                                      const std::filesystem::path& dir,
                                      const FaceExtractOptions& options);

struct ScoreStats {
  double mean = 0;
  double sd = 0;
  double min = 0;
  double max = 0;
};
ScoreStats ComputeScoreStats(const std::vector<double>& scores);

// The lowest threshold whose FMR is at most `fmr` (from the DET points); 1 when none.
double ThresholdAtFmr(const ErrorRates& rates, double fmr);

struct FaceEvaluation {
  ErrorRates rates;
  std::vector<double> genuine_scores;
  std::vector<double> impostor_scores;
  ScoreStats genuine;
  ScoreStats impostor;
  double threshold_fmr1000 = 0;
  double threshold_fmr100 = 0;
  // The same restricted to pairs where the detector found both faces (no fallback).
  ErrorRates detected_only;
  size_t detected_only_genuine = 0;
  size_t detected_only_impostor = 0;
  double comparisons_per_second = 0;      // single thread, wall clock
  double comparisons_per_cpu_second = 0;  // per second of CPU time
};

FaceEvaluation EvaluateFace(Env& env, const FaceDatabase& db);

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_FACE_EVAL_H_
