#include "lab/partition_record.h"

#include <algorithm>

#include "lab/atomic_file.h"
#include "lab/partition.h"

namespace dr::lab {

namespace fs = std::filesystem;

fs::path partition_record_file(const fs::path& lab_dir) {
  return lab_dir / "partition.json";
}

nlohmann::json to_json(const PartitionRecord& r) {
  nlohmann::json from = nlohmann::json::array();
  for (Site s : r.from) from.push_back(std::string(site_name(s)));
  return {{"table", r.table},
          {"region", std::string(site_name(r.region))},
          {"from", from},
          {"by", r.by}};
}

bool cuts_apart(const PartitionRecord& r, Site a, Site b) {
  if (a == b) return false;
  auto from = [&](Site s) {
    return r.from.empty() || std::find(r.from.begin(), r.from.end(), s) != r.from.end();
  };
  return (a == r.region && from(b)) || (b == r.region && from(a));
}

std::string describe(const PartitionRecord& r) {
  std::string list;
  for (Site s : r.from) list += (list.empty() ? "" : ", ") + std::string(site_name(s));
  return std::string(site_name(r.region)) + " cut off from " + list;
}

Result<void> record_partition(const fs::path& lab_dir, const PartitionRecord& record) {
  return replace_file(partition_record_file(lab_dir), to_json(record).dump(2) + "\n");
}

Result<std::optional<PartitionRecord>> recorded_partition(const fs::path& lab_dir) {
  const fs::path file = partition_record_file(lab_dir);
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::optional<PartitionRecord>{};
  auto text = read_whole_file(file);
  if (!text) return std::unexpected(text.error());
  auto j = nlohmann::json::parse(*text, nullptr, false);
  const auto bad = [&](const std::string& why) {
    return fail(ErrorKind::kConfig, file.string() + ": " + why);
  };
  if (!j.is_object() || !j.contains("table") || !j["table"].is_string() || !j.contains("region") ||
      !j["region"].is_string())
    return bad("not a partition record");
  PartitionRecord r;
  r.table = j["table"].get<std::string>();
  // Healing deletes the named table: only one of the lab's own names is taken from a file.
  if (!r.table.starts_with(kPartitionTable)) return bad("table '" + r.table + "' is not the lab's");
  auto region = site_from_name(j["region"].get<std::string>());
  if (!region) return bad("unknown region " + j["region"].dump());
  r.region = *region;
  for (const auto& f : j.value("from", nlohmann::json::array())) {
    auto s = f.is_string() ? site_from_name(f.get<std::string>()) : std::nullopt;
    if (!s) return bad("unknown site " + f.dump() + " in from");
    r.from.push_back(*s);
  }
  r.by = j.value("by", "");
  return std::optional<PartitionRecord>{std::move(r)};
}

void forget_partition(const fs::path& lab_dir) {
  std::error_code ignored;
  fs::remove(partition_record_file(lab_dir), ignored);
}

}  // namespace dr::lab
