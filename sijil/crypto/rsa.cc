// RSA_padding_check_PKCS1_OAEP_mgf1 is deprecated in OpenSSL 3 but is the only public,
// constant-time OAEP decoder for a raw RSA result computed elsewhere (in an HSM).
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "sijil/crypto/rsa.h"

#include <openssl/rsa.h>

#include "sijil/crypto/errors.h"
#include "sijil/crypto/internal/openssl_util.h"

namespace sijil::crypto {

using internal::PkeyCtxPtr;

namespace {

Status ConfigureOaep(EVP_PKEY_CTX* ctx) {
  if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx, internal::Sha256Md()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, internal::Sha256Md()) != 1) {
    return internal::OpenSslError("cannot configure RSA-OAEP");
  }
  return Status::Ok();
}

}  // namespace

Result<Bytes> RsaOaepSha256Encrypt(const PublicKey& key, std::span<const uint8_t> plaintext) {
  if (!key.IsRsa()) {
    return Status::InvalidArgument(kErrJwsKeyMismatch, "RSA-OAEP needs an RSA key");
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1) {
    return internal::OpenSslError("RSA-OAEP init failed");
  }
  SIJIL_RETURN_IF_ERROR(ConfigureOaep(ctx.get()));
  size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, plaintext.data(), plaintext.size()) != 1) {
    return internal::OpenSslError("RSA-OAEP size query failed");
  }
  Bytes out(len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, plaintext.data(), plaintext.size()) != 1) {
    return internal::OpenSslError("RSA-OAEP encryption failed");
  }
  out.resize(len);
  return out;
}

Result<Bytes> RsaOaepSha256Decrypt(const PrivateKey& key, std::span<const uint8_t> ciphertext) {
  if (key.algorithm() != KeyAlgorithm::kRsa2048) {
    return Status::InvalidArgument(kErrJwsKeyMismatch, "RSA-OAEP needs an RSA key");
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1) {
    return internal::OpenSslError("RSA-OAEP init failed");
  }
  SIJIL_RETURN_IF_ERROR(ConfigureOaep(ctx.get()));
  size_t len = 0;
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &len, ciphertext.data(), ciphertext.size()) != 1) {
    internal::ClearOpenSslErrors();
    return Status::InvalidArgument(kErrEnvelopeDecrypt, "RSA-OAEP decryption failed");
  }
  Bytes out(len);
  if (EVP_PKEY_decrypt(ctx.get(), out.data(), &len, ciphertext.data(), ciphertext.size()) != 1) {
    internal::ClearOpenSslErrors();
    return Status::InvalidArgument(kErrEnvelopeDecrypt, "RSA-OAEP decryption failed");
  }
  out.resize(len);
  return out;
}

Result<Bytes> RsaOaepSha256Unpad(std::span<const uint8_t> block, size_t modulus_bytes) {
  if (block.size() > modulus_bytes || modulus_bytes < 2 * 32 + 2) {
    return Status::InvalidArgument(kErrEnvelopeDecrypt, "RSA block has the wrong size");
  }
  Bytes padded(modulus_bytes, 0);
  std::copy(block.begin(), block.end(), padded.end() - static_cast<ptrdiff_t>(block.size()));
  Bytes out(modulus_bytes);
  int len = RSA_padding_check_PKCS1_OAEP_mgf1(
      out.data(), static_cast<int>(out.size()), padded.data(), static_cast<int>(padded.size()),
      static_cast<int>(modulus_bytes), nullptr, 0, internal::Sha256Md(), internal::Sha256Md());
  if (len < 0) {
    internal::ClearOpenSslErrors();
    return Status::InvalidArgument(kErrEnvelopeDecrypt, "RSA-OAEP decryption failed");
  }
  out.resize(static_cast<size_t>(len));
  return out;
}

}  // namespace sijil::crypto
