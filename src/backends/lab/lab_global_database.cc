#include "backends/lab/lab_global_database.h"

namespace dr::backends::lab {

Result<> LabGlobalDatabase::fence_writer(const core::DatabaseMove& move) {
  return db_.fence(move.old_writer);
}

Result<std::string> LabGlobalDatabase::fail_over(const core::DatabaseMove& m,
                                                 bool allow_data_loss) {
  std::string skipped;
  auto note = [&](const std::string& what, const core::Error& e) {
    skipped += (skipped.empty() ? "" : "; ") + what + " (" + e.describe() + ")";
  };
  // Re-read first: a promotion whose answer was lost (or a resumed runbook) must not catch the
  // new writer up from a replica again, which would make it a replica.
  auto writer = db_.is_writer(m.new_writer);
  if (!writer) return std::unexpected(writer.error());
  if (!*writer) {
    if (!m.catch_up_source.empty()) {
      auto r = db_.catch_up(m.new_writer, m.catch_up_source, m.catch_up_timeout);
      // Without the old writer's last writes a planned move stops; a failover promotes what it
      // has (the asynchronous window, which the drill reports as RPO).
      if (!r && !allow_data_loss) return std::unexpected(r.error().in("catch up: "));
      if (!r) note("catch up from " + m.catch_up_source, r.error());
    }
    // The runbook's fence step may have been skipped (the old writer was dead) and the old
    // writer revived since (`lab restore` between a crash of the controller and its resume):
    // promoting beside a writable old writer makes two writers. Fence it again, here, where the
    // promotion follows at once; one that does not answer is what a failover expects.
    if (!m.old_writer.empty() && m.old_writer != m.new_writer) {
      if (auto r = db_.fence(m.old_writer); !r) note("fence " + m.old_writer, r.error());
    }
    if (auto r = db_.promote(m.new_writer); !r) return std::unexpected(r.error());
  }
  // A follower that died with its region rejoins later (drctl failback), not now.
  for (const auto& f : m.followers) {
    if (auto r = db_.replicate_from(f, m.new_writer); !r) note("follower " + f, r.error());
  }
  for (const auto& region : m.regions) {
    auto r = supervisor_.repoint_writer(region, m.new_writer);
    if (r) continue;
    // The failed region's endpoint may be down with it; the surviving ones must move (and within
    // a region, its one endpoint must).
    if (region == m.from_region && m.from_region != m.to_region) {
      note("writer endpoint of " + region, r.error());
      continue;
    }
    return std::unexpected(r.error().in("repoint " + region + ": "));
  }
  return skipped;
}

Result<std::string> LabGlobalDatabase::switch_over(const core::DatabaseMove& move) {
  if (auto fenced = db_.fence(move.old_writer); !fenced) return std::unexpected(fenced.error());
  return fail_over(move, /*allow_data_loss=*/false);
}

}  // namespace dr::backends::lab
