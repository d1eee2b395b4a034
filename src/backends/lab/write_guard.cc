#include "backends/lab/write_guard.h"

namespace dr::backends::lab {

Result<std::string> raise_write_guard(LabDatabase& db, const LabTargets& targets,
                                      const std::string& region, int64_t epoch,
                                      const std::string& schema) {
  const std::string to = "guard raised to epoch " + std::to_string(epoch) + " on ";
  const std::string& writer = targets.topology.writer;
  auto on_writer = db.raise_write_guard(writer, schema, epoch, /*local=*/false);
  if (on_writer) return to + writer;
  // The writer's own region: its other servers replicate from it, and a row raised on them
  // alone would make the writer's later insert of it a duplicate there, stopping replication.
  // The step fails and is retried instead.
  const auto writer_region = targets.database_region.find(writer);
  if (writer_region != targets.database_region.end() && writer_region->second == region)
    return std::unexpected(on_writer.error().in("write guard not raised to epoch " +
                                                std::to_string(epoch) + ": " + writer + ": "));
  std::string raised;
  std::string why = writer + ": " + on_writer.error().describe();
  for (const auto& [server, server_region] : targets.database_region) {
    if (server_region != region || server == writer) continue;
    if (auto r = db.raise_write_guard(server, schema, epoch, /*local=*/true); r)
      raised += (raised.empty() ? "" : ", ") + server;
    else
      why += "; " + server + ": " + r.error().describe();
  }
  if (raised.empty())
    return core::fail(on_writer.error().kind, "write guard not raised to epoch " +
                                                  std::to_string(epoch) + " (" + why + ")");
  return to + raised + " (locally; " + why + ")";
}

}  // namespace dr::backends::lab
