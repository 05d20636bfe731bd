// FingerTemplate: Sijil's in-memory minutiae template, the common currency between the
// record codecs (ISO/IEC 19794-2, ANSI/INCITS 378), the extractor and the matcher.
//
// Conventions (those of ISO/IEC 19794-2, so records convert without loss):
//  - coordinates are pixels, origin at the image's upper-left corner, x to the right,
//    y downwards;
//  - an angle is in radians in [0, 2*pi), measured counter-clockwise from the horizontal
//    axis pointing right, as the image is viewed (so the unit direction in pixel coordinates
//    is (cos a, -sin a)); for a ridge ending it points along the ridge away from the end,
//    for a bifurcation along the valley that ends there, as ISO defines;
//  - quality is 0..100 (0 = not reported), as ISO.
// Plain value types; thread-compatible.
#ifndef SIJIL_BIOMETRICS_MINUTIAE_H_
#define SIJIL_BIOMETRICS_MINUTIAE_H_

#include <cstdint>
#include <vector>

namespace sijil::biometrics {

enum class MinutiaType : uint8_t {
  kOther = 0,
  kEnding = 1,
  kBifurcation = 2,
};

// ISO/IEC 19794-2 finger position codes (0 unknown, 1 right thumb ... 10 left little).
enum class FingerPosition : uint8_t {
  kUnknown = 0,
  kRightThumb = 1,
  kRightIndex = 2,
  kRightMiddle = 3,
  kRightRing = 4,
  kRightLittle = 5,
  kLeftThumb = 6,
  kLeftIndex = 7,
  kLeftMiddle = 8,
  kLeftRing = 9,
  kLeftLittle = 10,
};

struct Minutia {
  uint16_t x = 0;
  uint16_t y = 0;
  float angle = 0.0f;
  MinutiaType type = MinutiaType::kOther;
  uint8_t quality = 0;
};

struct FingerTemplate {
  uint16_t width = 0;  // image size in pixels
  uint16_t height = 0;
  uint16_t x_resolution_ppcm = 197;  // pixels per centimetre; 197 ≈ 500 dpi
  uint16_t y_resolution_ppcm = 197;
  FingerPosition position = FingerPosition::kUnknown;
  uint8_t impression_type = 0;  // ISO: 0 live-scan plain, 1 rolled, ...
  uint8_t quality = 0;          // whole-finger quality 0..100
  std::vector<Minutia> minutiae;
};

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_MINUTIAE_H_
