// The fencing epoch a fresh lease store must start above. `lab up --write-lease` builds a new
// etcd cluster every time, but the databases keep their guard rows (`dr_write_guard`, the epoch
// the last holder's writes carried). A lease seeded below that epoch would have every app's write
// refused as stale: an outage the lab made itself. So the seed is the highest epoch any server
// holds, and the writer must answer: its row is the one writes are checked against.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "db/error.h"

namespace dr::lab {

struct GuardReading {
  std::string server;
  bool writer = false;
  // `SELECT epoch FROM dr_write_guard WHERE id = 1`: a value, no row (nullopt), or an error.
  db::Result<std::optional<std::string>> epoch;
};

// The highest epoch read, 0 where no app has written yet (no table: 1146, or no row). Fails,
// naming the server, when the writer's reading failed otherwise or any value is not a
// non-negative number. A replica that cannot be read is skipped: its row lags the writer's.
std::expected<int64_t, std::string> highest_guard_epoch(const std::vector<GuardReading>& readings);

}  // namespace dr::lab
