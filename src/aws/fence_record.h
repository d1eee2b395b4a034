// The fence record: the DynamoDB item that tells a region's dr-app instances to refuse writes
// (503 with the reason) and fail /health/deep, those launched later too. It lives in the app's
// DynamoDB global table (infra/modules/dynamodb, hash key "id"), one item per region:
//
//   id            S     "fence#<region>"        (the table's hash key; its name is configurable.
//                                               '#' is not allowed in a session id, so no client
//                                               can read or overwrite it through /sessions)
//   kind          S     "fence"
//   region        S     the fenced region
//   fenced        BOOL  true: refuse writes; false: lifted (kept, not deleted: see below)
//   reason        S     why ("failover fo-1764700000000"), shown in the 503 and /health/deep
//   updated_at_ms N     when the controller wrote it (Unix ms)
//   updated_by    S     who wrote it ("dr-controller")
//
// The controller writes it in the surviving region's replica; the global table replicates it to
// the fenced region when that region comes back (last writer wins, so a lift is a newer item
// with fenced=false rather than a delete, which an older fence replicating late could undo).
// The put is conditional on updated_at_ms: an older write never replaces a newer one.
// Here (not in the controller's rooms) because dr-app reads it too.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <expected>
#include <optional>
#include <string>

namespace dr::aws {

struct FenceRecord {
  std::string region;
  bool fenced = false;
  std::string reason;
  int64_t updated_at_ms = 0;
  std::string updated_by = "dr-controller";
};

std::string fence_key(const std::string& region);  // "fence#<region>"

// PutItem input: the record, unless a newer one (larger updated_at_ms) is already there.
nlohmann::json fence_put_item(const std::string& table, const std::string& key_attribute,
                              const FenceRecord& record);
// GetItem input, strongly consistent.
nlohmann::json fence_get_item(const std::string& table, const std::string& key_attribute,
                              const std::string& region);
// GetItem output -> the record, nullopt when there is none, an error naming the bad attribute.
std::expected<std::optional<FenceRecord>, std::string> parse_fence_item(
    const nlohmann::json& get_item_output);

}  // namespace dr::aws
