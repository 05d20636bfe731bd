// `sijil biometrics info FILE [--json]`: what a biometric record holds. Detects ISO/IEC
// 19794-2 (2005/2011) and ANSI 378 minutiae records, 19794-4 finger, -5 face and -6 iris
// image records (2005/2011), CBEFF XML (each BIR and the record inside its BDB), and bare
// WSQ / JPEG 2000 / JPEG / PNG images.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "sijil/base/env.h"
#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/cbeff.h"
#include "sijil/biometrics/face_image_record.h"
#include "sijil/biometrics/face_matcher.h"
#include "sijil/biometrics/finger_image_record.h"
#include "sijil/biometrics/finger_minutiae_record.h"
#include "sijil/biometrics/image_codec.h"
#include "sijil/biometrics/iris_code.h"
#include "sijil/biometrics/iris_image_record.h"
#include "sijil/biometrics/iris_polar.h"
#include "sijil/biometrics/record_header.h"
#include "sijil/biometrics/wsq.h"
#include "sijil/server/command.h"
#include "sijil/server/commands/biometrics_eval.h"

namespace sijil::cli {
namespace {

using namespace sijil::biometrics;
using nlohmann::json;

struct InfoArgs {
  std::string file;
  bool json = false;
};

json Quality(const RepresentationCaptureInfo& c) {
  json q = json::array();
  for (const auto& b : c.quality_blocks) {
    q.push_back({{"score", b.score}, {"vendor", b.vendor}, {"algorithm", b.algorithm}});
  }
  return q;
}

json Capture(const RepresentationCaptureInfo& c) {
  json j = {{"device_technology", c.device_technology},
            {"device_vendor", c.device_vendor_id},
            {"device_type", c.device_type_id},
            {"quality", Quality(c)},
            {"certifications", c.certification_blocks.size()}};
  if (c.capture_time.specified()) j["capture_time"] = c.capture_time.ToIso8601();
  return j;
}

// Size of the embedded image as its own header says, or the decode error.
json ImageSummary(std::span<const uint8_t> data) {
  json j = {{"bytes", data.size()}, {"codec", ImageCodecName(SniffImageCodec(data))}};
  if (SniffImageCodec(data) == ImageCodec::kUnknown) return j;
  auto img = DecodeImage(data);
  if (img.ok()) {
    j["decoded"] = {{"width", img->width}, {"height", img->height}, {"channels", img->channels}};
  } else {
    j["decode_error"] = img.status().ToString();
  }
  return j;
}

Result<json> DescribeBytes(std::span<const uint8_t> data, int depth);

Result<json> DescribeFingerImage(std::span<const uint8_t> data) {
  SIJIL_ASSIGN_OR_RETURN(FingerImageRecord rec, ParseFingerImageRecord(data));
  json reps = json::array();
  for (const auto& r : rec.representations) {
    json j = {{"position", r.position},
              {"view_number", r.view_number},
              {"impression_type", r.impression_type},
              {"width", r.width},
              {"height", r.height},
              {"resolution", {r.image_resolution_x, r.image_resolution_y}},
              {"scale_units", r.scale_units == 2 ? "ppcm" : "ppi"},
              {"bit_depth", r.bit_depth},
              {"compression", FingerImageCompressionName(r.compression)},
              {"image", ImageSummary(r.image_data)}};
    if (rec.edition == RecordEdition::k2005) {
      j["quality"] = r.quality;
    } else {
      j["capture"] = Capture(r.capture);
    }
    if (r.compression == FingerImageCompression::kUncompressed ||
        r.compression == FingerImageCompression::kUncompressedBitPacked) {
      auto img = DecodeFingerImage(r);
      j["image"]["decoded"] = img.ok() ? json{{"width", img->width}, {"height", img->height}}
                                       : json(img.status().ToString());
    }
    reps.push_back(j);
  }
  json out = {{"format", BiometricFormatName(BiometricFormat::kFingerImage)},
              {"edition", RecordEditionName(rec.edition)},
              {"representations", reps}};
  if (rec.edition == RecordEdition::k2005) out["acquisition_level"] = rec.acquisition_level;
  return out;
}

Result<json> DescribeFace(std::span<const uint8_t> data) {
  SIJIL_ASSIGN_OR_RETURN(FaceImageRecord rec, ParseFaceImageRecord(data));
  json reps = json::array();
  for (const auto& r : rec.representations) {
    json j = {{"face_image_type", r.face_image_type},
              {"image_data_type", FaceImageDataTypeName(r.data_type)},
              {"width", r.width},
              {"height", r.height},
              {"gender", r.gender},
              {"landmarks", r.landmarks.size()},
              {"image", ImageSummary(r.image_data)}};
    if (rec.edition == RecordEdition::k2005) {
      j["quality"] = r.quality;
    } else {
      j["capture"] = Capture(r.capture);
    }
    reps.push_back(j);
  }
  return json{{"format", BiometricFormatName(BiometricFormat::kFaceImage)},
              {"edition", RecordEditionName(rec.edition)},
              {"representations", reps}};
}

Result<json> DescribeIris(std::span<const uint8_t> data) {
  SIJIL_ASSIGN_OR_RETURN(IrisImageRecord rec, ParseIrisImageRecord(data));
  json reps = json::array();
  for (const auto& r : rec.representations) {
    json j = {{"eye", EyeLabelName(r.eye)}, {"image_format", r.image_format},
              {"width", r.width},           {"height", r.height},
              {"bit_depth", r.bit_depth},   {"image", ImageSummary(r.image_data)}};
    if (rec.edition == RecordEdition::k2005) {
      j["quality"] = r.quality;
    } else {
      j["image_type"] = r.image_type;
      j["image_kind"] = IrisImageKindName(r.image_type);
      j["capture"] = Capture(r.capture);
    }
    reps.push_back(j);
  }
  return json{{"format", BiometricFormatName(BiometricFormat::kIrisImage)},
              {"edition", RecordEditionName(rec.edition)},
              {"representations", reps}};
}

Result<json> DescribeMinutiae(std::span<const uint8_t> data) {
  SIJIL_ASSIGN_OR_RETURN(FingerMinutiaeRecord rec, ParseFingerMinutiaeRecord(data));
  json views = json::array();
  for (const auto& v : rec.views) {
    json q = json::array();
    for (const auto& b : v.capture.quality_blocks) q.push_back(b.score);
    json view = {{"position", v.position},
                 {"view_number", v.view_number},
                 {"impression_type", v.impression_type},
                 {"quality", rec.format == MinutiaeRecordFormat::kIso2011 ? q : json(v.quality)},
                 {"minutiae", v.minutiae.size()},
                 {"extended_blocks", v.extended.size()}};
    if (rec.format == MinutiaeRecordFormat::kIso2011) view["capture"] = Capture(v.capture);
    views.push_back(std::move(view));
  }
  json out = {{"format", MinutiaeRecordFormatName(rec.format)}, {"views", views}};
  if (rec.format != MinutiaeRecordFormat::kIso2011) {
    out["width"] = rec.width;
    out["height"] = rec.height;
    out["resolution_ppcm"] = {rec.x_resolution_ppcm, rec.y_resolution_ppcm};
  }
  return out;
}

json RegistryJson(const std::optional<RegistryId>& id) {
  if (!id) return nullptr;
  return {{"organization", id->organization}, {"type", id->type}};
}

json JoinWords(const std::vector<std::string>& w) {
  std::string s;
  for (const auto& x : w) s += (s.empty() ? "" : " ") + x;
  return s;
}

json DescribeBir(const Bir& bir, int depth) {
  json j = json::object();
  if (bir.version)
    j["version"] = std::to_string(bir.version->major) + "." + std::to_string(bir.version->minor);
  if (bir.bdb_info) {
    const BdbInfo& b = *bir.bdb_info;
    j["type"] = JoinWords(b.type);
    if (b.subtype) j["subtype"] = JoinWords(*b.subtype);
    j["format"] = RegistryJson(b.format);
    if (b.level) j["level"] = *b.level;
    if (b.purpose) j["purpose"] = *b.purpose;
    if (b.creation_date) j["creation_date"] = *b.creation_date;
    if (b.quality) {
      j["quality"] = {{"score", b.quality->score ? json(*b.quality->score) : json(nullptr)},
                      {"algorithm", RegistryJson(b.quality->algorithm)}};
    }
  }
  if (bir.bdb) {
    auto inner = DescribeBytes(*bir.bdb, depth + 1);
    j["bdb"] = inner.ok() ? *inner
                          : json{{"bytes", bir.bdb->size()}, {"error", inner.status().ToString()}};
  }
  if (bir.sb) j["sb_bytes"] = bir.sb->size();
  if (!bir.others.empty()) {
    json o = json::object();
    for (const auto& [k, v] : bir.others) o[k] = v.size() > 80 ? v.substr(0, 77) + "..." : v;
    j["others"] = o;
  }
  if (!bir.children.empty()) {
    json c = json::array();
    for (const Bir& child : bir.children) c.push_back(DescribeBir(child, depth + 1));
    j["birs"] = c;
  }
  return j;
}

Result<json> DescribeBytes(std::span<const uint8_t> data, int depth) {
  if (depth > 4) return InvalidBioInput("records nested too deeply");
  BiometricFormat f = DetectBiometricFormat(data);
  switch (f) {
    case BiometricFormat::kFingerMinutiaeIso2005:
    case BiometricFormat::kFingerMinutiaeIso2011:
    case BiometricFormat::kFingerMinutiaeAnsi378:
      return DescribeMinutiae(data);
    case BiometricFormat::kFingerImage:
      return DescribeFingerImage(data);
    case BiometricFormat::kFaceImage:
      return DescribeFace(data);
    case BiometricFormat::kIrisImage:
      return DescribeIris(data);
    case BiometricFormat::kCbeffXml: {
      SIJIL_ASSIGN_OR_RETURN(Bir bir, ParseCbeffXml(AsChars(data)));
      json j = DescribeBir(bir, depth);
      j["format"] = BiometricFormatName(f);
      return j;
    }
    case BiometricFormat::kWsq: {
      SIJIL_ASSIGN_OR_RETURN(WsqInfo info, ReadWsqInfo(data));
      json j = {{"format", BiometricFormatName(f)},
                {"width", info.width},
                {"height", info.height},
                {"ppi", info.ppi}};
      if (info.bitrate > 0) j["bitrate"] = info.bitrate;
      return j;
    }
    case BiometricFormat::kJpeg2000:
    case BiometricFormat::kJpeg:
    case BiometricFormat::kPng: {
      json j = ImageSummary(data);
      j["format"] = BiometricFormatName(f);
      return j;
    }
    case BiometricFormat::kUnknown:
      break;
  }
  // Sijil's own stored templates (no standard interchange format exists for either).
  if (LooksLikeIrisCode(data)) {
    SIJIL_ASSIGN_OR_RETURN(IrisCode code, ParseIrisCode(data));
    return json{{"format", "Sijil stored iris code"},
                {"rows", kIrisRows},
                {"columns", kIrisColumns},
                {"valid_bits", code.ValidBits()},
                {"bytes", data.size()}};
  }
  if (data.size() >= 4 && AsChars(data.first(4)) == std::string_view("SFE\0", 4)) {
    SIJIL_ASSIGN_OR_RETURN(std::vector<float> embedding, ParseFaceEmbedding(data));
    return json{{"format", "Sijil stored face embedding"},
                {"dimensions", embedding.size()},
                {"bytes", data.size()}};
  }
  // Encrypted or encoded records (MOSIP ships some as base64url text) deserve a precise hint.
  bool text = !data.empty() && std::all_of(data.begin(), data.end(), [](uint8_t c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '+' || c == '/' || c == '=' ||
           c == '.' || c == '\n' || c == '\r';
  });
  if (text) {
    return InvalidBioInput(
        "the file is base64/base64url text (an encrypted or encoded record), not a binary "
        "biometric record");
  }
  return InvalidBioInput("not a known biometric record or image format");
}

// Human-readable rendering of the description: one "key: value" line per scalar, nested
// objects and arrays indented.
void PrintText(const json& j, int indent) {
  std::string pad(indent * 2, ' ');
  for (auto it = j.begin(); it != j.end(); ++it) {
    const json& v = it.value();
    std::string key = j.is_array() ? "-" : it.key();
    if (v.is_object() || (v.is_array() && !v.empty() && v.front().is_structured())) {
      std::cout << pad << key << (j.is_array() ? "" : ":") << "\n";
      PrintText(v, indent + 1);
    } else {
      std::cout << pad << key << (j.is_array() ? " " : ": ")
                << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
    }
  }
}

int RunInfo(const InfoArgs& args) {
  auto raw = Env::Default().ReadFile(args.file);
  if (!raw.ok()) {
    if (args.json) {
      std::cout << json{{"error", raw.status().code()}, {"message", raw.status().message()}}.dump()
                << "\n";
    } else {
      std::cerr << "error: " << raw.status() << "\n";
    }
    return 2;
  }
  auto desc = DescribeBytes(AsBytes(*raw), 0);
  if (!desc.ok()) {
    const Status& s = desc.status();
    if (args.json) {
      std::cout << json{{"file", args.file},
                        {"error", s.code()},
                        {"bio_status", static_cast<int>(BioErrorCodeOf(s))},
                        {"message", s.message()}}
                       .dump()
                << "\n";
    } else {
      std::cerr << args.file << ": " << s << "\n";
    }
    return 1;
  }
  json out = *desc;
  out["file"] = args.file;
  out["bytes"] = raw->size();
  if (args.json) {
    std::cout << out.dump() << "\n";
  } else {
    PrintText(out, 0);
  }
  return 0;
}

void SetupBiometricsInfo(CLI::App& root, CommandContext& ctx) {
  CLI::App* group = BiometricsGroup(root);
  auto args = std::make_shared<InfoArgs>();
  CLI::App* info = group->add_subcommand(
      "info", "Describe a biometric record: ISO 19794-2/-4/-5/-6, ANSI 378, CBEFF XML, images");
  info->add_option("FILE", args->file, "record or image file")->required();
  info->add_flag("--json", args->json, "print one JSON object");
  info->callback([&ctx, args] { ctx.exit_code = RunInfo(*args); });
}

SIJIL_REGISTER_COMMAND(410, "biometrics-info", SetupBiometricsInfo);

}  // namespace
}  // namespace sijil::cli
