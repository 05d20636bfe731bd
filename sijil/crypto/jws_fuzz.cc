// Fuzzes the JWS parser and verifier (compact and detached forms) against fixed keys of each
// type, so the algorithm/key-type checks and every signature decoder are exercised.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "sijil/crypto/jws.h"

namespace {

std::vector<sijil::crypto::PublicKey>* MakeKeys() {
  auto* keys = new std::vector<sijil::crypto::PublicKey>();
  for (auto alg : {sijil::crypto::KeyAlgorithm::kRsa2048, sijil::crypto::KeyAlgorithm::kEcP256,
                   sijil::crypto::KeyAlgorithm::kEd25519}) {
    auto key = sijil::crypto::PrivateKey::Generate(alg);
    if (!key.ok()) std::abort();
    keys->push_back(key->public_key());
  }
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::vector<sijil::crypto::PublicKey>* keys = MakeKeys();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // First byte picks the key and whether the tail after a NUL is a detached payload.
  size_t which = size > 0 ? data[0] % keys->size() : 0;
  std::string_view jws = size > 0 ? input.substr(1) : input;
  std::optional<std::span<const uint8_t>> detached;
  if (size_t nul = jws.find('\0'); nul != std::string_view::npos) {
    detached =
        std::span(reinterpret_cast<const uint8_t*>(jws.data() + nul + 1), jws.size() - nul - 1);
    jws = jws.substr(0, nul);
  }
  auto parsed = sijil::crypto::ParseJws(jws, detached);
  auto verified = sijil::crypto::VerifyJws(jws, (*keys)[which], {}, detached);
  if (verified.ok() && !parsed.ok()) std::abort();  // verification implies a clean parse
  return 0;
}
