// Which partition a lab made: `drctl lab partition --dir D` and the partition drill record their
// cut in D/partition.json while it is on, so that `drctl lab down` can heal what this lab cut
// (and nothing it did not), and `drctl lab status` can say which cut is active. The nft table
// itself is the machine's (every lab shares the address plan); the record is the lab's claim.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lab/error.h"
#include "lab/ports.h"

namespace dr::lab {

struct PartitionRecord {
  std::string table;  // the nft table holding the cut
  Site region = Site::kUsEast1;
  std::vector<Site> from;  // the sites it is cut off from
  std::string by;          // who cut it: "drctl lab partition", "drill partition-<run>"
};

std::filesystem::path partition_record_file(const std::filesystem::path& lab_dir);

// Written atomically; replaces an earlier record (a cut replaces the region's earlier cut).
Result<void> record_partition(const std::filesystem::path& lab_dir, const PartitionRecord& record);
// nullopt when the lab made no cut; an error for a record that cannot be read or is not ours.
Result<std::optional<PartitionRecord>> recorded_partition(const std::filesystem::path& lab_dir);
// Removes the record; succeeds when there is none.
void forget_partition(const std::filesystem::path& lab_dir);

// Does the cut separate sites `a` and `b` (either way round)? An empty `from` is every other site.
bool cuts_apart(const PartitionRecord& record, Site a, Site b);

nlohmann::json to_json(const PartitionRecord& record);
// "us-east-1 cut off from us-west-2, global"
std::string describe(const PartitionRecord& record);

}  // namespace dr::lab
