// The orders found on the new primary after recovery, by idempotency key: the other half of
// what the checker judges. Saved as JSON so a report can be recomputed without the lab.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dr::drill {

struct StoredOrder {
  std::string customer;
  std::int64_t amount_cents = 0;
  std::string committed_by;
};

// One database server's answer to `SELECT @@read_only` at read-back: more than one writable
// server is a split brain, whatever the clients saw.
struct ServerMode {
  std::string name;               // "a1"
  std::string address;            // what the app reports as committed_by
  std::optional<bool> read_only;  // nullopt: it did not answer (reported, not counted writable)
  std::string error;              // why it did not answer
};

struct ReadBack {
  std::string source;                         // where it was read, for the report
  std::map<std::string, StoredOrder> orders;  // by idempotency key
  // The session ids found in any region's DynamoDB that answered; nullopt when sessions were
  // not read back (a read-back saved before they were), so none is judged.
  std::optional<std::set<std::string>> sessions;
  std::string sessions_source;
  // Every database server's read_only; empty when not asked (then nothing is judged).
  std::vector<ServerMode> servers;
};

nlohmann::json to_json(const ReadBack& readback);
std::expected<ReadBack, std::string> readback_from_json(const nlohmann::json& j);
std::expected<void, std::string> save_readback(const ReadBack& readback,
                                               const std::filesystem::path& path);
std::expected<ReadBack, std::string> load_readback(const std::filesystem::path& path);

}  // namespace dr::drill
