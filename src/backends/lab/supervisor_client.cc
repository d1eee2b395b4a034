#include "backends/lab/supervisor_client.h"

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <thread>

namespace dr::backends::lab {

using nlohmann::json;

SupervisorClient::SupervisorClient(std::string host, int port, std::string token,
                                   std::chrono::milliseconds timeout, std::string source_address)
    : host_(std::move(host)),
      port_(port),
      token_(std::move(token)),
      timeout_(timeout),
      source_address_(std::move(source_address)) {}

Result<> SupervisorClient::call(const std::string& method, const std::string& path,
                                const std::string& body, core::ErrorKind on_409) {
  httplib::Client c(host_, port_);
  // cpp-httplib binds to an address given as the "interface" (docs/partitions.md, fact 9).
  if (!source_address_.empty()) c.set_interface(source_address_);
  c.set_bearer_token_auth(token_);
  c.set_connection_timeout(timeout_);
  c.set_read_timeout(timeout_);
  httplib::Result r = method == "PUT"      ? c.Put(path, body, "application/json")
                      : method == "DELETE" ? c.Delete(path)
                                           : c.Post(path, body, "application/json");
  if (!r) {
    // No connection: nothing was sent. Anything else: the request may have been applied.
    const auto kind = r.error() == httplib::Error::Connection ? core::ErrorKind::kUnreachable
                                                              : core::ErrorKind::kOutcomeUnknown;
    return core::fail(kind, "supervisor " + host_ + ":" + std::to_string(port_) + " " + method +
                                " " + path + ": " + httplib::to_string(r.error()));
  }
  if (r->status / 100 != 2)
    // 503: the region's control plane is out of reach (the lab's cut): as a dead one.
    return core::fail(r->status == 504   ? core::ErrorKind::kTimeout
                      : r->status == 409 ? on_409
                      : r->status == 503 ? core::ErrorKind::kUnreachable
                                         : core::ErrorKind::kRefused,
                      "supervisor " + method + " " + path + ": HTTP " + std::to_string(r->status) +
                          " " + r->body);
  return {};
}

Result<json> SupervisorClient::status() {
  httplib::Client c(host_, port_);
  // cpp-httplib binds to an address given as the "interface" (docs/partitions.md, fact 9).
  if (!source_address_.empty()) c.set_interface(source_address_);
  c.set_bearer_token_auth(token_);
  c.set_connection_timeout(timeout_);
  c.set_read_timeout(timeout_);
  auto r = c.Get("/status");
  if (!r)
    return core::fail(core::ErrorKind::kUnreachable,
                      "supervisor " + host_ + ":" + std::to_string(port_) +
                          " GET /status: " + httplib::to_string(r.error()));
  json j = json::parse(r->body, nullptr, false);
  if (r->status != 200 || !j.is_object())
    return core::fail(core::ErrorKind::kRefused,
                      "supervisor GET /status: HTTP " + std::to_string(r->status) + " " + r->body);
  return j;
}

Result<> SupervisorClient::repoint_writer(const std::string& region, const std::string& server) {
  return call("PUT", "/endpoints/" + region + "/writer", json{{"database", server}}.dump());
}

Result<> SupervisorClient::repoint_reader(const std::string& region, const std::string& server) {
  return call("PUT", "/endpoints/" + region + "/reader", json{{"database", server}}.dump());
}

Result<> SupervisorClient::set_capacity(const std::string& region, int min, int desired, int max) {
  return call("PUT", "/fleets/" + region,
              json{{"min", min}, {"desired", desired}, {"max", max}}.dump());
}

Result<> SupervisorClient::fence_apps(const std::string& region, const std::string& reason) {
  // 409: recorded, but instances that did not answer were not told (they are kept out of the
  // ALB, and instances launched later start fenced).
  return call("PUT", "/fleets/" + region + "/fence",
              json{{"fenced", true}, {"reason", reason}}.dump(), core::ErrorKind::kUnreachable);
}

Result<> SupervisorClient::unfence_apps(const std::string& region) {
  return call("PUT", "/fleets/" + region + "/fence", json{{"fenced", false}}.dump());
}

Result<> SupervisorClient::shift_to(const std::string& region) {
  return call("PUT", "/front-door", json{{"active_region", region}}.dump());
}

Result<> SupervisorClient::clear_front_door_override() {
  return call("DELETE", "/front-door/override", "");
}

FrontDoorProbe::FrontDoorProbe(std::string front_door_url, std::string id_prefix,
                               std::chrono::milliseconds deadline)
    : url_(std::move(front_door_url)), prefix_(std::move(id_prefix)), deadline_(deadline) {}

Result<> FrontDoorProbe::verify_write(const std::string& region) {
  httplib::Client c(url_);
  c.set_connection_timeout(std::chrono::milliseconds(1000));
  c.set_read_timeout(std::chrono::milliseconds(2000));
  auto until = std::chrono::steady_clock::now() + deadline_;
  std::string last = "no attempt";
  // The front door may need a moment to see the new region healthy: retry within the deadline.
  do {
    std::string key = prefix_ + "-" + std::to_string(++attempt_);
    auto r = c.Post(
        "/orders",
        json{{"customer", "dr-verify"}, {"amount_cents", 1}, {"idempotency_key", key}}.dump(),
        "application/json");
    if (!r) {
      last = httplib::to_string(r.error());
    } else if (r->status / 100 != 2) {
      last = "HTTP " + std::to_string(r->status) + " " + r->body;
    } else {
      auto body = json::parse(r->body, nullptr, false);
      std::string served;
      if (body.is_object() && body.contains("served_by") && body["served_by"].is_object() &&
          body["served_by"].contains("region") && body["served_by"]["region"].is_string())
        served = body["served_by"]["region"].get<std::string>();
      if (served == region) return {};
      last = "acknowledged by " + (served.empty() ? std::string("?") : served) + ", not " + region;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // pacing between attempts
  } while (std::chrono::steady_clock::now() < until);
  return core::fail(core::ErrorKind::kTimeout, "verify write through " + url_ + ": " + last);
}

}  // namespace dr::backends::lab
