#include "sijil/audit/audit_format.h"

#include "sijil/crypto/keys.h"

namespace sijil::audit {
namespace {

void PutU64(Bytes& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void PutLp(Bytes& out, std::string_view s) {
  const uint32_t n = static_cast<uint32_t>(s.size());
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(n >> (8 * i)));
  out.insert(out.end(), s.begin(), s.end());
}

void PutLp(Bytes& out, const Bytes& b) {
  PutLp(out, std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kFailure:
      return "failure";
    case Outcome::kDenied:
      return "denied";
    case Outcome::kError:
      return "error";
  }
  return "unknown";
}

std::optional<Outcome> ParseOutcome(std::string_view name) {
  for (Outcome o : {Outcome::kSuccess, Outcome::kFailure, Outcome::kDenied, Outcome::kError}) {
    if (OutcomeName(o) == name) return o;
  }
  return std::nullopt;
}

Bytes EntryHash(const StoredEntry& e, int64_t seq) {
  Bytes msg;
  msg.reserve(128 + e.actor.size() + e.action.size() + e.subject_hash.size() + e.details.size());
  PutLp(msg, std::string_view("sijil-audit-entry-v1"));
  PutU64(msg, static_cast<uint64_t>(seq));
  PutU64(msg, static_cast<uint64_t>(e.time_us));
  PutLp(msg, e.actor);
  PutLp(msg, e.action);
  PutLp(msg, e.subject_hash);
  PutLp(msg, e.outcome);
  PutLp(msg, e.details);
  PutLp(msg, e.prev_hash);
  return crypto::Sha256(msg);
}

Bytes CheckpointMessage(int64_t seq, const Bytes& entry_hash, int64_t time_us) {
  Bytes msg;
  PutLp(msg, std::string_view("sijil-audit-checkpoint-v1"));
  PutU64(msg, static_cast<uint64_t>(seq));
  PutLp(msg, entry_hash);
  PutU64(msg, static_cast<uint64_t>(time_us));
  return msg;
}

}  // namespace sijil::audit
