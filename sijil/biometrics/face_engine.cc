#include "sijil/biometrics/face_engine.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <mutex>
#include <numbers>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <utility>

#include "sijil/base/env.h"
#include "sijil/biometrics/bio_status.h"

namespace sijil::biometrics {
namespace {

// Input of the RFB-320 detector (width x height) and of the landmark model (grey square).
constexpr int kDetectorWidth = 320;
constexpr int kDetectorHeight = 240;
constexpr int kLandmarkSize = 64;
constexpr int kLandmarkPoints = 68;
constexpr float kNmsThreshold = 0.4f;
constexpr int kMinImageSide = 16;

Status NotConfigured(std::string_view key, std::string_view what) {
  return BioStatus(BioErrorCode::kUnknown, StatusKind::kFailedPrecondition,
                   "no face " + std::string(what) + " configured (set " + std::string(key) +
                       "; scripts/fetch-models installs test models)");
}

Status ModelError(std::string_view what, std::string_view detail) {
  return BioStatus(BioErrorCode::kUnknown, std::string(what) + ": " + std::string(detail));
}

Status OpenCvError(const cv::Exception& e) {
  return BioStatus(BioErrorCode::kUnknown, std::string("face engine: OpenCV: ") + e.err);
}

Result<cv::dnn::Net> LoadNet(Env& env, const std::string& path, std::string_view what) {
  auto bytes = env.ReadFile(path);
  if (!bytes.ok()) return ModelError(what, "cannot read " + path);
  if (bytes->empty()) return ModelError(what, path + " is empty");
  try {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(bytes->data(), bytes->size());
    if (net.empty()) return ModelError(what, path + " holds no network");
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return net;
  } catch (const cv::Exception& e) {
    return ModelError(what, path + " is not a loadable ONNX model (" + e.err + ")");
  }
}

// BGR 8-bit view of a decoded image (grey expanded to three channels).
Result<cv::Mat> ToBgr(const Image& image) {
  if (image.pixels.empty() || image.width == 0 || image.height == 0) {
    return MissingBioInput("face image is empty");
  }
  if (image.channels != 1 && image.channels != 3) {
    return InvalidBioInput("face image must be grey or RGB");
  }
  if (image.pixels.size() != image.pixel_count() * image.channels) {
    return InvalidBioInput("face image pixel buffer does not match its size");
  }
  if (image.width < kMinImageSide || image.height < kMinImageSide) {
    return InvalidBioInput("face image is smaller than 16x16 pixels");
  }
  cv::Mat mat = ToMat(image);
  if (mat.channels() == 1) cv::cvtColor(mat, mat, cv::COLOR_GRAY2BGR);
  return mat;
}

// Least-squares similarity transform (uniform scale, rotation, translation) taking `src`
// onto `dst`, as a 2x3 matrix.
cv::Mat SimilarityTransform(const std::array<FacePoint, 5>& src,
                            const std::array<FacePoint, 5>& dst) {
  double msx = 0, msy = 0, mdx = 0, mdy = 0;
  for (size_t i = 0; i < src.size(); ++i) {
    msx += src[i].x, msy += src[i].y, mdx += dst[i].x, mdy += dst[i].y;
  }
  const double n = static_cast<double>(src.size());
  msx /= n, msy /= n, mdx /= n, mdy /= n;
  double norm = 0, a = 0, b = 0;
  for (size_t i = 0; i < src.size(); ++i) {
    const double px = src[i].x - msx, py = src[i].y - msy;
    const double qx = dst[i].x - mdx, qy = dst[i].y - mdy;
    norm += px * px + py * py;
    a += px * qx + py * qy;
    b += px * qy - py * qx;
  }
  if (norm <= 1e-9) {
    a = 1, b = 0;  // degenerate points: identity scale and rotation
  } else {
    a /= norm, b /= norm;
  }
  cv::Mat m(2, 3, CV_64F);
  m.at<double>(0, 0) = a;
  m.at<double>(0, 1) = -b;
  m.at<double>(0, 2) = mdx - (a * msx - b * msy);
  m.at<double>(1, 0) = b;
  m.at<double>(1, 1) = a;
  m.at<double>(1, 2) = mdy - (b * msx + a * msy);
  return m;
}

FacePoint Mean(std::span<const float> pts, std::initializer_list<int> idx) {
  FacePoint p;
  for (int i : idx) p.x += pts[2 * i], p.y += pts[2 * i + 1];
  p.x /= static_cast<float>(idx.size());
  p.y /= static_cast<float>(idx.size());
  return p;
}

double Clamp01(double v) { return std::clamp(v, 0.0, 1.0); }

}  // namespace

void DeclareFaceConfig(ConfigSchema& s) {
  s.String("biometrics.face.model", "",
           "ONNX face embedding model (112x112 RGB input, 512-d output); empty: face "
           "matching is off")
      .String("biometrics.face.detector", "",
              "ONNX face detector (320x240 input, outputs boxes and scores)")
      .String("biometrics.face.landmarks", "",
              "ONNX 68-point face landmark model (64x64 grey input)")
      .Double("biometrics.face.min_detection_score", 0.7, 0.0, 1.0,
              "Lowest detector score accepted as a face")
      .Double("biometrics.face.threshold", 0.40, -1.0, 1.0,
              "Cosine similarity at or above which two faces match (1:1); the default is FMR "
              "1e-3 on AT&T/ORL for the test models: re-measure it for the configured model")
      .Double("biometrics.face.impostor_mean", FaceMatcherOptions{}.impostor_mean, -1.0, 1.0,
              "Mean cosine between different people for the configured model (eval --modality "
              "face prints it: impostor_scores.mean for images): with impostor_sd, the face "
              "matcher's calibration of scores to -10 log10 FMR; the default is the test models'")
      .Double("biometrics.face.impostor_sd", FaceMatcherOptions{}.impostor_sd, 1e-4, 2.0,
              "Standard deviation of that impostor cosine (eval: impostor_scores.sd)");
}

FaceModelPaths FaceModelPathsFromConfig(const Config& config) {
  return {config.GetString("biometrics.face.detector"),
          config.GetString("biometrics.face.landmarks"), config.GetString("biometrics.face.model")};
}

FaceMatcherOptions FaceMatcherOptionsFromConfig(const Config& config) {
  return {config.GetDouble("biometrics.face.impostor_mean"),
          config.GetDouble("biometrics.face.impostor_sd")};
}

FaceModelPaths FaceModelPathsInDirectory(const std::string& dir) {
  return {dir + "/fr_detect.onnx", dir + "/fr_landmark.onnx", dir + "/fr_feature.onnx"};
}

const std::array<FacePoint, 5>& ArcFaceReferencePoints() {
  static const std::array<FacePoint, 5> kPoints = {{{38.2946f, 51.6963f},
                                                    {73.5318f, 51.5014f},
                                                    {56.0252f, 71.7366f},
                                                    {41.5493f, 92.3655f},
                                                    {70.7299f, 92.2041f}}};
  return kPoints;
}

int FaceQualityScore(const FaceQuality& q) {
  // Size: ISO/ICAO ask for 90+ pixels between the eye centres in a portrait; the embedding
  // works from a 112x112 crop (about 35 pixels between the eyes), so that is full marks.
  const double size = Clamp01((q.inter_eye_pixels - 8.0) / (35.0 - 8.0));
  // Pose: free up to 10 degrees of roll and 15 of yaw, nothing left at 45 and 60.
  const double roll = Clamp01(1.0 - (std::abs(q.roll_degrees) - 10.0) / 35.0);
  const double yaw = Clamp01(1.0 - (std::abs(q.yaw_degrees) - 15.0) / 45.0);
  // Blur: Laplacian variance of the 112x112 crop; sharp portraits measure in the hundreds.
  const double sharp = Clamp01((q.sharpness - 10.0) / (80.0 - 10.0));
  // Exposure: mean grey level in [60, 200], some contrast, few clipped pixels.
  double exposure = 1.0;
  if (q.brightness < 60) exposure *= Clamp01((q.brightness - 20.0) / 40.0);
  if (q.brightness > 200) exposure *= Clamp01((240.0 - q.brightness) / 40.0);
  exposure *= Clamp01((q.contrast - 8.0) / (25.0 - 8.0));
  exposure *= Clamp01(1.0 - (q.clipped_fraction - 0.1) / 0.4);
  return static_cast<int>(std::lround(100.0 * size * roll * yaw * sharp * exposure));
}

double FaceCosine(std::span<const float> a, std::span<const float> b) {
  if (a.empty() || a.size() != b.size()) return 0;
  // Eight independent partial sums: the compiler keeps them in vector registers (a single
  // running sum would serialise on the adds), and the summation order stays fixed, so
  // scores are reproducible.
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const size_t n = a.size(), blocks = n / 8 * 8;
  for (size_t i = 0; i < blocks; i += 8) {
    for (size_t k = 0; k < 8; ++k) acc[k] += a[i + k] * b[i + k];
  }
  double dot = 0;
  for (size_t i = blocks; i < n; ++i) dot += double{a[i]} * b[i];
  for (float v : acc) dot += v;
  return std::clamp(dot, -1.0, 1.0);
}

struct FaceEngine::Models {
  std::mutex mu;
  cv::dnn::Net detector;
  cv::dnn::Net landmarks;
  cv::dnn::Net embedding;
};

FaceEngine::FaceEngine(std::unique_ptr<Models> models) : models_(std::move(models)) {}
FaceEngine::~FaceEngine() = default;

Result<std::unique_ptr<FaceEngine>> FaceEngine::Create(const FaceModelPaths& paths) {
  if (paths.embedding.empty()) return NotConfigured("biometrics.face.model", "model");
  if (paths.detector.empty()) return NotConfigured("biometrics.face.detector", "detector");
  if (paths.landmarks.empty()) {
    return NotConfigured("biometrics.face.landmarks", "landmark model");
  }
  Env& env = Env::Default();
  auto models = std::make_unique<Models>();
  SIJIL_ASSIGN_OR_RETURN(models->detector, LoadNet(env, paths.detector, "face detector"));
  SIJIL_ASSIGN_OR_RETURN(models->landmarks, LoadNet(env, paths.landmarks, "face landmarks"));
  SIJIL_ASSIGN_OR_RETURN(models->embedding, LoadNet(env, paths.embedding, "face model"));
  // Check that each network has the shape this pipeline decodes, on blank inputs, so a
  // wrong file fails here rather than with nonsense later.
  try {
    cv::Mat det_in = cv::dnn::blobFromImage(
        cv::Mat(kDetectorHeight, kDetectorWidth, CV_8UC3, cv::Scalar::all(127)), 1.0 / 128);
    models->detector.setInput(det_in);
    std::vector<cv::Mat> outs;
    models->detector.forward(outs, std::vector<cv::String>{"boxes", "scores"});
    if (outs.size() != 2 || outs[0].total() % 4 != 0 ||
        outs[0].total() / 4 != outs[1].total() / 2 || outs[1].total() % 2 != 0) {
      return ModelError("face detector", paths.detector + " does not output boxes and scores");
    }
    cv::Mat lm_in = cv::dnn::blobFromImage(
        cv::Mat(kLandmarkSize, kLandmarkSize, CV_8UC1, cv::Scalar::all(127)), 1.0 / 256);
    models->landmarks.setInput(lm_in);
    if (models->landmarks.forward().total() != 2 * kLandmarkPoints) {
      return ModelError("face landmarks", paths.landmarks + " does not output 68 points");
    }
    cv::Mat emb_in = cv::dnn::blobFromImage(
        cv::Mat(kFaceCropSize, kFaceCropSize, CV_8UC3, cv::Scalar::all(127)), 1.0 / 128);
    models->embedding.setInput(emb_in);
    if (models->embedding.forward().total() != kFaceEmbeddingSize) {
      return ModelError("face model", paths.embedding + " does not output 512 values");
    }
  } catch (const cv::Exception& e) {
    return ModelError("face models", std::string("cannot run (") + e.err + ")");
  } catch (const std::exception& e) {
    // The ONNX importer reports some graph errors as std::exception.
    return ModelError("face models", std::string("cannot run (") + e.what() + ")");
  }
  return std::unique_ptr<FaceEngine>(new FaceEngine(std::move(models)));
}

namespace {

// 68 landmarks in a square crop around `box`; the 5 alignment points in image pixels.
std::array<FacePoint, 5> FivePoints(cv::dnn::Net& net, const cv::Mat& bgr, const FaceBox& box) {
  const float side = std::max(box.width(), box.height());
  const float left = (box.x1 + box.x2 - side) / 2;
  const float top = (box.y1 + box.y2 - side) / 2;
  // Crop and resize in one warp; parts outside the image repeat the border.
  const double s = kLandmarkSize / static_cast<double>(side);
  cv::Mat m = (cv::Mat_<double>(2, 3) << s, 0, -left * s, 0, s, -top * s);
  cv::Mat crop, grey;
  cv::warpAffine(bgr, crop, m, cv::Size(kLandmarkSize, kLandmarkSize), cv::INTER_AREA,
                 cv::BORDER_REPLICATE);
  cv::cvtColor(crop, grey, cv::COLOR_BGR2GRAY);
  net.setInput(cv::dnn::blobFromImage(grey, 1.0 / 256));
  cv::Mat out = net.forward();
  std::vector<float> pts(out.ptr<float>(), out.ptr<float>() + 2 * kLandmarkPoints);
  for (int i = 0; i < kLandmarkPoints; ++i) {
    pts[2 * i] = pts[2 * i] * side + left;
    pts[2 * i + 1] = pts[2 * i + 1] * side + top;
  }
  // 68-point (iBUG 300-W) numbering, 0-based: eyelids 37, 38, 40, 41 and 43, 44, 46, 47;
  // nose tip 30; mouth corners 48/60 and 54/64 (outer and inner lip).
  std::array<FacePoint, 5> five;
  five[kLeftEye] = Mean(pts, {37, 38, 40, 41});
  five[kRightEye] = Mean(pts, {43, 44, 46, 47});
  five[kNoseTip] = Mean(pts, {30});
  five[kMouthLeft] = Mean(pts, {48, 60});
  five[kMouthRight] = Mean(pts, {54, 64});
  return five;
}

std::vector<FaceBox> DetectBoxes(cv::dnn::Net& net, const cv::Mat& bgr, float min_score) {
  cv::Mat blob = cv::dnn::blobFromImage(bgr, 1.0 / 128, cv::Size(kDetectorWidth, kDetectorHeight),
                                        cv::Scalar::all(127), /*swapRB=*/true, /*crop=*/false);
  net.setInput(blob);
  std::vector<cv::Mat> outs;
  net.forward(outs, std::vector<cv::String>{"boxes", "scores"});
  const size_t n = outs[0].total() / 4;
  const float* boxes = outs[0].ptr<float>();
  const float* scores = outs[1].ptr<float>();
  std::vector<cv::Rect2d> rects;
  std::vector<float> confidences;
  const double w = bgr.cols, h = bgr.rows;
  for (size_t i = 0; i < n; ++i) {
    const float score = scores[2 * i + 1];
    if (!(score >= min_score)) continue;
    // Boxes are normalised corners; clip to the image.
    const double x1 = std::clamp(double{boxes[4 * i]}, 0.0, 1.0) * w;
    const double y1 = std::clamp(double{boxes[4 * i + 1]}, 0.0, 1.0) * h;
    const double x2 = std::clamp(double{boxes[4 * i + 2]}, 0.0, 1.0) * w;
    const double y2 = std::clamp(double{boxes[4 * i + 3]}, 0.0, 1.0) * h;
    if (x2 - x1 < 4 || y2 - y1 < 4) continue;
    rects.emplace_back(x1, y1, x2 - x1, y2 - y1);
    confidences.push_back(score);
  }
  std::vector<int> keep;
  cv::dnn::NMSBoxes(rects, confidences, min_score, kNmsThreshold, keep);
  std::vector<FaceBox> faces;
  for (int i : keep) {
    const cv::Rect2d& r = rects[i];
    faces.push_back({static_cast<float>(r.x), static_cast<float>(r.y),
                     static_cast<float>(r.x + r.width), static_cast<float>(r.y + r.height),
                     confidences[i]});
  }
  std::stable_sort(faces.begin(), faces.end(), [](const FaceBox& a, const FaceBox& b) {
    return a.width() * a.height() > b.width() * b.height();
  });
  return faces;
}

// The aligned crop; `valid` (optional) receives the mask of crop pixels inside the image.
cv::Mat Align(const cv::Mat& bgr, const FaceDetection& d, cv::Mat* valid = nullptr) {
  cv::Mat m = SimilarityTransform(d.points, ArcFaceReferencePoints());
  cv::Mat crop;
  const cv::Size size(kFaceCropSize, kFaceCropSize);
  cv::warpAffine(bgr, crop, m, size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  if (valid != nullptr) {
    cv::warpAffine(cv::Mat(bgr.size(), CV_8UC1, cv::Scalar(255)), *valid, m, size,
                   cv::INTER_NEAREST, cv::BORDER_CONSTANT, cv::Scalar(0));
  }
  return crop;
}

// `valid` marks the crop pixels that came from inside the image (alignment pads the rest
// with black, which must not count as contrast or edges).
FaceQuality MeasureQuality(const FaceDetection& d, const cv::Mat& crop, const cv::Mat& valid) {
  FaceQuality q;
  const FacePoint& le = d.points[kLeftEye];
  const FacePoint& re = d.points[kRightEye];
  const double ex = re.x - le.x, ey = re.y - le.y;
  q.inter_eye_pixels = std::hypot(ex, ey);
  q.roll_degrees = std::atan2(ey, ex) * 180 / std::numbers::pi;
  if (q.inter_eye_pixels > 1e-3) {
    // Unit vector along the eye line; "down" is perpendicular to it.
    const double ux = ex / q.inter_eye_pixels, uy = ey / q.inter_eye_pixels;
    const double mx = (le.x + re.x) / 2, my = (le.y + re.y) / 2;
    const FacePoint& nose = d.points[kNoseTip];
    const double along = (nose.x - mx) * ux + (nose.y - my) * uy;
    // The nose tip sits about half an eye distance in front of the eye plane, so its
    // sideways shift is roughly that depth times sin(yaw).
    q.yaw_degrees = std::asin(std::clamp(along / (0.5 * q.inter_eye_pixels), -1.0, 1.0)) * 180 /
                    std::numbers::pi;
    const double mouth_x = (d.points[kMouthLeft].x + d.points[kMouthRight].x) / 2;
    const double mouth_y = (d.points[kMouthLeft].y + d.points[kMouthRight].y) / 2;
    const double eyes_to_nose = -(nose.x - mx) * uy + (nose.y - my) * ux;
    const double nose_to_mouth = -(mouth_x - nose.x) * uy + (mouth_y - nose.y) * ux;
    q.pitch_ratio = nose_to_mouth > 1e-3 ? eyes_to_nose / nose_to_mouth : 0;
  }
  cv::Mat grey, lap, inner;
  cv::cvtColor(crop, grey, cv::COLOR_BGR2GRAY);
  // The Laplacian reaches one pixel around each point: keep points 2 pixels inside.
  cv::erode(valid, inner, cv::Mat(), cv::Point(-1, -1), 2);
  const int n = cv::countNonZero(inner);
  if (n < 64) return q;  // too little of the face lies in the image: score stays 0
  cv::Laplacian(grey, lap, CV_64F);
  cv::Scalar mean, sd;
  cv::meanStdDev(lap, mean, sd, inner);
  q.sharpness = sd[0] * sd[0];
  cv::meanStdDev(grey, mean, sd, inner);
  q.brightness = mean[0];
  q.contrast = sd[0];
  const int clipped =
      cv::countNonZero((grey <= 5) & inner) + cv::countNonZero((grey >= 250) & inner);
  q.clipped_fraction = clipped / static_cast<double>(n);
  q.score = FaceQualityScore(q);
  return q;
}

}  // namespace

Result<std::vector<FaceDetection>> FaceEngine::Detect(const Image& image, float min_score) {
  SIJIL_ASSIGN_OR_RETURN(cv::Mat bgr, ToBgr(image));
  try {
    std::lock_guard lock(models_->mu);
    std::vector<FaceDetection> out;
    for (const FaceBox& box : DetectBoxes(models_->detector, bgr, min_score)) {
      out.push_back({box, FivePoints(models_->landmarks, bgr, box)});
    }
    return out;
  } catch (const cv::Exception& e) {
    return OpenCvError(e);
  }
}

Result<Image> FaceEngine::AlignedCrop(const Image& image, const FaceDetection& detection) {
  SIJIL_ASSIGN_OR_RETURN(cv::Mat bgr, ToBgr(image));
  try {
    return FromMat(Align(bgr, detection));
  } catch (const cv::Exception& e) {
    return OpenCvError(e);
  }
}

Result<FaceTemplate> FaceEngine::Extract(const Image& image, const FaceExtractOptions& options) {
  SIJIL_ASSIGN_OR_RETURN(cv::Mat bgr, ToBgr(image));
  try {
    std::lock_guard lock(models_->mu);
    FaceTemplate t;
    std::vector<FaceBox> boxes = DetectBoxes(models_->detector, bgr, options.min_detection_score);
    t.faces_found = static_cast<int>(boxes.size());
    FaceBox box;
    if (!boxes.empty()) {
      box = boxes.front();
      t.detected = true;
    } else if (options.whole_image_fallback) {
      box = {0, 0, static_cast<float>(bgr.cols), static_cast<float>(bgr.rows), 0};
    } else {
      return BioStatus(BioErrorCode::kBiometricsNotFound, "no face found in the image");
    }
    t.detection = {box, FivePoints(models_->landmarks, bgr, box)};
    cv::Mat valid;
    cv::Mat crop = Align(bgr, t.detection, &valid);
    models_->embedding.setInput(cv::dnn::blobFromImage(crop, 1.0 / 128, cv::Size(),
                                                       cv::Scalar::all(127),
                                                       /*swapRB=*/true, /*crop=*/false));
    cv::Mat out = models_->embedding.forward();
    if (out.total() != kFaceEmbeddingSize) {
      return ModelError("face model", "output is not 512 values");
    }
    const float* v = out.ptr<float>();
    double norm = 0;
    for (int i = 0; i < kFaceEmbeddingSize; ++i) norm += double{v[i]} * v[i];
    norm = std::sqrt(norm);
    if (!(norm > 1e-12) || !std::isfinite(norm)) {
      return BioStatus(BioErrorCode::kUnknown, "face model produced a degenerate embedding");
    }
    t.embedding.resize(kFaceEmbeddingSize);
    for (int i = 0; i < kFaceEmbeddingSize; ++i) {
      t.embedding[i] = static_cast<float>(v[i] / norm);
    }
    t.quality = MeasureQuality(t.detection, crop, valid);
    return t;
  } catch (const cv::Exception& e) {
    return OpenCvError(e);
  }
}

Result<Image> FaceRecordImage(std::span<const uint8_t> record, const ImageLimits& limits) {
  SIJIL_ASSIGN_OR_RETURN(FaceImageRecord rec, ParseFaceImageRecord(record));
  if (rec.representations.empty()) {
    return BioStatus(BioErrorCode::kBiometricsNotFound, "face record holds no image");
  }
  return DecodeFaceImage(rec.representations.front(), limits);
}

namespace {

// Next header token of a PGM file (skips white space and # comments).
bool PgmToken(std::span<const uint8_t> data, size_t& pos, uint64_t& value) {
  while (pos < data.size()) {
    if (data[pos] == '#') {
      while (pos < data.size() && data[pos] != '\n') ++pos;
    } else if (std::isspace(data[pos])) {
      ++pos;
    } else {
      break;
    }
  }
  size_t digits = 0;
  value = 0;
  while (pos < data.size() && data[pos] >= '0' && data[pos] <= '9' && digits < 9) {
    value = value * 10 + (data[pos] - '0');
    ++pos, ++digits;
  }
  return digits > 0 && digits < 9;
}

}  // namespace

Result<Image> DecodeFaceImageFile(std::span<const uint8_t> data, const ImageLimits& limits) {
  if (data.size() < 2 || data[0] != 'P' || data[1] != '5') return DecodeImage(data, limits);
  size_t pos = 2;
  uint64_t w = 0, h = 0, maxval = 0;
  if (!PgmToken(data, pos, w) || !PgmToken(data, pos, h) || !PgmToken(data, pos, maxval)) {
    return InvalidBioInput("PGM: malformed header");
  }
  if (maxval == 0 || maxval > 255) {
    return BioStatus(BioErrorCode::kInvalidInput, StatusKind::kUnimplemented,
                     "PGM: only 8-bit images are supported");
  }
  if (pos >= data.size() || !std::isspace(data[pos])) {
    return InvalidBioInput("PGM: malformed header");
  }
  ++pos;  // the single white-space byte before the pixels
  SIJIL_RETURN_IF_ERROR(CheckImageSize(w, h, limits));
  if (w == 0 || h == 0) return InvalidBioInput("PGM: empty image");
  if (data.size() - pos < w * h) return InvalidBioInput("PGM: truncated pixel data");
  Image img;
  img.width = static_cast<uint32_t>(w);
  img.height = static_cast<uint32_t>(h);
  img.channels = 1;
  img.pixels.assign(data.begin() + pos, data.begin() + pos + w * h);
  if (maxval != 255) {
    for (uint8_t& p : img.pixels)
      p = static_cast<uint8_t>(std::min<uint64_t>(p, maxval) * 255 / maxval);
  }
  return img;
}

}  // namespace sijil::biometrics
