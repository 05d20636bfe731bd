// `sijil biometrics extract`, `extract-check` and `synth`: minutiae extraction from images,
// its agreement with reference templates, and synthetic fingerprint generation.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <numbers>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "sijil/base/encoding.h"
#include "sijil/base/env.h"
#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/finger_extractor.h"
#include "sijil/biometrics/finger_minutiae_record.h"
#include "sijil/biometrics/image_codec.h"
#include "sijil/biometrics/internal/minutiae_agreement.h"
#include "sijil/biometrics/iris_code.h"
#include "sijil/biometrics/iris_image_record.h"
#include "sijil/biometrics/iris_pipeline.h"
#include "sijil/biometrics/iris_polar.h"
#include "sijil/server/command.h"
#include "sijil/server/commands/biometrics_eval.h"
#include "sijil/server/commands/biometrics_face.h"

namespace sijil::cli {
namespace {

namespace fs = std::filesystem;
namespace bio = sijil::biometrics;
using nlohmann::json;

// OpenCV's grey decode of an image file's bytes; empty when it cannot decode them.
cv::Mat DecodeGray(const std::string& bytes) {
  std::vector<uint8_t> buf(bytes.begin(), bytes.end());
  try {
    return cv::imdecode(buf, cv::IMREAD_GRAYSCALE);
  } catch (const cv::Exception&) {
    return cv::Mat();
  }
}

Result<cv::Mat> LoadImage(Env& env, const fs::path& path) {
  SIJIL_ASSIGN_OR_RETURN(std::string bytes, env.ReadFile(path));
  cv::Mat img = DecodeGray(bytes);
  if (img.empty()) {
    return Status::InvalidArgument("IDA-BIA-011", "cannot decode image " + path.string());
  }
  return img;
}

Status WritePng(Env& env, const fs::path& path, const cv::Mat& img) {
  std::vector<uint8_t> buf;
  if (!cv::imencode(".png", img, buf)) {
    return Status::Internal("SIJ-BIO-101", "cannot encode PNG " + path.string());
  }
  return env.WriteFileAtomic(
      path, std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()),
      fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
          fs::perms::others_read);
}

void DrawMinutiae(cv::Mat& bgr, const std::vector<bio::Minutia>& ms, cv::Scalar colour, float dx,
                  float dy, double scale) {
  for (const bio::Minutia& m : ms) {
    cv::Point2d p((m.x + dx) * scale, (m.y + dy) * scale);
    cv::Point2d q(p.x + 10 * std::cos(m.angle), p.y - 10 * std::sin(m.angle));
    if (m.type == bio::MinutiaType::kBifurcation) {
      cv::rectangle(bgr, cv::Rect(cv::Point(p) - cv::Point(3, 3), cv::Size(7, 7)), colour, 1);
    } else {
      cv::circle(bgr, p, 4, colour, 1);
    }
    cv::line(bgr, p, q, colour, 1);
  }
}

// Writes mask, enhancement, skeleton and an overlay (ours red, reference green) for `stem`.
Status WriteDebug(Env& env, const fs::path& dir, const std::string& stem, const cv::Mat& image,
                  const bio::ExtractionDetail& d, const std::vector<bio::Minutia>* reference,
                  float dx, float dy) {
  SIJIL_RETURN_IF_ERROR(env.CreateDirectories(dir));
  cv::Mat enh;
  cv::normalize(d.enhanced, enh, 0, 255, cv::NORM_MINMAX, CV_8U);
  SIJIL_RETURN_IF_ERROR(WritePng(env, dir / (stem + "_enh.png"), enh));
  cv::Mat overlay;
  cv::cvtColor(image, overlay, cv::COLOR_GRAY2BGR);
  if (d.scale == 1.0) {
    overlay.setTo(cv::Scalar(255, 160, 0), d.skeleton);
  }
  cv::Mat edge;
  cv::morphologyEx(d.mask, edge, cv::MORPH_GRADIENT, cv::Mat());
  if (d.scale == 1.0) overlay.setTo(cv::Scalar(0, 200, 255), edge);
  if (reference) DrawMinutiae(overlay, *reference, cv::Scalar(0, 200, 0), dx, dy, 1.0);
  DrawMinutiae(overlay, d.finger.minutiae, cv::Scalar(0, 0, 255), 0, 0, 1.0);
  return WritePng(env, dir / (stem + "_overlay.png"), overlay);
}

struct ExtractOptions {
  std::string input;
  std::string output;
  std::string modality = "finger";
  std::string models_dir;   // --face-models
  std::string config_path;  // the global --config, for the face model keys
  int dpi = 500;
  bool json = false;
};

int ExtractFailed(const Status& s, bool json) {
  if (json) {
    std::cout << json::object({{"error", {{"code", s.code()}, {"message", s.message()}}}}).dump()
              << "\n";
  } else {
    std::cerr << s.ToString() << "\n";
  }
  return 2;
}

// An eye image, or the first image of an ISO/IEC 19794-6 record, which may be an
// unsegmented polar image (kind 16) rather than an eye.
struct IrisInput {
  cv::Mat image;
  bool polar = false;
  std::string kind = "eye image";
};

Result<IrisInput> LoadIrisInput(Env& env, const fs::path& path) {
  SIJIL_ASSIGN_OR_RETURN(std::string raw, env.ReadFile(path));
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
  IrisInput in;
  if (raw.size() >= 4 && raw.compare(0, 4, std::string("IIR\0", 4)) == 0) {
    SIJIL_ASSIGN_OR_RETURN(bio::IrisImageRecord rec, bio::ParseIrisImageRecord(bytes));
    if (rec.representations.empty()) {
      return bio::MissingBioInput("iris record " + path.string() + " holds no image");
    }
    const bio::IrisImageRepresentation& rep = rec.representations.front();
    in.polar = rep.image_type == bio::kIrisImageUnsegmentedPolar;
    in.kind = bio::IrisImageKindName(rep.image_type);
    SIJIL_ASSIGN_OR_RETURN(bio::Image image,
                           in.polar ? bio::DecodeIrisImage(rep) : bio::DecodeIrisEyeImage(rep));
    in.image = bio::ToMat(image).clone();
    return in;
  }
  in.image = DecodeGray(raw);
  if (in.image.empty()) {
    // OpenCV lacks some JPEG 2000 variants that our own decoder reads.
    Result<bio::Image> decoded = bio::DecodeImage(bytes);
    if (!decoded.ok()) return bio::InvalidBioInput("cannot decode image " + path.string());
    in.image = bio::ToMat(*decoded).clone();
  }
  return in;
}

// `extract --modality iris`: eye image or iris record -> stored iris code (.sic).
int RunIrisExtract(const ExtractOptions& o) {
  Env& env = Env::Default();
  Result<IrisInput> in = LoadIrisInput(env, o.input);
  if (!in.ok()) return ExtractFailed(in.status(), o.json);
  const auto t0 = env.MonotonicNow();
  Result<bio::IrisExtraction> x =
      in->polar ? bio::ExtractIrisFromPolar(in->image) : bio::ExtractIris(in->image);
  const double ms = std::chrono::duration<double, std::milli>(env.MonotonicNow() - t0).count();
  if (!x.ok()) return ExtractFailed(x.status(), o.json);
  if (!o.output.empty()) {
    const Bytes code = bio::SerializeIrisCode(x->code);
    Status s = env.WriteFileAtomic(
        o.output, std::string_view(reinterpret_cast<const char*>(code.data()), code.size()),
        fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    if (!s.ok()) return ExtractFailed(s, o.json);
  }
  const bio::IrisSegmentation& seg = x->segmentation;
  const bio::IrisQuality& q = x->quality;
  if (o.json) {
    json j = {{"modality", "iris"},
              {"image_kind", in->kind},
              {"quality", q.score},
              {"extraction_ms", ms},
              {"pupil", {{"x", seg.pupil.x}, {"y", seg.pupil.y}, {"r", seg.pupil.r}}},
              {"iris", {{"x", seg.iris.x}, {"y", seg.iris.y}, {"r", seg.iris.r}}},
              {"usable_area", q.usable_area},
              {"sharpness", q.sharpness},
              {"pupil_iris_ratio", q.pupil_iris_ratio},
              {"concentricity", q.concentricity},
              {"reasons", q.reasons}};
    std::cout << j.dump() << "\n";
  } else {
    std::printf("iris (%s) quality %d, pupil r %.1f, iris r %.1f, usable %.0f%%, %.1f ms%s\n",
                in->kind.c_str(), q.score, seg.pupil.r, seg.iris.r, 100 * q.usable_area, ms,
                o.output.empty() ? "" : (", written to " + o.output).c_str());
    for (const std::string& r : q.reasons) std::cout << "  " << r << "\n";
  }
  return 0;
}

int RunExtract(const ExtractOptions& o) {
  if (o.modality == "iris") return RunIrisExtract(o);
  if (o.modality == "face") {
    return RunFaceExtract({.input = o.input,
                           .output = o.output,
                           .config_path = o.config_path,
                           .models_dir = o.models_dir,
                           .json = o.json});
  }
  Env& env = Env::Default();
  Result<cv::Mat> img = LoadImage(env, o.input);
  if (!img.ok()) {
    std::cerr << img.status().ToString() << "\n";
    return 2;
  }
  bio::FingerExtractor extractor;
  auto t0 = env.MonotonicNow();
  Result<bio::ExtractionDetail> d = extractor.ExtractDetailed(*img, o.dpi);
  double ms = std::chrono::duration<double, std::milli>(env.MonotonicNow() - t0).count();
  if (!d.ok()) {
    std::cerr << d.status().ToString() << "\n";
    return 2;
  }
  if (!o.output.empty()) {
    Result<Bytes> rec = bio::SerializeFingerMinutiaeRecord(
        bio::FromFingerTemplate(d->finger, bio::MinutiaeRecordFormat::kIso2005));
    if (!rec.ok()) {
      std::cerr << rec.status().ToString() << "\n";
      return 2;
    }
    Status s = env.WriteFileAtomic(
        o.output, std::string_view(reinterpret_cast<const char*>(rec->data()), rec->size()),
        fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    if (!s.ok()) {
      std::cerr << s.ToString() << "\n";
      return 2;
    }
  }
  const bio::QualityFeatures& q = d->quality.features;
  if (o.json) {
    json j = {{"minutiae", d->finger.minutiae.size()},
              {"quality", d->quality.score},
              {"extraction_ms", ms},
              {"width", d->finger.width},
              {"height", d->finger.height},
              {"features",
               {{"foreground_mm2", q.foreground_mm2},
                {"orientation_certainty", q.orientation_certainty},
                {"ridge_clarity", q.ridge_clarity},
                {"period_valid_fraction", q.period_valid_fraction},
                {"period_spread", q.period_spread},
                {"ridge_period_px", q.ridge_period_px}}}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << d->finger.minutiae.size() << " minutiae, quality " << int{d->quality.score} << ", "
              << ms << " ms" << (o.output.empty() ? "" : ", written to " + o.output) << "\n";
  }
  return 0;
}

struct CheckOptions {
  std::vector<std::string> dbs;
  std::string debug_dir;
  std::string save_dir;
  float distance = 12.0f;
  float angle_deg = 30.0f;
  bool json = false;
};

// Compares our extraction with the template beside every image of each database folder.
int RunExtractCheck(const CheckOptions& o) {
  Env& env = Env::Default();
  bio::FingerExtractor extractor;
  json all = json::array();
  const float max_angle = o.angle_deg * std::numbers::pi_v<float> / 180.0f;
  for (const std::string& db : o.dbs) {
    std::vector<fs::path> images;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(db, ec)) {
      if (e.path().extension() == ".tif" || e.path().extension() == ".png")
        images.push_back(e.path());
    }
    if (ec) {
      std::cerr << "cannot list " << db << ": " << ec.message() << "\n";
      return 2;
    }
    std::sort(images.begin(), images.end());
    long ref_total = 0, ext_total = 0, paired = 0, same_type = 0, paired_any_angle = 0,
         paired_flipped = 0;
    double total_ms = 0, max_ms = 0, quality_sum = 0;
    int count = 0, failures = 0, resized_count = 0;
    for (const fs::path& path : images) {
      Result<cv::Mat> img = LoadImage(env, path);
      if (!img.ok()) {
        ++failures;
        continue;
      }
      auto t0 = env.MonotonicNow();
      Result<bio::ExtractionDetail> d = extractor.ExtractDetailed(*img);
      double ms = std::chrono::duration<double, std::milli>(env.MonotonicNow() - t0).count();
      if (!d.ok()) {
        ++failures;
        continue;
      }
      ++count;
      total_ms += ms;
      max_ms = std::max(max_ms, ms);
      quality_sum += d->quality.score;
      fs::path iso = path;
      iso.replace_extension(".iso");
      Result<std::string> rec = env.ReadFile(iso);
      std::vector<bio::Minutia> reference;
      float dx = 0, dy = 0;
      if (rec.ok()) {
        Result<bio::FingerTemplate> ref = bio::ParseFingerTemplate(AsBytes(*rec));
        if (ref.ok()) {
          reference = ref->minutiae;
          // The reference templates describe the image either centre-cropped/padded to the
          // record's declared size, or resized to it (FVC2004 DB1's 640x480 images in
          // 300x400 records); each image uses the geometry under which more minutiae pair.
          double sx = static_cast<double>(ref->width) / img->cols;
          double sy = static_cast<double>(ref->height) / img->rows;
          dx = static_cast<float>(img->cols - ref->width) / 2.0f;
          dy = static_cast<float>(img->rows - ref->height) / 2.0f;
          auto compare = [&](std::vector<bio::Minutia> ours, bool resized, float max_angle_rad) {
            if (resized) {
              for (bio::Minutia& m : ours) {
                m.x = static_cast<uint16_t>(std::lround(m.x * sx));
                m.y = static_cast<uint16_t>(std::lround(m.y * sy));
                double a = std::atan2(sy * std::sin(m.angle), sx * std::cos(m.angle));
                if (a < 0) a += 2 * std::numbers::pi;
                m.angle = static_cast<float>(a);
              }
            }
            return bio::internal::CompareMinutiae(ours, reference, resized ? 0.0f : dx,
                                                  resized ? 0.0f : dy, o.distance, max_angle_rad);
          };
          auto a = compare(d->finger.minutiae, false, max_angle);
          bool resized = false;
          if (ref->width != img->cols || ref->height != img->rows) {
            auto b = compare(d->finger.minutiae, true, max_angle);
            if (b.paired > a.paired) {
              a = b;
              resized = true;
              ++resized_count;
            }
          }
          auto any = compare(d->finger.minutiae, resized, 10.0f);
          std::vector<bio::Minutia> flipped = d->finger.minutiae;
          for (auto& m : flipped) {
            m.angle = std::fmod(m.angle + std::numbers::pi_v<float>, 2 * std::numbers::pi_v<float>);
          }
          auto fl = compare(flipped, resized, max_angle);
          ref_total += a.reference;
          ext_total += a.extracted;
          paired += a.paired;
          same_type += a.same_type;
          paired_any_angle += any.paired;
          paired_flipped += fl.paired;
        }
      }
      if (!o.save_dir.empty()) {
        Result<Bytes> bytes = bio::SerializeFingerMinutiaeRecord(
            bio::FromFingerTemplate(d->finger, bio::MinutiaeRecordFormat::kIso2005));
        fs::path out = fs::path(o.save_dir) / fs::path(db).filename();
        Status s = bytes.ok() ? env.CreateDirectories(out) : bytes.status();
        if (s.ok()) {
          s = env.WriteFileAtomic(
              out / (path.stem().string() + ".iso"),
              std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
        }
        if (!s.ok()) std::cerr << s.ToString() << "\n";
      }
      if (!o.debug_dir.empty()) {
        Status s =
            WriteDebug(env, fs::path(o.debug_dir) / fs::path(db).filename(), path.stem().string(),
                       *img, *d, reference.empty() ? nullptr : &reference, dx, dy);
        if (!s.ok()) std::cerr << s.ToString() << "\n";
      }
    }
    json r = {
        {"db", fs::path(db).filename().string()},
        {"images", count},
        {"failures", failures},
        {"reference_resized", resized_count},
        {"reference_minutiae", ref_total},
        {"extracted_minutiae", ext_total},
        {"paired", paired},
        {"recall", ref_total ? static_cast<double>(paired) / ref_total : 0.0},
        {"false_fraction", ext_total ? 1.0 - static_cast<double>(paired) / ext_total : 0.0},
        {"type_agreement", paired ? static_cast<double>(same_type) / paired : 0.0},
        {"recall_position_only",
         ref_total ? static_cast<double>(paired_any_angle) / ref_total : 0.0},
        {"recall_angle_flipped", ref_total ? static_cast<double>(paired_flipped) / ref_total : 0.0},
        {"mean_extraction_ms", count ? total_ms / count : 0.0},
        {"max_extraction_ms", max_ms},
        {"mean_quality", count ? quality_sum / count : 0.0}};
    all.push_back(r);
    if (!o.json) {
      std::printf(
          "%s: %d images, reference %ld, ours %ld, paired %ld: recall %.3f, false %.3f, "
          "type agreement %.3f (position only %.3f, flipped angle %.3f), %.1f ms mean, "
          "%.1f ms max, quality %.1f, resized reference geometry %d\n",
          r["db"].get<std::string>().c_str(), count, ref_total, ext_total, paired,
          r["recall"].get<double>(), r["false_fraction"].get<double>(),
          r["type_agreement"].get<double>(), r["recall_position_only"].get<double>(),
          r["recall_angle_flipped"].get<double>(), r["mean_extraction_ms"].get<double>(), max_ms,
          r["mean_quality"].get<double>(), resized_count);
    }
  }
  if (o.json) std::cout << json{{"databases", all}}.dump() << "\n";
  return 0;
}

void SetupBiometricsExtract(CLI::App& root, CommandContext& ctx) {
  CLI::App* group = BiometricsGroup(root);

  auto extract_opts = std::make_shared<ExtractOptions>();
  CLI::App* extract =
      group->add_subcommand("extract",
                            "Extract a template: minutiae from a fingerprint image, an iris code "
                            "from an eye or polar iris image, or a face embedding");
  extract
      ->add_option("image", extract_opts->input,
                   "Image file (TIFF, PNG, JPEG, JPEG 2000, BMP); for iris also a 19794-6 record")
      ->required();
  extract->add_option("-o,--output", extract_opts->output,
                      "Write the template here: an ISO/IEC 19794-2:2005 record (finger) or a "
                      "stored iris code .sic (iris) or a stored face embedding (face)");
  extract->add_option("--modality", extract_opts->modality, "finger (default), iris or face")
      ->check(CLI::IsMember({"finger", "iris", "face"}));
  extract->add_option("--face-models", extract_opts->models_dir,
                      "Folder with the face models (overrides biometrics.face.*)");
  extract->add_option("--dpi", extract_opts->dpi, "Scan resolution of the image")
      ->check(CLI::Range(250, 2000));
  extract->add_flag("--json", extract_opts->json, "Print one JSON object");
  extract->callback([extract_opts, &ctx] {
    extract_opts->config_path = ctx.config_path;
    ctx.exit_code = RunExtract(*extract_opts);
  });

  auto check_opts = std::make_shared<CheckOptions>();
  CLI::App* check = group->add_subcommand(
      "extract-check",
      "Compare our extraction with the .iso template beside each image of a folder");
  check->add_option("--db", check_opts->dbs, "Folder(s) laid out like fvc2004/DB1_B")->required();
  check->add_option("--debug-dir", check_opts->debug_dir,
                    "Write overlays and enhanced images here");
  check->add_option("--save-templates", check_opts->save_dir,
                    "Write our ISO/IEC 19794-2:2005 templates here, one folder per database");
  check->add_option("--distance", check_opts->distance, "Pairing distance in pixels");
  check->add_option("--angle", check_opts->angle_deg, "Pairing angle tolerance in degrees");
  check->add_flag("--json", check_opts->json, "Print one JSON object");
  check->callback([check_opts, &ctx] { ctx.exit_code = RunExtractCheck(*check_opts); });
}

SIJIL_REGISTER_COMMAND(410, "biometrics-extract", SetupBiometricsExtract);

}  // namespace
}  // namespace sijil::cli
