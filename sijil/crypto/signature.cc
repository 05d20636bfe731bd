#include "sijil/crypto/signature.h"

#include <openssl/rsa.h>

#include "sijil/crypto/errors.h"
#include "sijil/crypto/internal/openssl_util.h"

namespace sijil::crypto {

using internal::MdCtxPtr;

namespace {

// One digest context per thread, reset between uses: allocating a fresh one per signature
// is measurable next to Ed25519 and ECDSA.
EVP_MD_CTX* ThreadMdCtx() {
  thread_local MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_MD_CTX_reset(ctx.get());
  return ctx.get();
}

Status ConfigurePss(EVP_PKEY_CTX* pctx, SignatureAlgorithm algorithm) {
  if (algorithm != SignatureAlgorithm::kPs256) return Status::Ok();
  if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, internal::Sha256Md()) != 1) {
    return internal::OpenSslError("cannot configure RSA-PSS");
  }
  return Status::Ok();
}

Status Mismatch(SignatureAlgorithm algorithm) {
  return Status::InvalidArgument(kErrJwsKeyMismatch, "key type does not fit algorithm " +
                                                         std::string(JwsAlgorithmName(algorithm)));
}

}  // namespace

std::string_view JwsAlgorithmName(SignatureAlgorithm algorithm) {
  switch (algorithm) {
    case SignatureAlgorithm::kRs256:
      return "RS256";
    case SignatureAlgorithm::kPs256:
      return "PS256";
    case SignatureAlgorithm::kEs256:
      return "ES256";
    case SignatureAlgorithm::kEdDsa:
      return "EdDSA";
  }
  return "";
}

Result<SignatureAlgorithm> ParseJwsAlgorithm(std::string_view name) {
  for (SignatureAlgorithm a : {SignatureAlgorithm::kRs256, SignatureAlgorithm::kPs256,
                               SignatureAlgorithm::kEs256, SignatureAlgorithm::kEdDsa}) {
    if (JwsAlgorithmName(a) == name) return a;
  }
  if (name == "none") {
    return Status::InvalidArgument(kErrJwsAlgorithm, "unsigned JWS (alg none) is not accepted");
  }
  return Status::InvalidArgument(kErrJwsAlgorithm, "unsupported JWS algorithm");
}

bool AlgorithmFitsKey(SignatureAlgorithm algorithm, KeyAlgorithm key) {
  switch (algorithm) {
    case SignatureAlgorithm::kRs256:
    case SignatureAlgorithm::kPs256:
      return key == KeyAlgorithm::kRsa2048;
    case SignatureAlgorithm::kEs256:
      return key == KeyAlgorithm::kEcP256;
    case SignatureAlgorithm::kEdDsa:
      return key == KeyAlgorithm::kEd25519;
  }
  return false;
}

SignatureAlgorithm DefaultAlgorithmFor(KeyAlgorithm key) {
  switch (key) {
    case KeyAlgorithm::kRsa2048:
      return SignatureAlgorithm::kRs256;
    case KeyAlgorithm::kEcP256:
      return SignatureAlgorithm::kEs256;
    case KeyAlgorithm::kEd25519:
      return SignatureAlgorithm::kEdDsa;
  }
  return SignatureAlgorithm::kRs256;
}

Result<Bytes> SignWithKey(const PrivateKey& key, SignatureAlgorithm algorithm,
                          std::span<const uint8_t> data) {
  if (!AlgorithmFitsKey(algorithm, key.algorithm())) return Mismatch(algorithm);
  EVP_MD_CTX* ctx = ThreadMdCtx();
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit_ex(ctx, &pctx,
                            algorithm == SignatureAlgorithm::kEdDsa ? nullptr : "SHA256", nullptr,
                            nullptr, key.get(), nullptr) != 1) {
    return internal::OpenSslError("signature init failed");
  }
  SIJIL_RETURN_IF_ERROR(ConfigurePss(pctx, algorithm));
  size_t len = 0;
  if (EVP_DigestSign(ctx, nullptr, &len, data.data(), data.size()) != 1) {
    return internal::OpenSslError("signature size query failed");
  }
  Bytes sig(len);
  if (EVP_DigestSign(ctx, sig.data(), &len, data.data(), data.size()) != 1) {
    return internal::OpenSslError("signing failed");
  }
  sig.resize(len);
  if (algorithm == SignatureAlgorithm::kEs256) return internal::EcdsaDerToRaw(sig, 32);
  return sig;
}

Status VerifySignature(const PublicKey& key, SignatureAlgorithm algorithm,
                       std::span<const uint8_t> data, std::span<const uint8_t> signature) {
  if (!AlgorithmFitsKey(algorithm, key.algorithm())) return Mismatch(algorithm);
  Bytes der;
  std::span<const uint8_t> sig = signature;
  if (algorithm == SignatureAlgorithm::kEs256) {
    if (signature.size() != 64) {
      return Status::InvalidArgument(kErrJwsSignature, "ES256 signature must be 64 bytes");
    }
    SIJIL_ASSIGN_OR_RETURN(der, internal::EcdsaRawToDer(signature));
    sig = der;
  } else if (algorithm == SignatureAlgorithm::kEdDsa && signature.size() != 64) {
    return Status::InvalidArgument(kErrJwsSignature, "EdDSA signature must be 64 bytes");
  } else if (key.IsRsa() && static_cast<int>(signature.size()) != key.RsaSizeBytes()) {
    return Status::InvalidArgument(kErrJwsSignature, "RSA signature has the wrong length");
  }
  EVP_MD_CTX* ctx = ThreadMdCtx();
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit_ex(ctx, &pctx,
                              algorithm == SignatureAlgorithm::kEdDsa ? nullptr : "SHA256", nullptr,
                              nullptr, key.get(), nullptr) != 1) {
    return internal::OpenSslError("verification init failed");
  }
  SIJIL_RETURN_IF_ERROR(ConfigurePss(pctx, algorithm));
  int rc = EVP_DigestVerify(ctx, sig.data(), sig.size(), data.data(), data.size());
  if (rc != 1) {
    internal::ClearOpenSslErrors();
    return Status::Unauthenticated(kErrJwsSignature, "signature does not verify");
  }
  return Status::Ok();
}

Result<PrivateKeySigner> PrivateKeySigner::Create(PrivateKey key, SignatureAlgorithm algorithm,
                                                  std::vector<Certificate> chain) {
  if (!AlgorithmFitsKey(algorithm, key.algorithm())) return Mismatch(algorithm);
  return PrivateKeySigner(std::move(key), algorithm, std::move(chain));
}

Result<Bytes> PrivateKeySigner::Sign(std::span<const uint8_t> data) const {
  return SignWithKey(key_, algorithm_, data);
}

}  // namespace sijil::crypto
