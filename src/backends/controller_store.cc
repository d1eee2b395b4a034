#include "backends/controller_store.h"

#include <charconv>

namespace dr::backends {

namespace {
constexpr const char* kRunbookId = "runbook";
constexpr const char* kGuardsId = "guards";
}  // namespace

ControllerStore::ControllerStore(aws::DynamoDb& dynamodb, std::string table, NowMs now_ms)
    : ddb_(dynamodb), table_(std::move(table)), now_ms_(std::move(now_ms)) {
  if (!now_ms_)
    now_ms_ = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
}

std::expected<void, std::string> ControllerStore::ensure_table() {
  auto d = ddb_.describe_table({{"TableName", table_}});
  if (d) return {};
  if (d.error().code != "ResourceNotFoundException")
    return std::unexpected("describe " + table_ + ": " + d.error().describe());
  auto c = ddb_.create_table(
      {{"TableName", table_},
       {"AttributeDefinitions", {{{"AttributeName", kStateTableKey}, {"AttributeType", "S"}}}},
       {"KeySchema", {{{"AttributeName", kStateTableKey}, {"KeyType", "HASH"}}}},
       {"BillingMode", "PAY_PER_REQUEST"}});
  if (!c && c.error().code != "ResourceInUseException")
    return std::unexpected("create " + table_ + ": " + c.error().describe());
  return {};
}

std::expected<nlohmann::json, std::string> ControllerStore::get(const std::string& id) {
  auto out = ddb_.get_item(
      {{"TableName", table_}, {"Key", {{kStateTableKey, {{"S", id}}}}}, {"ConsistentRead", true}});
  if (!out)
    return std::unexpected("read " + id + " from " + table_ + ": " + out.error().describe());
  auto item = out->find("Item");
  if (item == out->end()) return nlohmann::json();
  return *item;
}

core::Result<> ControllerStore::save(const core::RunbookState& state) {
  // DynamoDB (Local at least) refuses empty strings in expression values.
  const std::string owner = state.owner.empty() ? "unowned" : state.owner;
  auto out = ddb_.put_item(
      {{"TableName", table_},
       {"Item",
        {{kStateTableKey, {{"S", kRunbookId}}},
         {"state", {{"S", core::to_json(state).dump()}}},
         {"failover_id", {{"S", state.plan.id}}},
         {"owner", {{"S", owner}}},
         {"lease_until_ms", {{"N", std::to_string(state.lease_until_ms)}}},
         {"done", {{"BOOL", state.done}}}}},
       {"ConditionExpression",
        "attribute_not_exists(id) OR #done = :true OR lease_until_ms < :now OR #owner = :me"},
       // OWNER is a reserved word in DynamoDB expressions.
       {"ExpressionAttributeNames", {{"#owner", "owner"}, {"#done", "done"}}},
       {"ExpressionAttributeValues",
        {{":true", {{"BOOL", true}}},
         {":now", {{"N", std::to_string(now_ms_())}}},
         {":me", {{"S", owner}}}}}});
  if (out) return {};
  if (aws::is_conditional_check_failed(out.error())) {
    auto current = load_runbook();
    std::string holder = current && *current
                             ? (*current)->owner + " (runbook " + (*current)->plan.id + ")"
                             : "another process";
    return core::fail(
        core::ErrorKind::kConflict,
        "runbook is held by " + holder + "; not taking it over before its lease runs out");
  }
  const auto kind = out.error().kind == aws::ErrorKind::kNotSent ? core::ErrorKind::kUnreachable
                    : out.error().kind == aws::ErrorKind::kOutcomeUnknown
                        ? core::ErrorKind::kOutcomeUnknown
                        : core::ErrorKind::kRefused;
  return core::fail(kind, "save runbook " + state.plan.id + ": " + out.error().describe());
}

std::expected<std::optional<core::RunbookState>, std::string> ControllerStore::load_runbook() {
  auto item = get(kRunbookId);
  if (!item) return std::unexpected(item.error());
  if (item->is_null()) return std::optional<core::RunbookState>();
  auto text = item->contains("state") ? (*item)["state"].value("S", "") : "";
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return std::unexpected("the saved runbook is not JSON");
  auto state = core::runbook_from_json(j);
  if (!state) return std::unexpected(state.error());
  return std::optional<core::RunbookState>(*state);
}

std::expected<core::Guards, std::string> ControllerStore::load_guards() {
  auto item = get(kGuardsId);
  if (!item) return std::unexpected(item.error());
  core::Guards g;
  if (item->is_null()) return g;
  if (item->contains("automatic_failover"))
    g.automatic_failover_enabled = (*item)["automatic_failover"].value("BOOL", true);
  if (item->contains("unacknowledged")) {
    std::string id = (*item)["unacknowledged"].value("S", "");
    if (!id.empty()) g.unacknowledged_failover = id;
  }
  if (item->contains("primary_capacity")) {
    // Written by remember_primary_capacity only; anything else in it is ignored, not trusted.
    const std::string n = (*item)["primary_capacity"].value("N", "");
    int v = 0;
    auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
    if (ec == std::errc() && end == n.data() + n.size() && v >= 0) g.primary_capacity = v;
  }
  return g;
}

std::expected<void, std::string> ControllerStore::set_automatic_failover(bool enabled) {
  auto out = ddb_.update_item({{"TableName", table_},
                               {"Key", {{kStateTableKey, {{"S", kGuardsId}}}}},
                               {"UpdateExpression", "SET automatic_failover = :e"},
                               {"ExpressionAttributeValues", {{":e", {{"BOOL", enabled}}}}}});
  if (!out) return std::unexpected("set automatic failover: " + out.error().describe());
  return {};
}

std::expected<void, std::string> ControllerStore::require_ack(const std::string& failover_id) {
  auto out = ddb_.update_item({{"TableName", table_},
                               {"Key", {{kStateTableKey, {{"S", kGuardsId}}}}},
                               {"UpdateExpression", "SET unacknowledged = :f"},
                               {"ExpressionAttributeValues", {{":f", {{"S", failover_id}}}}}});
  if (!out)
    return std::unexpected("record failover " + failover_id + ": " + out.error().describe());
  return {};
}

std::expected<void, std::string> ControllerStore::remember_primary_capacity(int desired) {
  auto out =
      ddb_.update_item({{"TableName", table_},
                        {"Key", {{kStateTableKey, {{"S", kGuardsId}}}}},
                        {"UpdateExpression", "SET primary_capacity = :c"},
                        {"ExpressionAttributeValues", {{":c", {{"N", std::to_string(desired)}}}}}});
  if (!out) return std::unexpected("remember the primary capacity: " + out.error().describe());
  return {};
}

std::expected<void, std::string> ControllerStore::acknowledge(const std::string& failover_id) {
  auto out = ddb_.update_item({{"TableName", table_},
                               {"Key", {{kStateTableKey, {{"S", kGuardsId}}}}},
                               {"UpdateExpression", "REMOVE unacknowledged"},
                               {"ConditionExpression", "unacknowledged = :f"},
                               {"ExpressionAttributeValues", {{":f", {{"S", failover_id}}}}}});
  if (out) return {};
  if (aws::is_conditional_check_failed(out.error())) {
    auto g = load_guards();
    std::string waiting = g && g->unacknowledged_failover ? *g->unacknowledged_failover : "none";
    return std::unexpected("failover " + failover_id +
                           " is not waiting for an acknowledgement (waiting: " + waiting + ")");
  }
  return std::unexpected("acknowledge " + failover_id + ": " + out.error().describe());
}

}  // namespace dr::backends
