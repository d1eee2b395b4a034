#include "backends/lab/supervisor_client.h"

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <thread>

namespace dr::backends::lab {

using nlohmann::json;

namespace {

// "supervisor <host>:<port> <method> <path>": where a call that got no answer was going.
std::string call_to(const dr::lab::ControlClientOptions& o, const std::string& method,
                    const std::string& path) {
  return "supervisor " + o.host + ":" + std::to_string(o.port) + " " + method + " " + path;
}

}  // namespace

SupervisorClient::SupervisorClient(std::string host, int port, std::string token,
                                   std::chrono::milliseconds timeout, std::string source_address)
    : client_({std::move(host), static_cast<std::uint16_t>(port), std::move(token), timeout,
               timeout, std::move(source_address)}) {}

Result<> SupervisorClient::call(const std::string& method, const std::string& path,
                                const json& body, core::ErrorKind on_409) {
  auto r = client_.call(method, path, body);
  if (r) return {};
  const auto& e = r.error();
  switch (e.kind) {
    case dr::lab::ControlError::Kind::kNotJson:
      return {};  // a 2xx: done, whatever it said
    case dr::lab::ControlError::Kind::kNotSent:
    case dr::lab::ControlError::Kind::kNoAnswer:
      // No connection: nothing was sent. Anything else: the request may have been applied.
      return core::fail(e.kind == dr::lab::ControlError::Kind::kNotSent
                            ? core::ErrorKind::kUnreachable
                            : core::ErrorKind::kOutcomeUnknown,
                        call_to(client_.options(), method, path) + ": " + e.detail);
    case dr::lab::ControlError::Kind::kHttp:
      break;
  }
  // 503: the region's control plane is out of reach (the lab's cut): as a dead one.
  return core::fail(e.http_status == 504   ? core::ErrorKind::kTimeout
                    : e.http_status == 409 ? on_409
                    : e.http_status == 503 ? core::ErrorKind::kUnreachable
                                           : core::ErrorKind::kRefused,
                    "supervisor " + method + " " + path + ": HTTP " +
                        std::to_string(e.http_status) + " " + e.detail);
}

Result<json> SupervisorClient::status() {
  auto r = client_.call("GET", "/status");
  if (!r) {
    const auto& e = r.error();
    if (e.kind == dr::lab::ControlError::Kind::kNotSent ||
        e.kind == dr::lab::ControlError::Kind::kNoAnswer)
      return core::fail(core::ErrorKind::kUnreachable,
                        call_to(client_.options(), "GET", "/status") + ": " + e.detail);
    return core::fail(
        core::ErrorKind::kRefused,
        "supervisor GET /status: HTTP " + std::to_string(e.http_status) + " " + e.detail);
  }
  if (!r->is_object())
    return core::fail(core::ErrorKind::kRefused, "supervisor GET /status: HTTP 200 " + r->dump());
  return *r;
}

Result<> SupervisorClient::repoint_writer(const std::string& region, const std::string& server) {
  return call("PUT", "/endpoints/" + region + "/writer", json{{"database", server}});
}

Result<> SupervisorClient::repoint_reader(const std::string& region, const std::string& server) {
  return call("PUT", "/endpoints/" + region + "/reader", json{{"database", server}});
}

Result<> SupervisorClient::set_capacity(const std::string& region, int min, int desired, int max) {
  return call("PUT", "/fleets/" + region, json{{"min", min}, {"desired", desired}, {"max", max}});
}

Result<> SupervisorClient::fence_apps(const std::string& region, const std::string& reason) {
  // 409: recorded, but instances that did not answer were not told (they are kept out of the
  // ALB, and instances launched later start fenced).
  return call("PUT", "/fleets/" + region + "/fence", json{{"fenced", true}, {"reason", reason}},
              core::ErrorKind::kUnreachable);
}

Result<> SupervisorClient::unfence_apps(const std::string& region) {
  return call("PUT", "/fleets/" + region + "/fence", json{{"fenced", false}});
}

Result<> SupervisorClient::shift_to(const std::string& region) {
  return call("PUT", "/front-door", json{{"active_region", region}});
}

Result<> SupervisorClient::clear_front_door_override() {
  return call("DELETE", "/front-door/override", json());
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
