#include "sijil/crypto/key_repository.h"

#include <algorithm>

#include "sijil/crypto/errors.h"

namespace sijil::crypto {

std::string_view KeyTierName(KeyTier tier) {
  switch (tier) {
    case KeyTier::kRoot:
      return "ROOT";
    case KeyTier::kModule:
      return "MODULE";
    case KeyTier::kBase:
      return "BASE";
  }
  return "";
}

Result<KeyTier> ParseKeyTier(std::string_view name) {
  for (KeyTier t : {KeyTier::kRoot, KeyTier::kModule, KeyTier::kBase}) {
    if (KeyTierName(t) == name) return t;
  }
  return Status::DataLoss(kErrKeyStorage, "unknown key tier in the key tables");
}

namespace {
void SortRecords(std::vector<KeyRecord>& records) {
  std::sort(records.begin(), records.end(), [](const KeyRecord& a, const KeyRecord& b) {
    return std::tie(a.application_id, a.reference_id, a.not_before, a.alias) <
           std::tie(b.application_id, b.reference_id, b.not_before, b.alias);
  });
}
}  // namespace

Status InMemoryKeyRepository::Insert(const KeyRecord& record) {
  std::lock_guard lock(mu_);
  if (!by_alias_.emplace(record.alias, record).second) {
    return Status::AlreadyExists(kErrKeyStorage, "key alias exists");
  }
  return Status::Ok();
}

Result<std::vector<KeyRecord>> InMemoryKeyRepository::FindByApplication(
    std::string_view application_id, std::string_view reference_id) {
  std::lock_guard lock(mu_);
  std::vector<KeyRecord> out;
  for (const auto& [alias, r] : by_alias_) {
    if (r.application_id == application_id && r.reference_id == reference_id) out.push_back(r);
  }
  SortRecords(out);
  return out;
}

Result<std::optional<KeyRecord>> InMemoryKeyRepository::FindByAlias(std::string_view alias) {
  std::lock_guard lock(mu_);
  auto it = by_alias_.find(alias);
  if (it == by_alias_.end()) return std::optional<KeyRecord>();
  return std::optional<KeyRecord>(it->second);
}

Result<std::optional<KeyRecord>> InMemoryKeyRepository::FindByThumbprint(
    std::string_view thumbprint_hex) {
  std::lock_guard lock(mu_);
  for (const auto& [alias, r] : by_alias_) {
    if (r.thumbprint_hex == thumbprint_hex) return std::optional<KeyRecord>(r);
  }
  return std::optional<KeyRecord>();
}

Result<std::vector<KeyRecord>> InMemoryKeyRepository::ListAll() {
  std::lock_guard lock(mu_);
  std::vector<KeyRecord> out;
  for (const auto& [alias, r] : by_alias_) out.push_back(r);
  SortRecords(out);
  return out;
}

Status InMemoryKeyRepository::SetNotAfter(std::string_view alias,
                                          std::chrono::system_clock::time_point not_after) {
  std::lock_guard lock(mu_);
  auto it = by_alias_.find(alias);
  if (it == by_alias_.end()) return Status::NotFound(kErrKeyNotFound, "no key with this alias");
  it->second.not_after = not_after;
  return Status::Ok();
}

}  // namespace sijil::crypto
