// The stored form of audit entries and checkpoints, and the canonical encodings that are
// hashed and signed. Shared by the writer (audit_log.h) and the verifier (audit_verify.h).
//
// Entry hash = SHA-256( "sijil-audit-entry-v1" || u64(seq) || i64(time_us) ||
//                       lp(actor) || lp(action) || lp(subject_hash) || lp(outcome) ||
//                       lp(details) || lp(prev_hash) )
// Checkpoint message = "sijil-audit-checkpoint-v1" || u64(seq) || lp(entry_hash) || i64(time_us)
// where integers are 8-byte big-endian and lp(x) = u32 big-endian length || bytes. The first
// entry's prev_hash is 32 zero bytes. Pure functions; thread-safe.
#ifndef SIJIL_AUDIT_AUDIT_FORMAT_H_
#define SIJIL_AUDIT_AUDIT_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sijil/base/encoding.h"

namespace sijil::audit {

enum class Outcome { kSuccess, kFailure, kDenied, kError };

// "success", "failure", "denied", "error".
std::string_view OutcomeName(Outcome outcome);
std::optional<Outcome> ParseOutcome(std::string_view name);

// One row of table audit_log.
struct StoredEntry {
  int64_t seq = 0;
  int64_t time_us = 0;  // Unix microseconds
  std::string actor;
  std::string action;
  std::string subject_hash;  // empty when the event had no subject
  std::string outcome;
  std::string details;
  Bytes prev_hash;
  Bytes entry_hash;
};

// One row of table audit_checkpoint.
struct StoredCheckpoint {
  int64_t seq = 0;  // the last entry covered
  Bytes entry_hash;
  int64_t time_us = 0;
  std::string key_label;
  std::string algorithm;  // JOSE name
  Bytes signature;
};

inline constexpr size_t kHashSize = 32;

// The hash `entry` should have if its sequence number were `seq` (the verifier tries other
// numbers to recognise a renumbered row).
Bytes EntryHash(const StoredEntry& entry, int64_t seq);
inline Bytes EntryHash(const StoredEntry& entry) { return EntryHash(entry, entry.seq); }

Bytes CheckpointMessage(int64_t seq, const Bytes& entry_hash, int64_t time_us);

}  // namespace sijil::audit

#endif  // SIJIL_AUDIT_AUDIT_FORMAT_H_
