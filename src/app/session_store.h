// Sessions live in the local region's DynamoDB table (a global table on AWS; in the lab, DynamoDB
// Local per region plus the replicator). Each item carries a version for optimistic concurrency,
// and the update time and origin region the replicator uses for last-writer-wins.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <string>

#include "aws/dynamodb.h"

namespace dr::app {

// The sessions table's hash key; infra/modules/dynamodb's global table must use the same name
// (tests/infra/table_keys_test.cc checks it).
inline constexpr const char* kSessionTableKey = "id";

struct Session {
  std::string id;
  nlohmann::json data;
  int64_t version = 0;
  int64_t updated_at_ms = 0;
  std::string origin_region;
};

enum class SessionFailure {
  kNotFound,
  kVersionConflict,  // the stored version is not the one the client read
  kUnavailable,      // DynamoDB unreachable or failing; the write may not have happened
  kUnknownOutcome,   // sent, no answer: the write may or may not have happened
};

struct SessionError {
  SessionFailure failure;
  std::string message;
  int64_t current_version = -1;  // on conflict, when known
};

class SessionStore {
 public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;

  SessionStore(aws::DynamoDb& dynamodb, std::string table, std::string region, WallClock clock);

  // Creates the table if it does not exist (streams on, NEW_AND_OLD_IMAGES), idempotent.
  std::expected<void, std::string> ensure_table();

  std::expected<Session, SessionError> get(const std::string& id);
  // Writes `data` if the stored version equals `expected_version` (0: must not exist yet).
  // Returns the stored session with its new version.
  std::expected<Session, SessionError> put(const std::string& id, const nlohmann::json& data,
                                           int64_t expected_version);
  // A cheap read that proves DynamoDB answers (for /health/deep).
  std::expected<void, std::string> ping();

  static nlohmann::ordered_json create_table_input(const std::string& table);

 private:
  aws::DynamoDb& ddb_;
  std::string table_;
  std::string region_;
  WallClock clock_;
};

// Item <-> Session in DynamoDB's attribute-value JSON.
nlohmann::ordered_json session_to_item(const Session& s);
std::expected<Session, std::string> session_from_item(const nlohmann::json& item);

}  // namespace dr::app
