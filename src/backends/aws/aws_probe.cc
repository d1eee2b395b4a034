#include "backends/aws/aws_probe.h"

#include <nlohmann/json.hpp>

#include "backends/aws/app_request.h"

namespace dr::backends::aws_world {

namespace {

using nlohmann::json;

std::string served_region(const json& body) {
  if (body.is_object() && body.contains("served_by") && body["served_by"].is_object() &&
      body["served_by"].contains("region") && body["served_by"]["region"].is_string())
    return body["served_by"]["region"].get<std::string>();
  return "";
}

std::string snippet(const std::string& body) {
  return body.size() > 200 ? body.substr(0, 200) + "..." : body;
}

}  // namespace

AwsProbe::AwsProbe(AwsTargets targets, Pacing pacing,
                   std::shared_ptr<dr::aws::HttpTransport> transport)
    : targets_(std::move(targets)), pacing_(std::move(pacing)), transport_(std::move(transport)) {
  if (!transport_) transport_ = dr::aws::make_default_transport({});
}

std::string AwsProbe::attempt(const AwsRegionTargets& t, const std::string& key) {
  auto post = request_to(t.app_url, "POST", "/orders");
  post.set_header("Content-Type", "application/json");
  post.body = json{{"customer", "dr-verify"}, {"amount_cents", 1}, {"idempotency_key", key}}.dump();
  auto created = transport_->send(post);
  if (!created) return "POST /orders: " + created.error().describe();
  if (created->status != 200 && created->status != 201)
    return "POST /orders: HTTP " + std::to_string(created->status) + " " + snippet(created->body);
  auto order = json::parse(created->body, nullptr, false);
  if (!order.is_object() || !order.contains("id") || !order["id"].is_number_integer())
    return "POST /orders answered without an order id: " + snippet(created->body);
  if (auto served = served_region(order); served != t.region)
    return "POST /orders was served by " + (served.empty() ? std::string("?") : served) + ", not " +
           t.region;

  const std::string id = std::to_string(order["id"].get<int64_t>());
  auto get = request_to(t.app_url, "GET", "/orders/" + id);
  get.query.push_back({"consistent", "true"});
  auto read = transport_->send(get);
  if (!read) return "GET /orders/" + id + ": " + read.error().describe();
  if (read->status != 200)
    return "GET /orders/" + id + ": HTTP " + std::to_string(read->status) + " " +
           snippet(read->body);
  auto back = json::parse(read->body, nullptr, false);
  if (!back.is_object() || !back.contains("idempotency_key") ||
      back["idempotency_key"] != json(key))
    return "GET /orders/" + id + " read back another order: " + snippet(read->body);
  if (auto served = served_region(back); served != t.region)
    return "GET /orders/" + id + " was served by " + (served.empty() ? std::string("?") : served) +
           ", not " + t.region;
  return "";
}

core::Result<> AwsProbe::verify_write(const std::string& region) {
  const AwsRegionTargets* t = targets_.find(region);
  if (!t) return core::fail(core::ErrorKind::kRefused, "no app URL configured for " + region);
  const auto unix_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(pacing_.wall().time_since_epoch())
          .count();
  const std::string key = "dr-verify-" + region + "-" + std::to_string(unix_ms) + "-" +
                          std::to_string(++verifications_);
  const auto deadline = pacing_.now() + targets_.probe_deadline;
  std::string last;
  for (;;) {
    last = attempt(*t, key);
    if (last.empty()) return {};
    if (pacing_.now() >= deadline) break;
    pacing_.sleep(targets_.poll_interval);
  }
  return core::fail(core::ErrorKind::kTimeout, "verify write through " + t->app_url + " within " +
                                                   std::to_string(targets_.probe_deadline.count()) +
                                                   " ms: " + last);
}

}  // namespace dr::backends::aws_world
