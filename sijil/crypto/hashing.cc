#include "sijil/crypto/hashing.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>

#include <algorithm>

#include "sijil/crypto/errors.h"
#include "sijil/crypto/internal/openssl_util.h"
#include "sijil/crypto/keys.h"

namespace sijil::crypto {

Result<std::map<int, Bytes>> InMemorySaltRepository::LoadSalts(std::string_view table) {
  std::lock_guard lock(mu_);
  auto it = tables_.find(table);
  return it == tables_.end() ? std::map<int, Bytes>() : it->second;
}

Status InMemorySaltRepository::InsertSaltsIfAbsent(std::string_view table,
                                                   const std::map<int, Bytes>& salts) {
  std::lock_guard lock(mu_);
  auto& t = tables_[std::string(table)];
  for (const auto& [id, salt] : salts) t.emplace(id, salt);
  return Status::Ok();
}

namespace {

int PowerOfTen(int digits) {
  int n = 1;
  for (int i = 0; i < digits; ++i) n *= 10;
  return n;
}

}  // namespace

Result<std::unique_ptr<SaltedHasher>> SaltedHasher::Create(SaltRepository& repository, Env& env,
                                                           SaltedHasherSettings settings) {
  if (settings.salt_id_digits < 1 || settings.salt_id_digits > 5 || settings.salt_bytes < 16 ||
      settings.table.empty()) {
    return Status::InvalidArgument(kErrSaltMissing, "salt settings out of range");
  }
  const int count = PowerOfTen(settings.salt_id_digits);
  SIJIL_ASSIGN_OR_RETURN(auto stored, repository.LoadSalts(settings.table));
  if (static_cast<int>(stored.size()) < count) {
    std::map<int, Bytes> missing;
    for (int id = 0; id < count; ++id) {
      if (stored.count(id) != 0) continue;
      Bytes salt(settings.salt_bytes);
      env.RandomBytes(salt);
      missing.emplace(id, std::move(salt));
    }
    SIJIL_RETURN_IF_ERROR(repository.InsertSaltsIfAbsent(settings.table, missing));
    SIJIL_ASSIGN_OR_RETURN(stored, repository.LoadSalts(settings.table));
  }
  std::vector<Bytes> salts(static_cast<size_t>(count));
  for (int id = 0; id < count; ++id) {
    auto it = stored.find(id);
    if (it == stored.end() || it->second.empty()) {
      return Status::DataLoss(kErrSaltMissing, "salt table " + settings.table + " is incomplete");
    }
    salts[static_cast<size_t>(id)] = it->second;
  }
  return std::unique_ptr<SaltedHasher>(new SaltedHasher(settings.salt_id_digits, std::move(salts)));
}

Result<int> SaltedHasher::SaltId(std::string_view id, int digits) {
  if (digits < 1 || id.size() < static_cast<size_t>(digits)) {
    return Status::InvalidArgument(kErrBadIdentifier, "identifier too short to salt");
  }
  int value = 0;
  for (char c : id.substr(id.size() - static_cast<size_t>(digits))) {
    if (c < '0' || c > '9') {
      return Status::InvalidArgument(kErrBadIdentifier, "identifier does not end in digits");
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string SaltedHash(std::string_view id, int salt_id, std::span<const uint8_t> salt) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  uint8_t digest[32];
  unsigned int len = 0;
  EVP_DigestInit_ex2(ctx, internal::Sha256Md(), nullptr);
  EVP_DigestUpdate(ctx, id.data(), id.size());
  EVP_DigestUpdate(ctx, salt.data(), salt.size());
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  return std::to_string(salt_id) + "_" + HexEncode(std::span(digest, len));
}

Result<std::string> SaltedHasher::Hash(std::string_view id) const {
  SIJIL_ASSIGN_OR_RETURN(int salt_id, SaltId(id, digits_));
  return SaltedHash(id, salt_id, salts_[static_cast<size_t>(salt_id)]);
}

Result<std::string> TokenId(std::string_view uin, std::string_view partner_code,
                            const TokenIdSettings& settings) {
  if (uin.empty() || partner_code.empty()) {
    return Status::InvalidArgument(kErrBadIdentifier, "token id needs a UIN and a partner code");
  }
  if (settings.uin_salt.empty() || settings.partner_code_salt.empty()) {
    return Status::InvalidArgument(kErrBadIdentifier, "token id salts are not configured");
  }
  std::string first(uin);
  first += settings.uin_salt;
  std::string uin_hash = HexEncode(Sha256(AsBytes(first)));
  std::string second = settings.partner_code_salt;
  second.append(partner_code).append(uin_hash);
  std::string hash = HexEncode(Sha256(AsBytes(second)));
  // Java's new BigInteger(hash.getBytes()): the ASCII bytes as a big-endian integer (its top
  // bit is clear, so it is positive).
  internal::BnPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(hash.data()),
                               static_cast<int>(hash.size()), nullptr));
  char* dec = bn ? BN_bn2dec(bn.get()) : nullptr;
  if (dec == nullptr) return internal::OpenSslError("token id conversion failed");
  std::string token(dec);
  OPENSSL_free(dec);
  if (token.size() > settings.length) token.resize(settings.length);
  return token;
}

}  // namespace sijil::crypto
