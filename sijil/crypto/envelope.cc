#include "sijil/crypto/envelope.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "sijil/crypto/errors.h"
#include "sijil/crypto/internal/openssl_util.h"
#include "sijil/crypto/rsa.h"

namespace sijil::crypto {
namespace {

constexpr size_t kAesKeySize = 32;

// One cipher context per thread, re-initialised per message: creating a context costs about
// as much as sealing a small message.
EVP_CIPHER_CTX* ThreadCipherCtx() {
  thread_local internal::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  return ctx.get();
}

Status Malformed(std::string msg) {
  return Status::InvalidArgument(kErrEnvelopeMalformed, std::move(msg));
}

// Wipes a key buffer when it goes out of scope.
struct KeyWiper {
  Bytes& key;
  ~KeyWiper() { OPENSSL_cleanse(key.data(), key.size()); }
};

size_t FindSplitter(std::span<const uint8_t> data, size_t from) {
  auto it = std::search(data.begin() + static_cast<ptrdiff_t>(std::min(from, data.size())),
                        data.end(), kKeySplitter.begin(), kKeySplitter.end());
  return it == data.end() ? std::string_view::npos : static_cast<size_t>(it - data.begin());
}

bool SplitterAt(std::span<const uint8_t> data, size_t pos) {
  return pos + kKeySplitter.size() <= data.size() &&
         std::equal(kKeySplitter.begin(), kKeySplitter.end(),
                    data.begin() + static_cast<ptrdiff_t>(pos));
}

}  // namespace

Result<Bytes> AesGcmEncrypt(std::span<const uint8_t> key, std::span<const uint8_t> nonce,
                            std::span<const uint8_t> aad, std::span<const uint8_t> plaintext) {
  if (key.size() != kAesKeySize || nonce.empty()) {
    return Status::InvalidArgument(kErrEnvelopeMalformed, "AES-256-GCM needs a 32-byte key");
  }
  EVP_CIPHER_CTX* ctx = ThreadCipherCtx();
  Bytes out(plaintext.size() + kGcmTagSize);
  int len = 0;
  int total = 0;
  bool ok = EVP_EncryptInit_ex2(ctx, internal::Aes256Gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()),
                                nullptr) == 1 &&
            EVP_EncryptInit_ex2(ctx, nullptr, key.data(), nonce.data(), nullptr) == 1 &&
            (aad.empty() || EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(),
                                              static_cast<int>(aad.size())) == 1) &&
            EVP_EncryptUpdate(ctx, out.data(), &len, plaintext.data(),
                              static_cast<int>(plaintext.size())) == 1;
  total = len;
  ok = ok && EVP_EncryptFinal_ex(ctx, out.data() + total, &len) == 1;
  total += len;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagSize),
                                 out.data() + total) == 1;
  if (!ok) return internal::OpenSslError("AES-GCM encryption failed");
  out.resize(static_cast<size_t>(total) + kGcmTagSize);
  return out;
}

Result<Bytes> AesGcmDecrypt(std::span<const uint8_t> key, std::span<const uint8_t> nonce,
                            std::span<const uint8_t> aad, std::span<const uint8_t> sealed) {
  if (key.size() != kAesKeySize || nonce.empty()) {
    return Status::InvalidArgument(kErrEnvelopeDecrypt, "AES-256-GCM needs a 32-byte key");
  }
  if (sealed.size() < kGcmTagSize) return Malformed("encrypted data shorter than the GCM tag");
  size_t ct_len = sealed.size() - kGcmTagSize;
  EVP_CIPHER_CTX* ctx = ThreadCipherCtx();
  Bytes out(ct_len);
  int len = 0;
  bool ok = EVP_DecryptInit_ex2(ctx, internal::Aes256Gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()),
                                nullptr) == 1 &&
            EVP_DecryptInit_ex2(ctx, nullptr, key.data(), nonce.data(), nullptr) == 1 &&
            (aad.empty() || EVP_DecryptUpdate(ctx, nullptr, &len, aad.data(),
                                              static_cast<int>(aad.size())) == 1) &&
            EVP_DecryptUpdate(ctx, out.data(), &len, sealed.data(), static_cast<int>(ct_len)) == 1;
  int total = len;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagSize),
                                 const_cast<uint8_t*>(sealed.data() + ct_len)) == 1;
  if (!ok) return internal::OpenSslError("AES-GCM decryption setup failed");
  if (EVP_DecryptFinal_ex(ctx, out.data() + total, &len) != 1) {
    internal::ClearOpenSslErrors();
    OPENSSL_cleanse(out.data(), out.size());
    return Status::InvalidArgument(kErrEnvelopeDecrypt,
                                   "encrypted data failed authentication (wrong key or tampered)");
  }
  out.resize(static_cast<size_t>(total + len));
  return out;
}

void PrivateKeyResolver::Add(std::span<const uint8_t> thumbprint, PrivateKey key) {
  keys_.emplace_back(Bytes(thumbprint.begin(), thumbprint.end()), std::move(key));
}

Result<Bytes> PrivateKeyResolver::UnwrapKey(std::span<const uint8_t> thumbprint,
                                            std::span<const uint8_t> wrapped) {
  for (const auto& [thumb, key] : keys_) {
    if (thumbprint.empty() ||
        std::equal(thumb.begin(), thumb.end(), thumbprint.begin(), thumbprint.end())) {
      return RsaOaepSha256Decrypt(key, wrapped);
    }
  }
  return Status::NotFound(kErrEnvelopeNoKey, "no private key for the envelope's thumbprint");
}

