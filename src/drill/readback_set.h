// The orders found on the new primary after recovery, by idempotency key: the other half of
// what the checker judges. Saved as JSON so a report can be recomputed without the lab.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <expected>
#include <filesystem>
#include <map>
#include <string>

namespace dr::drill {

struct StoredOrder {
  std::string customer;
  std::int64_t amount_cents = 0;
  std::string committed_by;
};

struct ReadBack {
  std::string source;                         // where it was read, for the report
  std::map<std::string, StoredOrder> orders;  // by idempotency key
};

nlohmann::json to_json(const ReadBack& readback);
std::expected<ReadBack, std::string> readback_from_json(const nlohmann::json& j);
std::expected<void, std::string> save_readback(const ReadBack& readback,
                                               const std::filesystem::path& path);
std::expected<ReadBack, std::string> load_readback(const std::filesystem::path& path);

}  // namespace dr::drill
