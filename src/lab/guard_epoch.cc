#include "lab/guard_epoch.h"

#include <charconv>

namespace dr::lab {

namespace {

constexpr unsigned kNoSuchTable = 1146;  // ER_NO_SUCH_TABLE: no app has written yet

}  // namespace

std::expected<int64_t, std::string> highest_guard_epoch(const std::vector<GuardReading>& readings) {
  int64_t highest = 0;
  bool writer_read = false;
  for (const auto& r : readings) {
    if (!r.epoch) {
      if (r.epoch.error().code == kNoSuchTable) {
        writer_read = writer_read || r.writer;
        continue;
      }
      if (r.writer)
        return std::unexpected("cannot read the fencing epoch on the writer " + r.server + " (" +
                               r.epoch.error().describe() +
                               "): a lease seeded without it could start below the guard row's "
                               "epoch, and every write would be refused as stale");
      continue;
    }
    writer_read = writer_read || r.writer;
    if (!*r.epoch) continue;
    const std::string& text = **r.epoch;
    int64_t v = -1;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < 0)
      return std::unexpected(r.server + ": dr_write_guard holds '" + text +
                             "', not an epoch (a non-negative number)");
    highest = std::max(highest, v);
  }
  if (!writer_read) return std::unexpected("no reading of the writer's fencing epoch");
  return highest;
}

}  // namespace dr::lab
