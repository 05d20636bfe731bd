// StoreBus: the embedded Bus, kept in tables of a store::Database (SQLite by default).
//
// Messages, consumer groups and per-group deliveries are rows, so the bus is exactly as
// durable as the database: with SQLite in WAL mode it survives SIGKILL at any point, and a
// publish commits atomically with the caller's own writes. Consumers in other processes on
// the same database file work too (they poll). Thread-safe.
#ifndef SIJIL_BUS_STORE_BUS_H_
#define SIJIL_BUS_STORE_BUS_H_

#include <memory>

#include "sijil/base/env.h"
#include "sijil/bus/bus.h"
#include "sijil/store/database.h"

namespace sijil::bus {

// Opens the bus on `db`, creating or upgrading its tables (store module "bus"). `db` and
// `env` must outlive the bus. Time (publish stamps, back-off, leases) comes from `env`.
Result<std::unique_ptr<Bus>> OpenStoreBus(store::Database& db, Env& env = Env::Default());

}  // namespace sijil::bus

#endif  // SIJIL_BUS_STORE_BUS_H_
