#include "sijil/ids/generator.h"

#include <fmt/format.h>

#include "sijil/ids/internal/checks.h"
#include "sijil/ids/verhoeff.h"

namespace sijil::ids {

Result<IdGenerator> IdGenerator::Create(IdType type, const IdSettings& settings, Env& env) {
  switch (type) {
    case IdType::kUin:
      SIJIL_RETURN_IF_ERROR(settings.uin.Check());
      break;
    case IdType::kVid:
      SIJIL_RETURN_IF_ERROR(settings.vid.Check());
      break;
    case IdType::kPrid:
      SIJIL_RETURN_IF_ERROR(settings.prid.Check());
      break;
    case IdType::kRid:
      return Status::InvalidArgument("SIJ-IDS-004",
                                     "RIDs are built from centre, machine, sequence and time");
  }
  return IdGenerator(type, settings, env);
}

IdGenerator::IdGenerator(IdType type, const IdSettings& settings, Env& env)
    : type_(type), settings_(settings), env_(&env) {
  switch (type) {
    case IdType::kUin:
      length_ = settings.uin.length;
      forbidden_first_ = settings.uin.not_start_with + "01";
      break;
    case IdType::kVid:
      length_ = settings.vid.length;
      forbidden_first_ = settings.vid.not_start_with;
      break;
    case IdType::kPrid:
      length_ = settings.prid.length;
      forbidden_first_ = settings.prid.not_start_with + "01";
      break;
    case IdType::kRid:
      break;
  }
}

int IdGenerator::RandomDigit() {
  for (;;) {
    if (pool_pos_ == pool_.size()) {
      env_->RandomBytes(pool_);
      pool_pos_ = 0;
    }
    const uint8_t b = pool_[pool_pos_++];
    // 250 is the largest multiple of 10 not above 256: rejecting 250..255 removes the bias.
    if (b < 250) return b % 10;
  }
}

Result<std::string> IdGenerator::Next() {
  std::string id(static_cast<size_t>(length_), '0');
  const size_t payload = id.size() - 1;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    int first;
    do {
      first = RandomDigit();
    } while (forbidden_first_.find(static_cast<char>('0' + first)) != std::string::npos);
    id[0] = static_cast<char>('0' + first);
    for (size_t i = 1; i < payload; ++i) id[i] = static_cast<char>('0' + RandomDigit());
    id[payload] = *VerhoeffCheckDigit(std::string_view(id).substr(0, payload));
    if (Passes(id)) return id;
  }
  return Status::ResourceExhausted(
      "SIJ-IDS-002", fmt::format("no {} satisfying the configured rules after {} attempts",
                                 IdTypeName(type_), kMaxAttempts));
}

bool IdGenerator::Passes(std::string_view id) const {
  switch (type_) {
    case IdType::kUin:
      return internal::FirstBrokenUinRule(id, settings_.uin, RuleSet::kIssuance) == IdRule::kNone;
    case IdType::kVid:
      return internal::FirstBrokenVidRule(id, settings_.vid, RuleSet::kIssuance) == IdRule::kNone;
    case IdType::kPrid:
      return internal::FirstBrokenPridRule(id, settings_.prid, RuleSet::kIssuance) == IdRule::kNone;
    case IdType::kRid:
      break;
  }
  return false;
}

Result<std::vector<std::string>> IdGenerator::Next(size_t count) {
  std::vector<std::string> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    SIJIL_ASSIGN_OR_RETURN(std::string id, Next());
    out.push_back(std::move(id));
  }
  return out;
}

namespace {

Result<std::string> GenerateOne(IdType type, const IdSettings& settings, Env& env) {
  SIJIL_ASSIGN_OR_RETURN(IdGenerator gen, IdGenerator::Create(type, settings, env));
  return gen.Next();
}

}  // namespace

Result<std::string> GenerateUin(Env& env, const UinSettings& settings) {
  IdSettings s;
  s.uin = settings;
  return GenerateOne(IdType::kUin, s, env);
}

Result<std::string> GenerateVid(Env& env, const VidSettings& settings) {
  IdSettings s;
  s.vid = settings;
  return GenerateOne(IdType::kVid, s, env);
}

Result<std::string> GeneratePrid(Env& env, const PridSettings& settings) {
  IdSettings s;
  s.prid = settings;
  return GenerateOne(IdType::kPrid, s, env);
}

}  // namespace sijil::ids
