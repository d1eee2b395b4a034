#include "lease/dynamodb_store.h"

#include <charconv>

namespace dr::lease {

namespace {

std::optional<int64_t> number(const nlohmann::json& item, const char* name) {
  auto it = item.find(name);
  if (it == item.end() || !it->is_object() || !it->contains("N") || !(*it)["N"].is_string())
    return std::nullopt;
  const auto& s = (*it)["N"].get_ref<const std::string&>();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

nlohmann::json n(int64_t v) {
  return {{"N", std::to_string(v)}};
}
nlohmann::json str(const std::string& v) {
  return {{"S", v}};
}

Error from_aws(const aws::Error& e, const std::string& what) {
  // Nothing reached DynamoDB, or the answer was lost: either way the lease runs out by time.
  if (e.kind == aws::ErrorKind::kNotSent || e.kind == aws::ErrorKind::kOutcomeUnknown)
    return {ErrorKind::kUnavailable, what + ": " + e.describe()};
  return {ErrorKind::kBadReply, what + ": " + e.describe()};
}

}  // namespace

DynamoDbLeaseStore::DynamoDbLeaseStore(aws::DynamoDb& dynamodb, DynamoDbLeaseOptions options)
    : ddb_(dynamodb), options_(std::move(options)) {}

nlohmann::json DynamoDbLeaseStore::key() const {
  return {{options_.key_name, str(options_.item_id)}};
}

Result<std::optional<DynamoDbLeaseStore::Item>> DynamoDbLeaseStore::read_item() {
  auto out =
      ddb_.get_item({{"TableName", options_.table}, {"Key", key()}, {"ConsistentRead", true}});
  if (!out) return std::unexpected(from_aws(out.error(), "read the write lease"));
  auto item = out->find("Item");
  if (item == out->end()) return std::optional<Item>();
  const auto region = item->value("region", nlohmann::json::object()).value("S", "");
  const auto epoch = number(*item, "epoch");
  const auto version = number(*item, "version");
  const auto ttl = number(*item, "ttl_ms");
  if (region.empty() || !epoch || *epoch < 1 || !version || !ttl || *ttl <= 0)
    return fail(ErrorKind::kBadReply, "the write lease item in " + options_.table +
                                          " is not one: " + item->dump().substr(0, 300));
  return std::optional<Item>(
      Item{LeaseRecord{region, *epoch, *version}, std::chrono::milliseconds(*ttl)});
}

Result<std::optional<LeaseRecord>> DynamoDbLeaseStore::read() {
  auto item = read_item();
  if (!item) return std::unexpected(item.error());
  if (!*item) return std::optional<LeaseRecord>();
  return std::optional<LeaseRecord>((*item)->record);
}

Result<std::optional<Renewed>> DynamoDbLeaseStore::renew(const LeaseRecord& held) {
  auto out = ddb_.update_item(
      {{"TableName", options_.table},
       {"Key", key()},
       {"UpdateExpression", "SET version = version + :one"},
       {"ConditionExpression", "#r = :region AND epoch = :epoch"},
       {"ExpressionAttributeNames", {{"#r", "region"}}},
       {"ExpressionAttributeValues",
        {{":one", n(1)}, {":region", str(held.region)}, {":epoch", n(held.epoch)}}},
       {"ReturnValues", "ALL_NEW"}});
  if (!out) {
    if (aws::is_conditional_check_failed(out.error())) return std::optional<Renewed>();
    return std::unexpected(from_aws(out.error(), "renew the write lease"));
  }
  const auto attrs = out->value("Attributes", nlohmann::json::object());
  const auto version = number(attrs, "version");
  const auto ttl = number(attrs, "ttl_ms");
  if (!version || !ttl) return fail(ErrorKind::kBadReply, "renew: " + out->dump().substr(0, 300));
  LeaseRecord now = held;
  now.token = *version;
  return std::optional<Renewed>(Renewed{now, std::chrono::milliseconds(*ttl)});
}

Result<LeaseRecord> DynamoDbLeaseStore::acquire(const std::string& region,
                                                std::chrono::seconds ttl) {
  const int64_t ttl_ms = std::chrono::milliseconds(ttl).count();
  auto item = read_item();
  if (!item) return std::unexpected(item.error());
  if (!*item) {
    // The first holder ever: epoch 1.
    const LeaseRecord first{region, 1, 1};
    auto put = ddb_.put_item({{"TableName", options_.table},
                              {"Item",
                               {{options_.key_name, str(options_.item_id)},
                                {"region", str(region)},
                                {"epoch", n(1)},
                                {"version", n(1)},
                                {"ttl_ms", n(ttl_ms)}}},
                              {"ConditionExpression", "attribute_not_exists(#k)"},
                              {"ExpressionAttributeNames", {{"#k", options_.key_name}}}});
    if (put) return first;
    if (!aws::is_conditional_check_failed(put.error()))
      return std::unexpected(from_aws(put.error(), "take the write lease"));
    return fail(ErrorKind::kRefused, "another taker was first to the write lease");
  }
  const Item held = **item;
  if (held.record.region == region) return held.record;
  const auto now = options_.now();
  std::chrono::steady_clock::time_point since;
  {
    std::lock_guard lock(mu_);
    if (!seen_ || seen_->first != held.record.token) seen_.emplace(held.record.token, now);
    since = seen_->second;
  }
  const auto wait = held.ttl + options_.taker_margin;
  if (now - since < wait)
    return fail(ErrorKind::kRefused, "the write lease is held by " + describe(held.record) +
                                         ": it passes on only once it has gone unrenewed for " +
                                         std::to_string(wait.count()) + " ms");
  const LeaseRecord mine{region, held.record.epoch + 1, held.record.token + 1};
  auto taken = ddb_.update_item(
      {{"TableName", options_.table},
       {"Key", key()},
       {"UpdateExpression", "SET #r = :region, epoch = :epoch, version = :next, ttl_ms = :ttl"},
       {"ConditionExpression", "version = :seen"},
       {"ExpressionAttributeNames", {{"#r", "region"}}},
       {"ExpressionAttributeValues",
        {{":region", str(region)},
         {":epoch", n(mine.epoch)},
         {":next", n(mine.token)},
         {":ttl", n(ttl_ms)},
         {":seen", n(held.record.token)}}}});
  if (taken) return mine;
  if (aws::is_conditional_check_failed(taken.error()))
    return fail(ErrorKind::kRefused,
                "the write lease of " + describe(held.record) + " was renewed meanwhile");
  // Outcome unknown: only the item tells whether it is ours now.
  if (auto again = read(); again && *again && **again == mine) return mine;
  return std::unexpected(from_aws(taken.error(), "take the write lease"));
}

Result<LeaseRecord> DynamoDbLeaseStore::hand_over(const LeaseRecord& from,
                                                  const std::string& region,
                                                  std::chrono::seconds ttl) {
  auto item = read_item();
  if (!item) return std::unexpected(item.error());
  if (*item && (*item)->record.region == region) return (*item)->record;
  if (!*item || (*item)->record.region != from.region || (*item)->record.epoch != from.epoch)
    return fail(ErrorKind::kRefused,
                "the write lease is no longer " + describe(from) + "'s: it is " +
                    (*item ? describe((*item)->record) : std::string("nobody's")));
  const LeaseRecord mine{region, from.epoch + 1, (*item)->record.token + 1};
  auto moved =
      ddb_.update_item({{"TableName", options_.table},
                        {"Key", key()},
                        {"UpdateExpression",
                         "SET #r = :region, epoch = :next_epoch, version = version + :one, "
                         "ttl_ms = :ttl"},
                        {"ConditionExpression", "#r = :from AND epoch = :epoch"},
                        {"ExpressionAttributeNames", {{"#r", "region"}}},
                        {"ExpressionAttributeValues",
                         {{":region", str(region)},
                          {":next_epoch", n(mine.epoch)},
                          {":one", n(1)},
                          {":ttl", n(std::chrono::milliseconds(ttl).count())},
                          {":from", str(from.region)},
                          {":epoch", n(from.epoch)}}},
                        {"ReturnValues", "ALL_NEW"}});
  if (moved) {
    LeaseRecord out = mine;
    if (auto v = number(moved->value("Attributes", nlohmann::json::object()), "version"))
      out.token = *v;
    return out;
  }
  if (aws::is_conditional_check_failed(moved.error()))
    return fail(ErrorKind::kRefused, "the write lease changed while it was handed over");
  if (auto again = read();
      again && *again && (*again)->region == region && (*again)->epoch == mine.epoch)
    return **again;
  return std::unexpected(from_aws(moved.error(), "hand over the write lease"));
}

}  // namespace dr::lease
