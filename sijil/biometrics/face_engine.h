// Face engine: detection, 5-point alignment, embedding and cosine scoring, plus a face
// quality estimate, running ONNX models through OpenCV's DNN module.
//
// Pipeline for one image:
//  1. Detection: a single-shot detector on the image resized to its input (320x240 for the
//     Ultra-Light-Fast RFB-320 layout the test models use); outputs per prior a face score and
//     a box already decoded to normalised corners. Boxes above the score threshold go
//     through non-maximum suppression; the largest face wins.
//  2. Landmarks: the detector gives no landmarks, so a 68-point landmark model runs on a
//     square crop around the box (64x64 grey); the 5 alignment points are the eye centres
//     (mean of the four eyelid points of each eye), the nose tip and the mouth corners
//     (mean of the outer and inner lip corner).
//  3. Alignment: the least-squares similarity transform (rotation, uniform scale,
//     translation) mapping the 5 points onto the standard ArcFace reference points of a
//     112x112 crop.
//  4. Embedding: the recognition model on the RGB crop scaled to (x - 127) / 128; the output
//     vector is L2-normalised. Two templates compare by cosine similarity (in [-1, 1]).
//
// When the detector finds no face (tight crops such as the AT&T/ORL set, where the face
// fills the frame), ExtractOptions::whole_image_fallback treats the whole image as the face
// box and carries on from step 2; the template records that it did.
//
// Models come from configuration (biometrics.face.model, .detector, .landmarks) so that a
// country plugs in the models it has licensed; with none configured every call fails with
// "no face model configured" (BIO-500, kind kFailedPrecondition), never a made-up score.
//
// Thread-safety: FaceEngine is thread-safe (inference is serialised by an internal mutex,
// since a cv::dnn::Net is not re-entrant); the free functions are pure and thread-safe.
#ifndef SIJIL_BIOMETRICS_FACE_ENGINE_H_
#define SIJIL_BIOMETRICS_FACE_ENGINE_H_

#include <array>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sijil/base/config.h"
#include "sijil/base/result.h"
#include "sijil/biometrics/face_image_record.h"
#include "sijil/biometrics/face_matcher.h"
#include "sijil/biometrics/image_codec.h"

namespace sijil::biometrics {

// Embedding length of the recognition models we accept (checked on load).
inline constexpr int kFaceEmbeddingSize = 512;
// Side of the aligned crop.
inline constexpr int kFaceCropSize = 112;

struct FaceModelPaths {
  std::string detector;   // biometrics.face.detector
  std::string landmarks;  // biometrics.face.landmarks
  std::string embedding;  // biometrics.face.model
};

// Declares biometrics.face.model, .detector, .landmarks (all empty by default),
// .min_detection_score, .threshold, and the impostor model .impostor_mean/.impostor_sd.
// Called by the command files that build a FaceEngine.
void DeclareFaceConfig(ConfigSchema& schema);
FaceModelPaths FaceModelPathsFromConfig(const Config& config);
// The face Matcher's calibration for the configured model (biometrics.face.impostor_*).
FaceMatcherOptions FaceMatcherOptionsFromConfig(const Config& config);
// The models scripts/fetch-models installs under `dir` (third_party/models/face).
FaceModelPaths FaceModelPathsInDirectory(const std::string& dir);

struct FacePoint {
  float x = 0;
  float y = 0;
};

// Order of the 5 alignment points.
enum FacePointIndex { kLeftEye = 0, kRightEye = 1, kNoseTip = 2, kMouthLeft = 3, kMouthRight = 4 };

// The ArcFace reference positions of the 5 points in the 112x112 crop (left/right as they
// appear in the image).
const std::array<FacePoint, 5>& ArcFaceReferencePoints();

struct FaceBox {
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;  // pixels of the input image
  float score = 0;                       // detector confidence in [0, 1]
  float width() const { return x2 - x1; }
  float height() const { return y2 - y1; }
};

struct FaceDetection {
  FaceBox box;
  std::array<FacePoint, 5> points;  // from the landmark model, image pixels
};

// Face image quality, each part measured on the image or the aligned crop.
struct FaceQuality {
  double inter_eye_pixels = 0;  // in the input image
  double roll_degrees = 0;      // eye line angle
  double yaw_degrees = 0;       // from the nose offset between the eyes (approximate)
  double pitch_ratio = 0;       // (eyes->nose) / (nose->mouth) vertical distances, ~1 frontal
  double sharpness = 0;         // variance of the Laplacian of the grey aligned crop
  double brightness = 0;        // mean grey level of the aligned crop, 0..255
  double contrast = 0;          // standard deviation of the grey level of the aligned crop
  double clipped_fraction = 0;  // share of crop pixels at <= 5 or >= 250
  // 0..100: the product of per-part scores (size, pose, sharpness, exposure), times 100.
  int score = 0;
};

// Weights of the quality parts; pure function of the measured values.
int FaceQualityScore(const FaceQuality& q);

struct FaceTemplate {
  std::vector<float> embedding;  // kFaceEmbeddingSize floats, unit L2 norm
  FaceDetection detection;
  bool detected = false;  // false: the whole image stood in for the face box
  int faces_found = 0;    // detections left after suppression
  FaceQuality quality;
};

struct FaceExtractOptions {
  // Use the whole image as the face box when the detector finds none (else fail with
  // BIO-404 "no face found").
  bool whole_image_fallback = false;
  // Minimum detector score (biometrics.face.min_detection_score).
  float min_detection_score = 0.7f;
};

// Cosine similarity of two unit embeddings, in [-1, 1]; 0 when the sizes differ or are 0.
double FaceCosine(std::span<const float> a, std::span<const float> b);

class FaceEngine {
 public:
  // Loads the three models. Empty embedding path: "no face model configured" (BIO-500,
  // kFailedPrecondition); empty detector or landmark path: likewise naming the key; a file
  // that is missing or not a loadable model: BIO-500 naming the file. The embedding model
  // is run once on a blank crop to check it yields kFaceEmbeddingSize values.
  static Result<std::unique_ptr<FaceEngine>> Create(const FaceModelPaths& paths);
  ~FaceEngine();

  // Every face above `min_score`, largest first, each with its 5 points.
  Result<std::vector<FaceDetection>> Detect(const Image& image, float min_score = 0.7f);
  // Detection (or fallback), alignment, embedding and quality of the largest face.
  Result<FaceTemplate> Extract(const Image& image, const FaceExtractOptions& options = {});
  // The 112x112 BGR crop Extract embeds, for inspection and tests.
  Result<Image> AlignedCrop(const Image& image, const FaceDetection& detection);

  // Cosine similarity of the two templates' embeddings.
  static double Compare(const FaceTemplate& a, const FaceTemplate& b) {
    return FaceCosine(a.embedding, b.embedding);
  }

 private:
  struct Models;
  explicit FaceEngine(std::unique_ptr<Models> models);
  std::unique_ptr<Models> models_;
};

// The image of the first representation of a 19794-5 record, decoded.
Result<Image> FaceRecordImage(std::span<const uint8_t> record, const ImageLimits& limits = {});

// Reads a face image file: anything DecodeImage reads, or binary PGM (P5, 8-bit).
Result<Image> DecodeFaceImageFile(std::span<const uint8_t> data, const ImageLimits& limits = {});

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_FACE_ENGINE_H_
