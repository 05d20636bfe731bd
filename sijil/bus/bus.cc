#include "sijil/bus/bus.h"

#include <algorithm>

namespace sijil::bus {

Status ValidateName(std::string_view what, std::string_view name) {
  if (name.empty() || name.size() > 200) {
    return Status::InvalidArgument("SIJ-BUS-001",
                                   std::string(what) + " name must be 1 to 200 characters");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Status::InvalidArgument(
          "SIJ-BUS-001", std::string(what) + " name may hold only letters, digits, '.', '_', '-'");
    }
  }
  return Status::Ok();
}

std::chrono::milliseconds RetryBackoff(const SubscriptionOptions& options, int attempt) {
  const int64_t initial = std::max<int64_t>(0, options.initial_backoff.count());
  const int64_t cap = std::max<int64_t>(initial, options.max_backoff.count());
  int64_t delay = initial;
  for (int i = 1; i < attempt && delay < cap; ++i) delay *= 2;
  return std::chrono::milliseconds(std::min(delay, cap));
}

Result<int> ProcessAvailable(Bus& bus, std::string_view topic, std::string_view group,
                             const Handler& handler, int max) {
  SIJIL_ASSIGN_OR_RETURN(std::vector<Delivery> deliveries, bus.Fetch(topic, group, max));
  int handled = 0;
  for (const Delivery& d : deliveries) {
    Status s = handler(d.message, d.attempt);
    if (s.ok()) {
      SIJIL_RETURN_IF_ERROR(bus.Ack(d));
      ++handled;
    } else {
      SIJIL_RETURN_IF_ERROR(bus.Nack(d, s.ToString()));
    }
  }
  return handled;
}

Result<int> ProcessAvailable(Bus& bus, store::Database& db, std::string_view topic,
                             std::string_view group, const TransactionalHandler& handler, int max) {
  SIJIL_ASSIGN_OR_RETURN(std::vector<Delivery> deliveries, bus.Fetch(topic, group, max));
  int handled = 0;
  for (const Delivery& d : deliveries) {
    Status s = db.RunInTransaction([&](store::Transaction& tx) -> Status {
      SIJIL_RETURN_IF_ERROR(handler(tx, d.message, d.attempt));
      return bus.Ack(tx, d);
    });
    if (s.ok()) {
      ++handled;
    } else {
      SIJIL_RETURN_IF_ERROR(bus.Nack(d, s.ToString()));
    }
  }
  return handled;
}

}  // namespace sijil::bus
