// Benchmarks of the crypto module's hot paths, to compare with `openssl speed` on the same
// machine (docs/benchmarks.md): envelope encrypt/decrypt, JWS sign/verify per algorithm, and
// the key manager's overhead over the bare envelope.
//
//   build/default/bench/bench_crypto_crypto [--benchmark_format=json]
#include <benchmark/benchmark.h>

#include "sijil/crypto/envelope.h"
#include "sijil/crypto/jws.h"
#include "sijil/crypto/key_manager.h"
#include "sijil/crypto/memory_key_store.h"
#include "sijil/crypto/rsa.h"

namespace sijil::crypto {
namespace {

const PrivateKey& Key(KeyAlgorithm algorithm) {
  static std::map<KeyAlgorithm, PrivateKey>* keys = new std::map<KeyAlgorithm, PrivateKey>();
  auto it = keys->find(algorithm);
  if (it == keys->end())
    it = keys->emplace(algorithm, PrivateKey::Generate(algorithm).value()).first;
  return it->second;
}

Bytes Payload(size_t n) { return Bytes(n, 0x5a); }

void BM_EnvelopeEncrypt(benchmark::State& state) {
  const PrivateKey& key = Key(KeyAlgorithm::kRsa2048);
  PublicKey pub = key.public_key();
  Bytes thumb = Sha256(pub.SpkiDer());
  Bytes plaintext = Payload(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto out = EnvelopeEncrypt(pub, thumb, plaintext, Env::Default());
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EnvelopeEncrypt)->Arg(1024)->Arg(16 * 1024);

void BM_EnvelopeDecrypt(benchmark::State& state) {
  const PrivateKey& key = Key(KeyAlgorithm::kRsa2048);
  Bytes thumb = Sha256(key.public_key().SpkiDer());
  PrivateKeyResolver resolver;
  resolver.Add(thumb, key);
  Bytes envelope = EnvelopeEncrypt(key.public_key(), thumb,
                                   Payload(static_cast<size_t>(state.range(0))), Env::Default())
                       .value();
  for (auto _ : state) {
    auto out = EnvelopeDecrypt(envelope, resolver);
    if (!out.ok()) state.SkipWithError("decrypt failed");
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EnvelopeDecrypt)->Arg(1024)->Arg(16 * 1024);

// The symmetric half alone, to set against `openssl speed -evp aes-256-gcm`.
void BM_AesGcmSeal(benchmark::State& state) {
  Bytes key(32, 1);
  Bytes aad(32, 2);
  Bytes plaintext = Payload(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto out = AesGcmEncrypt(key, std::span(aad).first(12), aad, plaintext);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AesGcmSeal)->Arg(1024)->Arg(16 * 1024);

void BM_RsaOaepDecrypt(benchmark::State& state) {
  const PrivateKey& key = Key(KeyAlgorithm::kRsa2048);
  Bytes wrapped = RsaOaepSha256Encrypt(key.public_key(), Bytes(32, 7)).value();
  for (auto _ : state) {
    auto out = RsaOaepSha256Decrypt(key, wrapped);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_RsaOaepDecrypt);

struct AlgCase {
  KeyAlgorithm key;
  SignatureAlgorithm alg;
};
constexpr AlgCase kAlgs[] = {{KeyAlgorithm::kRsa2048, SignatureAlgorithm::kRs256},
                             {KeyAlgorithm::kRsa2048, SignatureAlgorithm::kPs256},
                             {KeyAlgorithm::kEcP256, SignatureAlgorithm::kEs256},
                             {KeyAlgorithm::kEd25519, SignatureAlgorithm::kEdDsa}};

// A bearer-token sized claim set.
const Bytes kClaims = [] {
  std::string s =
      R"({"sub":"svc-registration-processor","roles":["REGISTRATION_PROCESSOR"],)"
      R"("iat":1767225600,"exp":1767226500,"jti":"5f0c8a3e-8b1d-4c1e-9d0a-3c2b1a0f9e8d"})";
  return Bytes(s.begin(), s.end());
}();

void BM_JwsSign(benchmark::State& state) {
  const AlgCase& c = kAlgs[state.range(0)];
  auto signer = PrivateKeySigner::Create(Key(c.key), c.alg).value();
  state.SetLabel(std::string(JwsAlgorithmName(c.alg)));
  for (auto _ : state) {
    auto jws = SignJws(signer, kClaims, {.typ = "JWT"});
    benchmark::DoNotOptimize(jws);
  }
}
BENCHMARK(BM_JwsSign)->DenseRange(0, 3);

void BM_JwsVerify(benchmark::State& state) {
  const AlgCase& c = kAlgs[state.range(0)];
  auto signer = PrivateKeySigner::Create(Key(c.key), c.alg).value();
  std::string jws = SignJws(signer, kClaims, {.typ = "JWT"}).value();
  PublicKey pub = Key(c.key).public_key();
  state.SetLabel(std::string(JwsAlgorithmName(c.alg)));
  for (auto _ : state) {
    auto parsed = VerifyJws(jws, pub);
    if (!parsed.ok()) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_JwsVerify)->DenseRange(0, 3);

// Through the key manager (key lookup, cached unwrapped base key, thumbprint scoping).
struct ManagerFixture {
  InMemoryKeyStore hsm;
  InMemoryKeyRepository repo;
  std::unique_ptr<KeyManager> km;
  ManagerFixture() {
    km = KeyManager::Create({}, hsm, repo, Env::Default()).value();
    (void)km->GetCertificate("ID_REPO", "identity_data").value();
  }
};
ManagerFixture& Manager() {
  static ManagerFixture* f = new ManagerFixture();
  return *f;
}

void BM_KeyManagerEncrypt(benchmark::State& state) {
  KeyManager& km = *Manager().km;
  Bytes plaintext = Payload(1024);
  for (auto _ : state) {
    auto out = km.Encrypt("ID_REPO", "identity_data", plaintext);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_KeyManagerEncrypt);

void BM_KeyManagerDecrypt(benchmark::State& state) {
  KeyManager& km = *Manager().km;
  Bytes envelope = km.Encrypt("ID_REPO", "identity_data", Payload(1024)).value();
  for (auto _ : state) {
    auto out = km.Decrypt("ID_REPO", "identity_data", envelope);
    if (!out.ok()) state.SkipWithError("decrypt failed");
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_KeyManagerDecrypt);

}  // namespace
}  // namespace sijil::crypto

BENCHMARK_MAIN();
