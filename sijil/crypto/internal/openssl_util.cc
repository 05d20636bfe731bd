#include "sijil/crypto/internal/openssl_util.h"

#include <openssl/ecdsa.h>
#include <openssl/err.h>

#include "sijil/crypto/errors.h"

namespace sijil::crypto::internal {

void ClearOpenSslErrors() { ERR_clear_error(); }

Status OpenSslError(std::string_view what) {
  ERR_clear_error();
  return Status::Internal(kErrOpenSsl, std::string(what));
}

std::shared_ptr<EVP_PKEY> SharePkey(EVP_PKEY* pkey) {
  return std::shared_ptr<EVP_PKEY>(pkey, EVP_PKEY_free);
}

std::shared_ptr<X509> ShareX509(X509* x509) { return std::shared_ptr<X509>(x509, X509_free); }

Result<Bytes> EcdsaDerToRaw(std::span<const uint8_t> der, size_t half) {
  const unsigned char* p = der.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (sig == nullptr || p != der.data() + der.size()) {
    ECDSA_SIG_free(sig);
    return OpenSslError("ECDSA signature is not DER");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  Bytes raw(2 * half);
  bool ok = BN_bn2binpad(r, raw.data(), static_cast<int>(half)) == static_cast<int>(half) &&
            BN_bn2binpad(s, raw.data() + half, static_cast<int>(half)) == static_cast<int>(half);
  ECDSA_SIG_free(sig);
  if (!ok) return OpenSslError("ECDSA signature component too large");
  return raw;
}

Result<Bytes> EcdsaRawToDer(std::span<const uint8_t> raw) {
  if (raw.empty() || raw.size() % 2 != 0) {
    return Status::InvalidArgument(kErrJwsSignature, "ECDSA signature has an odd length");
  }
  size_t half = raw.size() / 2;
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (r == nullptr || s == nullptr || sig == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return OpenSslError("cannot build ECDSA signature");
  }
  unsigned char* out = nullptr;
  int len = i2d_ECDSA_SIG(sig, &out);
  ECDSA_SIG_free(sig);
  if (len <= 0) return OpenSslError("cannot encode ECDSA signature");
  Bytes der(out, out + len);
  OPENSSL_free(out);
  return der;
}

namespace {

int8_t UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return static_cast<int8_t>(c - 'A');
  if (c >= 'a' && c <= 'z') return static_cast<int8_t>(c - 'a' + 26);
  if (c >= '0' && c <= '9') return static_cast<int8_t>(c - '0' + 52);
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

Result<Bytes> StrictBase64UrlDecode(std::string_view text, const char* code) {
  if (text.size() % 4 == 1) {
    return Status::InvalidArgument(code, "malformed base64url: impossible length");
  }
  Bytes out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int8_t v = UrlValue(c);
    if (v < 0) {
      return Status::InvalidArgument(code, "malformed base64url: invalid character");
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return Status::InvalidArgument(code, "malformed base64url: non-zero trailing bits");
  }
  return out;
}

const EVP_MD* Sha256Md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

const EVP_CIPHER* Aes256Gcm() {
  static const EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

}  // namespace sijil::crypto::internal
