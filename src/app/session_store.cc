#include "app/session_store.h"

#include <charconv>

namespace dr::app {

namespace {

std::expected<int64_t, std::string> number_attr(const nlohmann::json& item, const char* name) {
  auto it = item.find(name);
  if (it == item.end() || !it->is_object() || !it->contains("N") || !(*it)["N"].is_string())
    return std::unexpected(std::string("attribute '") + name + "' missing or not a number");
  const auto& s = (*it)["N"].get_ref<const std::string&>();
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size())
    return std::unexpected(std::string("attribute '") + name + "' is not an integer: " + s);
  return v;
}

std::expected<std::string, std::string> string_attr(const nlohmann::json& item, const char* name) {
  auto it = item.find(name);
  if (it == item.end() || !it->is_object() || !it->contains("S") || !(*it)["S"].is_string())
    return std::unexpected(std::string("attribute '") + name + "' missing or not a string");
  return (*it)["S"].get<std::string>();
}

SessionError unavailable(const aws::Error& e) {
  SessionFailure f = e.kind == aws::ErrorKind::kOutcomeUnknown ? SessionFailure::kUnknownOutcome
                                                               : SessionFailure::kUnavailable;
  return {f, "dynamodb: " + e.describe(), -1};
}

}  // namespace

nlohmann::ordered_json session_to_item(const Session& s) {
  return {{kSessionTableKey, {{"S", s.id}}},
          {"data", {{"S", s.data.dump()}}},
          {"version", {{"N", std::to_string(s.version)}}},
          {"updated_at_ms", {{"N", std::to_string(s.updated_at_ms)}}},
          {"origin_region", {{"S", s.origin_region}}}};
}

std::expected<Session, std::string> session_from_item(const nlohmann::json& item) {
  Session s;
  auto id = string_attr(item, kSessionTableKey);
  if (!id) return std::unexpected(id.error());
  auto data = string_attr(item, "data");
  if (!data) return std::unexpected(data.error());
  auto version = number_attr(item, "version");
  if (!version) return std::unexpected(version.error());
  auto updated = number_attr(item, "updated_at_ms");
  if (!updated) return std::unexpected(updated.error());
  auto origin = string_attr(item, "origin_region");
  if (!origin) return std::unexpected(origin.error());
  s.id = *id;
  s.data = nlohmann::json::parse(*data, nullptr, false);
  if (s.data.is_discarded()) return std::unexpected("attribute 'data' is not JSON");
  s.version = *version;
  s.updated_at_ms = *updated;
  s.origin_region = *origin;
  return s;
}

SessionStore::SessionStore(aws::DynamoDb& dynamodb, std::string table, std::string region,
                           WallClock clock)
    : ddb_(dynamodb),
      table_(std::move(table)),
      region_(std::move(region)),
      clock_(std::move(clock)) {}

nlohmann::ordered_json SessionStore::create_table_input(const std::string& table) {
  return {
      {"TableName", table},
      {"AttributeDefinitions", {{{"AttributeName", kSessionTableKey}, {"AttributeType", "S"}}}},
      {"KeySchema", {{{"AttributeName", kSessionTableKey}, {"KeyType", "HASH"}}}},
      {"BillingMode", "PAY_PER_REQUEST"},
      {"StreamSpecification", {{"StreamEnabled", true}, {"StreamViewType", "NEW_AND_OLD_IMAGES"}}}};
}

std::expected<void, std::string> SessionStore::ensure_table() {
  auto described = ddb_.describe_table({{"TableName", table_}});
  if (described) return {};
  if (described.error().code != "ResourceNotFoundException")
    return std::unexpected("describe table " + table_ + ": " + described.error().describe());
  auto created = ddb_.create_table(create_table_input(table_));
  // Another instance may have created it in between: that is success too.
  if (!created && created.error().code != "ResourceInUseException")
    return std::unexpected("create table " + table_ + ": " + created.error().describe());
  return {};
}

std::expected<Session, SessionError> SessionStore::get(const std::string& id) {
  auto out = ddb_.get_item({{"TableName", table_},
                            {"Key", {{kSessionTableKey, {{"S", id}}}}},
                            {"ConsistentRead", true}});
  if (!out) return std::unexpected(unavailable(out.error()));
  auto item = out->find("Item");
  if (item == out->end())
    return std::unexpected(SessionError{SessionFailure::kNotFound, "no session " + id, -1});
  auto s = session_from_item(*item);
  if (!s)
    return std::unexpected(SessionError{SessionFailure::kUnavailable,
                                        "stored session is malformed: " + s.error(), -1});
  return *s;
}

std::expected<Session, SessionError> SessionStore::put(const std::string& id,
                                                       const nlohmann::json& data,
                                                       int64_t expected_version) {
  Session s{
      id, data, expected_version + 1,
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_().time_since_epoch()).count(),
      region_};
  nlohmann::ordered_json in = {{"TableName", table_}, {"Item", session_to_item(s)}};
  if (expected_version == 0) {
    in["ConditionExpression"] = "attribute_not_exists(id)";
  } else {
    in["ConditionExpression"] = "version = :expected";
    in["ExpressionAttributeValues"] = {{":expected", {{"N", std::to_string(expected_version)}}}};
  }
  in["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD";
  auto out = ddb_.put_item(in);
  if (out) return s;
  if (aws::is_conditional_check_failed(out.error())) {
    SessionError conflict{
        SessionFailure::kVersionConflict,
        "session " + id + " is not at version " + std::to_string(expected_version), -1};
    // The current version, when the service returned the old item (newer APIs do).
    auto body = aws::parse_json_body(out.error().raw_body);
    if (body && body->contains("Item")) {
      if (auto v = number_attr((*body)["Item"], "version")) conflict.current_version = *v;
    }
    return std::unexpected(conflict);
  }
  return std::unexpected(unavailable(out.error()));
}

std::expected<void, std::string> SessionStore::ping() {
  auto out = ddb_.describe_table({{"TableName", table_}});
  if (!out) return std::unexpected("dynamodb: " + out.error().describe());
  return {};
}

}  // namespace dr::app
