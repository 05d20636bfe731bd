// WSQ (Wavelet Scalar Quantization) grey-scale fingerprint image decoder, written from the
// FBI specification IAFIS-IC-0110 (v3): marker-segmented stream (SOI, COM, DTT, DQT, DHT,
// SOF, SOB, EOI), JPEG-style canonical Huffman coding of quantized coefficients with zero-run
// and escape categories, 64-subband wavelet packet tree (subbands 60..63 never coded),
// dequantization with bin widths Q, zero bins Z and bin centre C, and reconstruction with
// the odd-length symmetric filter pair carried in the DTT (the 9/7 pair in practice) over
// whole-sample symmetric extension.
//
// Supported: odd-length symmetric filters (every certified encoder uses the 9/7 pair),
// restart markers inside entropy-coded data, any number of Huffman tables. Even-length
// filters are rejected with BIO-401 (kUnimplemented).
//
// Pure functions, thread-safe. Input is untrusted: sizes are checked against ImageLimits
// before allocation; malformed streams give BIO-401.
#ifndef SIJIL_BIOMETRICS_WSQ_H_
#define SIJIL_BIOMETRICS_WSQ_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"
#include "sijil/biometrics/image_codec.h"

namespace sijil::biometrics {

// What the headers of a WSQ file say, without decoding the image.
struct WsqInfo {
  uint32_t width = 0;
  uint32_t height = 0;
  int ppi = -1;  // from a NISTCOM "PPI" comment; -1 when absent
  uint8_t black = 0;
  uint8_t white = 255;
  uint16_t software_id = 0;  // SOF "Sf": the encoder's software implementation number
  double bitrate = 0;        // NISTCOM "WSQ_BITRATE" when present
  std::vector<std::string> comments;
};

Result<WsqInfo> ReadWsqInfo(std::span<const uint8_t> data);
// Decodes to an 8-bit grey Image (ppi from the NISTCOM comment when present).
Result<Image> DecodeWsq(std::span<const uint8_t> data, const ImageLimits& limits = {});

struct WsqEncodeOptions {
  // Target bits per pixel: 0.75 gives about 15:1 (the FBI's setting), 2.25 about 5:1.
  float bitrate = 0.75f;
  int ppi = 500;
  std::string comment;  // extra COM segment, optional
};
// Encodes an 8-bit grey image the way the spec's Part 3 encoder does: 9/7 filters, subband
// variances, bit allocation for the target rate, zero bins 1.2 Q, bin centre 0.44, one
// Huffman table for the first block and one for the other two. Fails (BIO-401) on colour
// images and on images smaller than 32x32.
Result<Bytes> EncodeWsq(const Image& image, const WsqEncodeOptions& options = {});

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_WSQ_H_
