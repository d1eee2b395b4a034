#include "app/service.h"

namespace dr::app {

namespace {

Reply json_reply(int status, nlohmann::json body) {
  return {status, std::move(body), {}, "application/json"};
}

Reply bad_request(const BadRequest& e) {
  return json_reply(e.status, error_body(e));
}

Reply store_failure(const StoreError& e) {
  switch (e.failure) {
    case StoreFailure::kNotFound:
      return json_reply(404, {{"error", "not_found"}, {"message", e.message}});
    case StoreFailure::kKeyReused:
      return json_reply(409, {{"error", "idempotency_key_reused"}, {"message", e.message}});
    case StoreFailure::kReadOnly:
      return json_reply(503, {{"error", "read_only"}, {"message", e.message}});
    case StoreFailure::kUnavailable:
      return json_reply(503, {{"error", "database_unavailable"}, {"message", e.message}});
    case StoreFailure::kStaleEpoch:
      return json_reply(503, {{"error", "stale_epoch"}, {"message", e.message}});
    case StoreFailure::kUnknownOutcome:
      // 504: the client must treat the write as unknown (retry with the same idempotency key).
      return json_reply(504, {{"error", "outcome_unknown"}, {"message", e.message}});
  }
  return json_reply(500, {{"error", "internal"}});
}

// 503: this region does not hold the write lease, so nothing was written; the client may retry
// elsewhere (through the front door).
Reply no_write_lease(const std::string& region, const std::string& why) {
  return json_reply(503, {{"error", "no_write_lease"},
                          {"message", "region " + region + " may not write: " + why}});
}

nlohmann::json session_json(const Session& s) {
  return {{"id", s.id},
          {"data", s.data},
          {"version", s.version},
          {"updated_at_ms", s.updated_at_ms},
          {"origin_region", s.origin_region}};
}

}  // namespace

Service::Service(std::string region, std::string instance_id, OrderStore& orders,
                 SessionStore* sessions, Metrics& metrics, FenceState& fence,
                 const WritePermit* permit)
    : region_(std::move(region)),
      instance_id_(std::move(instance_id)),
      orders_(orders),
      sessions_(sessions),
      metrics_(metrics),
      fence_(fence),
      permit_(permit) {}

nlohmann::json Service::order_json(const Order& o) const {
  return {{"id", o.id},
          {"customer", o.customer},
          {"amount_cents", o.amount_cents},
          {"idempotency_key", o.idempotency_key},
          {"region", o.region},
          {"committed_by", o.committed_by},
          {"created_at", o.created_at},
          {"served_by", {{"region", region_}, {"instance", instance_id_}}}};
}

Reply Service::create_order(const std::string& body) {
  auto parsed = parse_create_order(body);
  if (!parsed) return bad_request(parsed.error());
  if (fence_.fenced())
    return json_reply(503, {{"error", "fenced"},
                            {"message", "region " + region_ + " is fenced: " + fence_.reason()}});
  std::optional<int64_t> epoch;
  if (permit_) {
    epoch = permit_->epoch();
    if (!epoch) return no_write_lease(region_, permit_->why_not());
  }
  auto written = orders_.create(*parsed, epoch);
  if (!written) {
    metrics_.count_error("mysql", written.error().failure == StoreFailure::kUnknownOutcome
                                      ? "unknown_outcome"
                                      : "write_failed");
    return store_failure(written.error());
  }
  return json_reply(written->created ? 201 : 200, order_json(written->order));
}

Reply Service::get_order(const std::string& id, bool consistent) {
  auto parsed = parse_order_id(id);
  if (!parsed) return bad_request(parsed.error());
  auto order = orders_.get(*parsed, consistent);
  if (!order) {
    if (order.error().failure != StoreFailure::kNotFound)
      metrics_.count_error("mysql", "read_failed");
    return store_failure(order.error());
  }
  return json_reply(200, order_json(*order));
}

Reply Service::put_session(const std::string& id, const std::string& body) {
  auto sid = parse_session_id(id);
  if (!sid) return bad_request(sid.error());
  auto parsed = parse_put_session(body);
  if (!parsed) return bad_request(parsed.error());
  if (!sessions_) return json_reply(503, {{"error", "sessions_disabled"}});
  if (fence_.fenced())
    return json_reply(503, {{"error", "fenced"}, {"message", "region " + region_ + " is fenced"}});
  if (permit_ && !permit_->epoch()) return no_write_lease(region_, permit_->why_not());
  auto stored = sessions_->put(*sid, parsed->data, parsed->version);
  if (!stored) {
    const auto& e = stored.error();
    switch (e.failure) {
      case SessionFailure::kVersionConflict: {
        nlohmann::json b = {{"error", "version_conflict"}, {"message", e.message}};
        if (e.current_version >= 0) b["current_version"] = e.current_version;
        return json_reply(409, b);
      }
      case SessionFailure::kNotFound:
        return json_reply(404, {{"error", "not_found"}, {"message", e.message}});
      case SessionFailure::kUnavailable:
        metrics_.count_error("dynamodb", "write_failed");
        return json_reply(503, {{"error", "dynamodb_unavailable"}, {"message", e.message}});
      case SessionFailure::kUnknownOutcome:
        metrics_.count_error("dynamodb", "unknown_outcome");
        return json_reply(504, {{"error", "outcome_unknown"}, {"message", e.message}});
    }
  }
  return json_reply(parsed->version == 0 ? 201 : 200, session_json(*stored));
}

Reply Service::get_session(const std::string& id) {
  auto sid = parse_session_id(id);
  if (!sid) return bad_request(sid.error());
  if (!sessions_) return json_reply(503, {{"error", "sessions_disabled"}});
  auto s = sessions_->get(*sid);
  if (!s) {
    if (s.error().failure == SessionFailure::kNotFound)
      return json_reply(404, {{"error", "not_found"}, {"message", s.error().message}});
    metrics_.count_error("dynamodb", "read_failed");
    return json_reply(503, {{"error", "dynamodb_unavailable"}, {"message", s.error().message}});
  }
  return json_reply(200, session_json(*s));
}

Reply Service::health() const {
  // Shallow on purpose: a database outage must not make the ALB replace every instance.
  if (draining_) return json_reply(503, {{"status", "draining"}, {"instance", instance_id_}});
  return json_reply(200, {{"status", "ok"}, {"region", region_}, {"instance", instance_id_}});
}

Reply Service::health_deep() {
  nlohmann::json checks = nlohmann::json::object();
  bool ok = true;
  if (draining_) {
    checks["draining"] = true;
    ok = false;
  }
  if (fence_.fenced()) {
    checks["fenced"] = fence_.reason();
    ok = false;
  }
  if (permit_) {
    const bool holds = permit_->epoch().has_value();
    checks["write_lease"] = holds ? "ok" : permit_->why_not();
    ok = ok && holds;
  }
  auto writer = orders_.check_writer();
  checks["writer"] = writer ? "ok" : writer.error();
  ok = ok && writer.has_value();
  if (sessions_) {
    auto ddb = sessions_->ping();
    checks["dynamodb"] = ddb ? "ok" : ddb.error();
    ok = ok && ddb.has_value();
  }
  return json_reply(ok ? 200 : 503, {{"status", ok ? "ok" : "failing"},
                                     {"region", region_},
                                     {"instance", instance_id_},
                                     {"checks", checks}});
}

Reply Service::metrics() const {
  return {200, nullptr, metrics_.render(), "text/plain; version=0.0.4"};
}

Reply Service::fence(const std::string& reason) {
  fence_.fence(reason.empty() ? "fenced by operator" : reason);
  return json_reply(200, {{"fenced", true}, {"reason", fence_.reason()}});
}

Reply Service::unfence() {
  fence_.unfence();
  return json_reply(200, {{"fenced", false}});
}

}  // namespace dr::app
