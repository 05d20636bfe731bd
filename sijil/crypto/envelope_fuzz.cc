// Fuzzes the envelope decryptor (VER_R2 and legacy layouts) with a known recipient key, so
// inputs that get past the layout checks reach the RSA unwrap and the GCM check.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "sijil/crypto/envelope.h"

namespace {

sijil::crypto::PrivateKeyResolver* MakeResolver() {
  auto* resolver = new sijil::crypto::PrivateKeyResolver();
  // The seed corpus was made for this key (run from the repository root, as ./test does).
  std::ifstream in("sijil/crypto/testdata/keys/rsa2048-01.pem");
  std::stringstream pem;
  pem << in.rdbuf();
  auto key = sijil::crypto::PrivateKey::FromPem(pem.str());
  if (!key.ok()) key = sijil::crypto::PrivateKey::Generate(sijil::crypto::KeyAlgorithm::kRsa2048);
  if (!key.ok()) std::abort();
  resolver->Add(sijil::crypto::Sha256(sijil::AsBytes("fuzz recipient")), *key);
  return resolver;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sijil::crypto::PrivateKeyResolver* resolver = MakeResolver();
  auto out = sijil::crypto::EnvelopeDecrypt(std::span(data, size), *resolver);
  // Any outcome is fine; crashes, leaks and sanitizer reports are not.
  if (out.ok() && out->size() > size) std::abort();  // plaintext never exceeds its envelope
  return 0;
}
