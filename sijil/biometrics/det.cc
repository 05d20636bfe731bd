#include "sijil/biometrics/det.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace sijil::biometrics {

ErrorRates ComputeErrorRates(std::span<const double> genuine, std::span<const double> impostor) {
  ErrorRates out;
  if (genuine.empty() || impostor.empty()) return out;
  std::vector<double> g(genuine.begin(), genuine.end());
  std::vector<double> im(impostor.begin(), impostor.end());
  std::sort(g.begin(), g.end());
  std::sort(im.begin(), im.end());
  std::vector<double> thresholds;
  thresholds.reserve(g.size() + im.size() + 1);
  thresholds.insert(thresholds.end(), g.begin(), g.end());
  thresholds.insert(thresholds.end(), im.begin(), im.end());
  std::sort(thresholds.begin(), thresholds.end());
  thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());
  // One threshold above every score: nothing accepted (FMR 0, FNMR 1).
  thresholds.push_back(std::nextafter(thresholds.back(), INFINITY));

  const double ng = static_cast<double>(g.size());
  const double ni = static_cast<double>(im.size());
  out.det.reserve(thresholds.size());
  for (double t : thresholds) {
    size_t rejected = static_cast<size_t>(std::lower_bound(g.begin(), g.end(), t) - g.begin());
    size_t accepted_impostors =
        im.size() - static_cast<size_t>(std::lower_bound(im.begin(), im.end(), t) - im.begin());
    out.det.push_back(DetPoint{t, accepted_impostors / ni, rejected / ng});
  }

  // EER: FMR falls and FNMR rises with the threshold.
  size_t cross = 0;
  while (cross < out.det.size() && out.det[cross].fnmr < out.det[cross].fmr) ++cross;
  if (cross == 0) {
    out.eer = (out.det[0].fmr + out.det[0].fnmr) / 2;
    out.eer_threshold = out.det[0].threshold;
  } else {
    const DetPoint& a = out.det[cross - 1];                            // fnmr < fmr
    const DetPoint& b = out.det[std::min(cross, out.det.size() - 1)];  // fnmr >= fmr
    if (a.fnmr + a.fmr <= b.fnmr + b.fmr) {
      out.eer = (a.fnmr + a.fmr) / 2;
      out.eer_threshold = a.threshold;
    } else {
      out.eer = (b.fnmr + b.fmr) / 2;
      out.eer_threshold = b.threshold;
    }
  }

  auto fnmr_at = [&](double max_fmr) {
    double best = 1.0;
    for (const DetPoint& p : out.det) {
      if (p.fmr <= max_fmr + 1e-12) best = std::min(best, p.fnmr);
    }
    return best;
  };
  out.fmr100 = fnmr_at(0.01);
  out.fmr1000 = fnmr_at(0.001);
  out.fmr10000 = fnmr_at(0.0001);
  out.zero_fmr = fnmr_at(0.0);
  return out;
}

std::string DetCsv(const ErrorRates& rates) {
  std::string out = "threshold,fmr,fnmr\n";
  char line[96];
  for (const DetPoint& p : rates.det) {
    std::snprintf(line, sizeof(line), "%.6g,%.8g,%.8g\n", p.threshold, p.fmr, p.fnmr);
    out += line;
  }
  return out;
}

Status RenderDetPng(std::span<const DetCurve> curves, std::string* png) {
  constexpr int kW = 640, kH = 560, kLeft = 80, kRight = 30, kTop = 40, kBottom = 70;
  constexpr double kMinLog = -4.0;  // axes from 1e-4 to 1
  cv::Mat img(kH, kW, CV_8UC3, cv::Scalar(255, 255, 255));
  const int pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
  auto px = [&](double fmr) {
    double l = std::clamp(std::log10(std::max(fmr, 1e-12)), kMinLog, 0.0);
    return kLeft + static_cast<int>((l - kMinLog) / -kMinLog * pw);
  };
  auto py = [&](double fnmr) {
    double l = std::clamp(std::log10(std::max(fnmr, 1e-12)), kMinLog, 0.0);
    return kTop + ph - static_cast<int>((l - kMinLog) / -kMinLog * ph);
  };
  const cv::Scalar grid(220, 220, 220), ink(0, 0, 0);
  for (int e = 0; e >= -4; --e) {
    double v = std::pow(10.0, e);
    cv::line(img, {px(v), kTop}, {px(v), kTop + ph}, grid);
    cv::line(img, {kLeft, py(v)}, {kLeft + pw, py(v)}, grid);
    std::string label = e == 0 ? "1" : "1e" + std::to_string(e);
    cv::putText(img, label, {px(v) - 14, kTop + ph + 18}, cv::FONT_HERSHEY_SIMPLEX, 0.4, ink);
    cv::putText(img, label, {kLeft - 40, py(v) + 4}, cv::FONT_HERSHEY_SIMPLEX, 0.4, ink);
  }
  cv::rectangle(img, {kLeft, kTop}, {kLeft + pw, kTop + ph}, ink);
  cv::putText(img, "FMR", {kLeft + pw / 2 - 15, kH - 25}, cv::FONT_HERSHEY_SIMPLEX, 0.5, ink);
  cv::putText(img, "FNMR", {10, kTop + ph / 2}, cv::FONT_HERSHEY_SIMPLEX, 0.5, ink);
  cv::putText(img, "DET curve", {kLeft, 25}, cv::FONT_HERSHEY_SIMPLEX, 0.6, ink);
  static const cv::Scalar kColours[] = {{200, 60, 30},  {30, 140, 30}, {30, 30, 200},
                                        {160, 30, 160}, {0, 140, 200}, {90, 90, 90}};
  for (size_t c = 0; c < curves.size(); ++c) {
    if (curves[c].rates == nullptr) continue;
    const cv::Scalar colour = kColours[c % std::size(kColours)];
    std::vector<cv::Point> pts;
    for (const DetPoint& p : curves[c].rates->det) {
      // Zero rates fall off a log axis; pin them to the border so the curve stays whole.
      pts.emplace_back(px(p.fmr), py(p.fnmr));
    }
    if (pts.size() >= 2) cv::polylines(img, pts, false, colour, 2, cv::LINE_AA);
    cv::putText(img, curves[c].label, {kLeft + pw - 200, kTop + 20 + 18 * static_cast<int>(c)},
                cv::FONT_HERSHEY_SIMPLEX, 0.45, colour, 1, cv::LINE_AA);
  }
  std::vector<uchar> buf;
  try {
    if (!cv::imencode(".png", img, buf)) {
      return Status::Internal("SIJ-BIO-010", "PNG encoding of the DET plot failed");
    }
  } catch (const cv::Exception& e) {
    return Status::Internal("SIJ-BIO-010", "PNG encoding of the DET plot failed");
  }
  png->assign(buf.begin(), buf.end());
  return Status::Ok();
}

}  // namespace sijil::biometrics
