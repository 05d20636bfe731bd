#include "sijil/audit/audit_verify.h"

#include <fmt/format.h>

#include <deque>
#include <map>
#include <optional>

#include "sijil/audit/audit_format.h"
#include "sijil/audit/internal/schema.h"
#include "sijil/crypto/signature.h"

namespace sijil::audit {
namespace {

class Walker {
 public:
  Walker(store::Database& db, const VerifyOptions& options) : db_(db), options_(options) {}

  // Ensures the buffer holds at least `n` entries, if the log has them.
  Status Fill(size_t n) {
    while (buf_.size() < n && !exhausted_) {
      SIJIL_ASSIGN_OR_RETURN(
          store::Rows rows,
          db_.Query("SELECT seq, time_us, actor, action, subject_hash, outcome, details, "
                    "prev_hash, entry_hash FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
                    {last_loaded_, static_cast<int64_t>(options_.page_size)}));
      if (rows.size() < static_cast<size_t>(options_.page_size)) exhausted_ = true;
      for (const store::Row& row : rows) {
        SIJIL_ASSIGN_OR_RETURN(StoredEntry e, internal::ReadEntry(row));
        last_loaded_ = e.seq;
        buf_.push_back(std::move(e));
      }
    }
    return Status::Ok();
  }

  std::deque<StoredEntry>& buf() { return buf_; }

