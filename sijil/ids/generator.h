// IdGenerator: draws fresh UINs, VIDs and PRIDs.
//
// Every digit comes from Env::RandomBytes (the OS CSPRNG in production) by rejection
// sampling, so each digit is uniform; the first digit is uniform over the digits the rules
// allow (MOSIP takes the leading decimal digits of a random big integer, which skews the first
// digit; we do not). A candidate gets its Verhoeff check digit and is kept only if it passes
// every issuance rule (RuleSet::kIssuance in identifiers.h); otherwise it is drawn again. The
// result is uniform over the set of valid identifiers.
//
// Uniqueness is not this class's business: the UIN pool (uin_pool.h) enforces it in the store.
//
// An IdGenerator is not thread-safe (it buffers random bytes); use one per thread. The Env
// must outlive it.
#ifndef SIJIL_IDS_GENERATOR_H_
#define SIJIL_IDS_GENERATOR_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sijil/base/env.h"
#include "sijil/base/result.h"
#include "sijil/ids/identifiers.h"

namespace sijil::ids {

class IdGenerator {
 public:
  // Give up on one identifier after this many rejected candidates (the defaults accept about
  // one candidate in ten, so this only triggers for settings no value can satisfy).
  static constexpr int kMaxAttempts = 1'000'000;

  // InvalidArgument SIJ-IDS-001/KER-IDV-107 for bad settings, SIJ-IDS-004 for kRid (RIDs are
  // assembled by FormatRid, not drawn at random).
  static Result<IdGenerator> Create(IdType type, const IdSettings& settings, Env& env);

  // One new identifier, or ResourceExhausted SIJ-IDS-002 when kMaxAttempts candidates in a row
  // were rejected.
  Result<std::string> Next();

  // `count` identifiers (not deduplicated; the chance of a repeat is that of a birthday
  // collision among the valid values).
  Result<std::vector<std::string>> Next(size_t count);

  IdType type() const { return type_; }

 private:
  IdGenerator(IdType type, const IdSettings& settings, Env& env);
  // A uniform digit 0..9.
  int RandomDigit();
  // Whether a complete candidate passes every issuance rule.
  bool Passes(std::string_view id) const;

  IdType type_;
  IdSettings settings_;
  Env* env_;
  int length_ = 0;
  std::string forbidden_first_;
  std::array<uint8_t, 512> pool_{};
  size_t pool_pos_ = 512;
};

// One-shot shorthands (a fresh generator each call: use IdGenerator for batches).
Result<std::string> GenerateUin(Env& env, const UinSettings& settings = {});
Result<std::string> GenerateVid(Env& env, const VidSettings& settings = {});
Result<std::string> GeneratePrid(Env& env, const PridSettings& settings = {});

}  // namespace sijil::ids

#endif  // SIJIL_IDS_GENERATOR_H_
