// The fencing token at the database as soon as the write lease moves (issue 12): the apps' guard
// row (dr_write_guard, app/mysql_order_store.cc) raised to the new epoch by the controller, with
// the lab's admin login, so that a delayed write of the old holder is refused by the new writer
// before the new holder's first write would have raised it.
#pragma once

#include <cstdint>
#include <string>

#include "backends/lab/lab_database.h"
#include "backends/lab/lab_targets.h"

namespace dr::backends::lab {

// On the writer the lab's state names, binlogged: it reaches every replica in order, the one a
// region failover promotes too (caught up from it first). When the writer is out of reach (a
// region failover after expiry: cut off or dead, and its apps have lost the lease) or fenced
// (read-only: a region failover whose fence held, its replication link down), on each
// database of `region` instead, locally (LabDatabase::raise_write_guard): one of them is
// promoted next. An error when no database took it: the step fails and is retried.
Result<std::string> raise_write_guard(LabDatabase& db, const LabTargets& targets,
                                      const std::string& region, int64_t epoch,
                                      const std::string& schema = "dr");

}  // namespace dr::backends::lab
