// Salted identifier hashes and per-partner token ids, as MOSIP computes them.
//
// Salted hash (MOSIP idrepo uin_hash, reference §2.4):
//   "<saltId>_" + UPPERHEX(SHA-256(id bytes ‖ salt bytes))
// where saltId is the integer value of the id's last N digits (N = 3 by default, so salt ids
// run 0..999; "...007" has salt id 7) and the salts are random values kept per table in the
// store. Plain SHA-256, not an HMAC. Used to look identifiers up without storing them.
//
// Token id (PSUT, reference §3.5), the UIN stand-in each relying party sees:
//   uinHash = UPPERHEX(SHA-256(uin + uinSalt))
//   hash    = UPPERHEX(SHA-256(partnerCodeSalt + partnerCode + uinHash))
//   token   = decimal(BigInteger(ASCII bytes of hash))[0 : length]    (length 36)
//
// SaltedHasher is immutable after Create and thread-safe; the functions are pure.
#ifndef SIJIL_CRYPTO_HASHING_H_
#define SIJIL_CRYPTO_HASHING_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/env.h"
#include "sijil/base/result.h"

namespace sijil::crypto {

// Where salt tables live (MOSIP's uin_hash_salt / uin_encrypt_salt). Production uses
// SqlSaltRepository (over sijil::store); InMemorySaltRepository is for tests.
class SaltRepository {
 public:
  virtual ~SaltRepository() = default;
  // Every salt of `table`, by salt id.
  virtual Result<std::map<int, Bytes>> LoadSalts(std::string_view table) = 0;
  // Inserts the salts whose ids are absent and leaves existing ones alone (another process
  // may have created them first; the stored value wins).
  virtual Status InsertSaltsIfAbsent(std::string_view table, const std::map<int, Bytes>& salts) = 0;
};

class InMemorySaltRepository final : public SaltRepository {
 public:
  Result<std::map<int, Bytes>> LoadSalts(std::string_view table) override;
  Status InsertSaltsIfAbsent(std::string_view table, const std::map<int, Bytes>& salts) override;

 private:
  std::mutex mu_;
  std::map<std::string, std::map<int, Bytes>, std::less<>> tables_;
};

struct SaltedHasherSettings {
  // Salt table name (letters, digits and '_').
  std::string table = "uin_hash_salt";
  // N: how many trailing digits choose the salt (MOSIP mosip.identity.salt.key.length).
  int salt_id_digits = 3;
  // Length of newly generated salts.
  size_t salt_bytes = 32;
};

class SaltedHasher {
 public:
  // Loads the table, generating (from `env`'s CSPRNG) and storing any missing salt first.
  // SIJ-CRY-051 if the table cannot be completed.
  static Result<std::unique_ptr<SaltedHasher>> Create(SaltRepository& repository, Env& env,
                                                      SaltedHasherSettings settings = {});

  // "<saltId>_<HEX>". SIJ-CRY-050 when `id` is shorter than N characters or its last N
  // characters are not all decimal digits.
  Result<std::string> Hash(std::string_view id) const;
  // The salt id of `id` (its last `digits` digits as an integer).
  static Result<int> SaltId(std::string_view id, int digits);
  // The salt with id `salt_id` (0 <= salt_id < 10^N).
  const Bytes& salt(int salt_id) const { return salts_[static_cast<size_t>(salt_id)]; }

 private:
  SaltedHasher(int digits, std::vector<Bytes> salts) : digits_(digits), salts_(std::move(salts)) {}
  int digits_;
  std::vector<Bytes> salts_;
};

// The MOSIP salted hash with a salt given directly.
std::string SaltedHash(std::string_view id, int salt_id, std::span<const uint8_t> salt);

struct TokenIdSettings {
  std::string uin_salt;           // mosip.kernel.tokenid.uin.salt
  std::string partner_code_salt;  // mosip.kernel.tokenid.partnercode.salt
  size_t length = 36;             // mosip.kernel.tokenid.length
};

// The partner-specific token id of `uin`. SIJ-CRY-050 for an empty uin or partner code, or
// empty salts (unsalted tokens could be reversed by enumerating UINs).
Result<std::string> TokenId(std::string_view uin, std::string_view partner_code,
                            const TokenIdSettings& settings);

}  // namespace sijil::crypto

#endif  // SIJIL_CRYPTO_HASHING_H_