 private:
  store::Database& db_;
  const VerifyOptions& options_;
  std::deque<StoredEntry> buf_;
  int64_t last_loaded_ = std::numeric_limits<int64_t>::min();
  bool exhausted_ = false;
};

// The sequence number under which `e`'s stored hash was computed, searched within `window`
// of its current number; nullopt if none (its content was changed).
std::optional<int64_t> OriginalSeq(const StoredEntry& e, int window) {
  if (EntryHash(e, e.seq) == e.entry_hash) return e.seq;
  for (int d = 1; d <= window; ++d) {
    if (EntryHash(e, e.seq + d) == e.entry_hash) return e.seq + d;
    if (e.seq - d >= 1 && EntryHash(e, e.seq - d) == e.entry_hash) return e.seq - d;
  }
  return std::nullopt;
}

VerifyReport Problem(VerifyReport r, TamperKind kind, int64_t seq, std::string detail) {
  r.kind = kind;
  r.seq = seq;
  r.detail = std::move(detail);
  return r;
}

}  // namespace

std::string_view TamperKindName(TamperKind kind) {
  switch (kind) {
    case TamperKind::kNone:
      return "none";
    case TamperKind::kModified:
      return "modified";
    case TamperKind::kDeleted:
      return "deleted";
    case TamperKind::kInserted:
      return "inserted";
    case TamperKind::kReordered:
      return "reordered";
    case TamperKind::kBadSignature:
      return "bad_signature";
  }
  return "unknown";
}

Result<VerifyReport> VerifyAuditLog(store::Database& db, const crypto::PublicKey& key,
                                    const VerifyOptions& options) {
  VerifyReport report;
  SIJIL_ASSIGN_OR_RETURN(store::Rows head, db.Query("SELECT MAX(seq) FROM audit_log"));
  report.head_seq = head.empty() || head[0].IsNull(0) ? 0 : head[0].GetInt64(0).value_or(0);

  // Checkpoints first: only those whose signature verifies are trusted below.
  SIJIL_ASSIGN_OR_RETURN(
      store::Rows cps,
      db.Query("SELECT seq, entry_hash, time_us, algorithm, signature FROM audit_checkpoint "
               "ORDER BY seq"));
  std::map<int64_t, Bytes> signed_heads;
  std::optional<int64_t> bad_signature;
  for (const store::Row& row : cps) {
    SIJIL_ASSIGN_OR_RETURN(int64_t seq, row.GetInt64(0));
    SIJIL_ASSIGN_OR_RETURN(Bytes hash, row.GetBlob(1));
    SIJIL_ASSIGN_OR_RETURN(int64_t time_us, row.GetInt64(2));
    SIJIL_ASSIGN_OR_RETURN(std::string alg_name, row.GetText(3));
    SIJIL_ASSIGN_OR_RETURN(Bytes sig, row.GetBlob(4));
    Result<crypto::SignatureAlgorithm> alg = crypto::ParseJwsAlgorithm(alg_name);
    const bool ok =
        alg.ok() &&
        crypto::VerifySignature(key, *alg, CheckpointMessage(seq, hash, time_us), sig).ok();
    if (!ok) {
      if (!bad_signature) bad_signature = seq;
      continue;
    }
    signed_heads[seq] = std::move(hash);
    ++report.checkpoints;
    report.last_checkpoint_seq = seq;
  }

  Walker walker(db, options);
  const size_t window = static_cast<size_t>(std::max(1, options.window));
  int64_t expected = 1;
  int64_t last_checkpoint = 0;
  Bytes prev(kHashSize, 0);
  Bytes prev_prev;
  for (;;) {
    SIJIL_RETURN_IF_ERROR(walker.Fill(window + 1));
    auto& buf = walker.buf();
    if (buf.empty()) break;
    const StoredEntry& r = buf.front();
    const bool self_ok = EntryHash(r) == r.entry_hash;
    if (r.seq == expected && r.prev_hash == prev && self_ok) {
      if (auto cp = signed_heads.find(r.seq); cp != signed_heads.end()) {
        if (cp->second != r.entry_hash) {
          return Problem(report, TamperKind::kModified, last_checkpoint + 1,
                         fmt::format("entries {}..{} were rewritten: the chain no longer "
                                     "matches the signed checkpoint at {}",
                                     last_checkpoint + 1, r.seq, r.seq));
        }
        last_checkpoint = r.seq;
      }
      prev_prev = std::move(prev);
      prev = r.entry_hash;
      ++expected;
      ++report.entries;
      buf.pop_front();
      continue;
    }

    // The first problem: classify it.
    auto later = [&](auto pred) {
      for (size_t i = 1; i < buf.size() && i <= window; ++i) {
        if (pred(buf[i])) return true;
      }
      return false;
    };
    const int w = static_cast<int>(window);
    if (r.seq > expected) {
      return Problem(report, TamperKind::kDeleted, expected,
                     fmt::format("entries {}..{} are missing", expected, r.seq - 1));
    }
    const std::optional<int64_t> orig = OriginalSeq(r, w);
    if (orig.has_value() && *orig == r.seq) {
      // The entry is intact but does not link to its predecessor.
      if (later([&](const StoredEntry& l) { return l.entry_hash == r.prev_hash; })) {
        return Problem(report, TamperKind::kReordered, r.seq,
                       fmt::format("entry {} links to an entry stored after it", r.seq));
      }
      if (expected >= 2 && r.prev_hash == prev_prev) {
        return Problem(report, TamperKind::kInserted, expected - 1,
                       fmt::format("entry {} is not part of the chain (entry {} links past it)",
                                   expected - 1, r.seq));
      }
      return Problem(report, TamperKind::kModified, expected - 1,
                     fmt::format("entry {} was altered (entry {} links to a different hash)",
                                 expected - 1, r.seq));
    }
    if (orig.has_value() && *orig > r.seq) {
      if (later([&](const StoredEntry& l) { return OriginalSeq(l, w) == r.seq; })) {
        return Problem(report, TamperKind::kReordered, r.seq,
                       fmt::format("entry {} was moved to position {}", *orig, r.seq));
      }
      return Problem(report, TamperKind::kDeleted, r.seq,
                     fmt::format("{} entr{} removed before entry {} and the rest renumbered",
                                 *orig - r.seq, *orig - r.seq == 1 ? "y was" : "ies were", *orig));
    }
    if (orig.has_value() && *orig < r.seq) {
      return Problem(report, TamperKind::kInserted, *orig,
                     fmt::format("entries {}..{} are not part of the chain", *orig, r.seq - 1));
    }
    // The entry's content no longer matches its hash.
    if (r.prev_hash == prev) {
      return Problem(report, TamperKind::kModified, r.seq,
                     fmt::format("entry {} does not match its hash", r.seq));
    }
    if (buf.size() > 1 && buf[1].prev_hash == r.entry_hash) {
      return Problem(report, TamperKind::kModified, r.seq,
                     fmt::format("entry {} was altered (its link field changed)", r.seq));
    }
    if (later([&](const StoredEntry& l) {
          return l.prev_hash == prev || OriginalSeq(l, w) == r.seq;
        })) {
      return Problem(report, TamperKind::kInserted, r.seq,
                     fmt::format("entry {} is not part of the chain", r.seq));
    }
    if (later([&](const StoredEntry& l) { return l.entry_hash == r.prev_hash; })) {
      return Problem(report, TamperKind::kReordered, r.seq,
                     fmt::format("entry {} links to an entry stored after it", r.seq));
    }
    if (buf.size() == 1) {
      return Problem(report, TamperKind::kInserted, r.seq,
                     fmt::format("entry {} at the end is not part of the chain", r.seq));
    }
    return Problem(report, TamperKind::kModified, r.seq,
                   fmt::format("entry {} does not match its hash", r.seq));
  }

  // The chain is consistent; now the checkpoints.
  if (bad_signature.has_value()) {
    return Problem(report, TamperKind::kBadSignature, *bad_signature,
                   fmt::format("the checkpoint at {} has an invalid signature", *bad_signature));
  }
  if (!signed_heads.empty() && signed_heads.rbegin()->first >= expected) {
    const int64_t covered = signed_heads.rbegin()->first;
    return Problem(report, TamperKind::kDeleted, expected,
                   fmt::format("entries {}..{} are missing (a signed checkpoint covers {})",
                               expected, covered, covered));
  }
  return report;
}

}  // namespace sijil::audit
