#include "lab/control_api.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "lab/partition.h"
#include "lab/partition_record.h"

namespace dr::lab {
using nlohmann::json;

namespace {

int http_status_of(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConfig:
      return 400;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kRefused:
      return 409;
    case ErrorKind::kTimeout:
      return 504;
    case ErrorKind::kSystem:
    case ErrorKind::kSpawn:
    case ErrorKind::kExited:
    case ErrorKind::kProtocol:
    case ErrorKind::kDatabase:
      return 500;
  }
  return 500;
}

void reply(httplib::Response& res, int status, const json& body) {
  reply_json(res, status, body);
}

void reply(httplib::Response& res, const Result<json>& result) {
  if (result) {
    reply(res, 200, *result);
  } else {
    reply(res, http_status_of(result.error().kind), json{{"error", result.error().message}});
  }
}

// The body as a JSON object, or a 400 already written.
std::optional<json> body_of(const httplib::Request& req, httplib::Response& res) {
  json j = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    reply(res, 400, json{{"error", "the body must be a JSON object"}});
    return std::nullopt;
  }
  return j;
}

std::optional<int> int_field(const json& j, const char* name, bool& bad) {
  if (!j.contains(name)) return std::nullopt;
  if (!j[name].is_number_integer()) {
    bad = true;
    return std::nullopt;
  }
  return j[name].get<int>();
}

// A region's control plane (its fleet, its endpoints) is unreachable from a caller in a site the
// lab's recorded cut separates from it, as us-east-1's APIs are from us-west-2 in a real
// partition: the supervisor, one process for every region, must not carry a fence across the cut.
// A caller outside the sites (127.0.0.1: an operator, the internet) is never cut. True when the
// 503 is written.
bool cut_off(const std::filesystem::path& dir, const httplib::Request& req,
             const std::string& region, httplib::Response& res) {
  const auto caller = site_of_address(req.remote_addr);
  const auto target = site_from_name(region);
  if (!caller || !target) return false;
  auto record = recorded_partition(dir);
  if (!record || !*record || !cuts_apart(**record, *caller, *target)) return false;
  reply(res, 503,
        json{{"error", region + "'s control plane is unreachable from " +
                           std::string(site_name(*caller)) + " (" + describe(**record) + ")"}});
  return true;
}

}  // namespace

ControlApi::ControlApi(Supervisor& supervisor, std::string token)
    : supervisor_(supervisor), server_("control API", std::move(token)) {
  auto& s = server_;
  s.route("GET", "/status", [this](const httplib::Request&, httplib::Response& res) {
    reply(res, 200, supervisor_.status());
  });
  s.route("PUT", R"(/fleets/([a-z0-9-]+))",
          [this](const httplib::Request& req, httplib::Response& res) {
            if (cut_off(supervisor_.dir(), req, req.matches[1], res)) return;
            auto body = body_of(req, res);
            if (!body) return;
            bool bad = false;
            auto min = int_field(*body, "min", bad);
            auto desired = int_field(*body, "desired", bad);
            auto max = int_field(*body, "max", bad);
            if (bad || (!min && !desired && !max)) {
              reply(res, 400, json{{"error", "give integer min, desired and/or max"}});
              return;
            }
            reply(res, supervisor_.set_fleet(req.matches[1], min, desired, max));
          });
  s.route("PUT", R"(/fleets/([a-z0-9-]+)/fence)",
          [this](const httplib::Request& req, httplib::Response& res) {
            if (cut_off(supervisor_.dir(), req, req.matches[1], res)) return;
            auto body = body_of(req, res);
            if (!body) return;
            if (!body->contains("fenced") || !(*body)["fenced"].is_boolean() ||
                (body->contains("reason") && !(*body)["reason"].is_string())) {
              reply(res, 400,
                    json{{"error", "give \"fenced\": true|false (and \"reason\": a string)"}});
              return;
            }
            reply(res, supervisor_.fence_fleet(
                           req.matches[1], (*body)["fenced"].get<bool>(),
                           body->value("reason", std::string("fenced by operator"))));
          });
  s.route("PUT", R"(/endpoints/([a-z0-9-]+)/([a-z]+))",
          [this](const httplib::Request& req, httplib::Response& res) {
            if (cut_off(supervisor_.dir(), req, req.matches[1], res)) return;
            auto body = body_of(req, res);
            if (!body) return;
            if (!body->contains("database") || !(*body)["database"].is_string()) {
              reply(res, 400, json{{"error", "give \"database\": the server to point at"}});
              return;
            }
            reply(res, supervisor_.repoint(req.matches[1], req.matches[2],
                                           (*body)["database"].get<std::string>()));
          });
  s.route("PUT", "/front-door", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = body_of(req, res);
    if (!body) return;
    if (!body->contains("active_region") || !(*body)["active_region"].is_string()) {
      reply(res, 400,
            json{{"error", "give \"active_region\" (DELETE /front-door/override clears)"}});
      return;
    }
    reply(res, supervisor_.override_front_door((*body)["active_region"].get<std::string>()));
  });
  s.route("DELETE", "/front-door/override",
          [this](const httplib::Request&, httplib::Response& res) {
            reply(res, supervisor_.override_front_door(std::nullopt));
          });
  s.route("POST", "/kill", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = body_of(req, res);
    if (!body) return;
    if (!body->contains("scope") || !(*body)["scope"].is_string() || !body->contains("name") ||
        !(*body)["name"].is_string()) {
      reply(res, 400, json{{"error", "give \"scope\" (region|az|component) and \"name\""}});
      return;
    }
    reply(res, supervisor_.kill((*body)["scope"].get<std::string>(),
                                (*body)["name"].get<std::string>()));
  });
  s.route("POST", "/restore", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = body_of(req, res);
    if (!body) return;
    if (body->contains("rebuild") && !(*body)["rebuild"].is_boolean()) {
      reply(res, 400, json{{"error", "\"rebuild\" must be true or false"}});
      return;
    }
    reply(res, supervisor_.restore(body->value("rebuild", false)));
  });
  s.route("POST", "/shutdown", [this](const httplib::Request&, httplib::Response& res) {
    shutdown_requested_ = true;
    reply(res, 202, json{{"stopping", true}});
  });
}

ControlApi::~ControlApi() {
  stop();
}

Result<std::uint16_t> ControlApi::start(const std::string& address) {
  return server_.start(address);
}

void ControlApi::stop() {
  server_.stop();
}

}  // namespace dr::lab