Result<Bytes> EnvelopeEncrypt(const Certificate& recipient, std::span<const uint8_t> plaintext,
                              Env& env) {
  return EnvelopeEncrypt(recipient.public_key(), recipient.thumbprint(), plaintext, env);
}

Result<Bytes> EnvelopeEncrypt(const PublicKey& recipient, std::span<const uint8_t> thumbprint,
                              std::span<const uint8_t> plaintext, Env& env) {
  if (!recipient.IsRsa()) {
    return Status::InvalidArgument(kErrJwsKeyMismatch, "envelope recipients need an RSA key");
  }
  if (thumbprint.size() != kEnvelopeThumbprintSize) {
    return Status::InvalidArgument(kErrEnvelopeMalformed, "thumbprint must be 32 bytes");
  }
  Bytes key(kAesKeySize);
  KeyWiper wipe{key};
  env.RandomBytes(key);
  uint8_t aad[kEnvelopeAadSize];
  env.RandomBytes(aad);
  SIJIL_ASSIGN_OR_RETURN(Bytes wrapped, RsaOaepSha256Encrypt(recipient, key));
  SIJIL_ASSIGN_OR_RETURN(Bytes sealed,
                         AesGcmEncrypt(key, std::span(aad, kGcmNonceSize), aad, plaintext));
  Bytes out;
  out.reserve(kEnvelopeVersionR2.size() + thumbprint.size() + wrapped.size() + kKeySplitter.size() +
              sizeof(aad) + sealed.size());
  out.insert(out.end(), kEnvelopeVersionR2.begin(), kEnvelopeVersionR2.end());
  out.insert(out.end(), thumbprint.begin(), thumbprint.end());
  out.insert(out.end(), wrapped.begin(), wrapped.end());
  out.insert(out.end(), kKeySplitter.begin(), kKeySplitter.end());
  out.insert(out.end(), aad, aad + sizeof(aad));
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

Result<Bytes> EnvelopeDecrypt(std::span<const uint8_t> data, EnvelopeKeyResolver& resolver,
                              std::span<const uint8_t> legacy_aad) {
  const bool r2 = data.size() >= kEnvelopeVersionR2.size() &&
                  std::equal(kEnvelopeVersionR2.begin(), kEnvelopeVersionR2.end(), data.begin());
  const size_t start = r2 ? kEnvelopeVersionR2.size() : 0;
  // Locate the splitter. The wrapped key is random bytes and could contain the splitter by
  // chance, so prefer the positions the RSA sizes predict over a blind search.
  size_t split = std::string_view::npos;
  for (size_t rsa : {256u, 384u, 512u}) {
    if (SplitterAt(data, start + kEnvelopeThumbprintSize + rsa)) {
      split = start + kEnvelopeThumbprintSize + rsa;
      break;
    }
    if (!r2 && SplitterAt(data, start + rsa)) {
      split = start + rsa;
      break;
    }
  }
  if (split == std::string_view::npos) split = FindSplitter(data, start);
  if (split == std::string_view::npos) return Malformed("envelope has no key splitter");
  std::span<const uint8_t> key_part = data.subspan(start, split - start);
  std::span<const uint8_t> thumbprint;
  std::span<const uint8_t> wrapped = key_part;
  // With a thumbprint the key part is 32 + k bytes for a k-byte modulus (k a multiple of
  // 128 from 256 up); without one it is k bytes. VER_R2 always has a thumbprint.
  if (r2 || key_part.size() % 128 == kEnvelopeThumbprintSize) {
    if (key_part.size() <= kEnvelopeThumbprintSize) {
      return Malformed("envelope key part is too short");
    }
    thumbprint = key_part.first(kEnvelopeThumbprintSize);
    wrapped = key_part.subspan(kEnvelopeThumbprintSize);
  }
  if (wrapped.size() < 256 || wrapped.size() % 128 != 0) {
    return Malformed("envelope wrapped key has an impossible size");
  }
  std::span<const uint8_t> body = data.subspan(split + kKeySplitter.size());
  if (r2) {
    if (body.size() < kEnvelopeAadSize + kGcmTagSize) {
      return Malformed("envelope body is shorter than AAD and tag");
    }
  } else if (body.size() < kGcmTagSize + kLegacyIvSize) {
    return Malformed("legacy envelope body is shorter than tag and IV");
  }

  SIJIL_ASSIGN_OR_RETURN(Bytes key, resolver.UnwrapKey(thumbprint, wrapped));
  KeyWiper wipe{key};
  if (key.size() != kAesKeySize) {
    return Status::InvalidArgument(kErrEnvelopeDecrypt, "unwrapped key is not an AES-256 key");
  }
  if (r2) {
    std::span<const uint8_t> aad = body.first(kEnvelopeAadSize);
    return AesGcmDecrypt(key, aad.first(kGcmNonceSize), aad, body.subspan(kEnvelopeAadSize));
  }
  std::span<const uint8_t> iv = body.last(kLegacyIvSize);
  return AesGcmDecrypt(key, iv, legacy_aad, body.first(body.size() - kLegacyIvSize));
}

}  // namespace sijil::crypto
