// dr-app's request handling, apart from the HTTP server so it can be tested directly. Each handler
// maps a request to a status and a JSON body; http_server.cc binds them to routes.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "app/metrics.h"
#include "app/order_store.h"
#include "app/session_store.h"

namespace dr::app {

struct Reply {
  int status = 200;
  nlohmann::json body;
  std::string text;  // for non-JSON replies (metrics)
  std::string content_type = "application/json";
};

// Fencing: set when the controller demotes this region. A fenced app refuses writes (503) and
// fails /health/deep, so Route 53 / the front door stop sending it traffic.
class FenceState {
 public:
  void fence(std::string reason) {
    std::lock_guard lock(mu_);
    reason_ = std::move(reason);
    fenced_ = true;
  }
  void unfence() {
    std::lock_guard lock(mu_);
    fenced_ = false;
    reason_.clear();
  }
  bool fenced() const { return fenced_.load(); }
  std::string reason() const {
    std::lock_guard lock(mu_);
    return reason_;
  }

 private:
  mutable std::mutex mu_;
  std::atomic<bool> fenced_{false};
  std::string reason_;
};

// The write lease (src/lease) as the service sees it (app/lease_keeper.h): whether this region
// may write now, and the epoch its writes carry to the database.
class WritePermit {
 public:
  virtual ~WritePermit() = default;
  // The epoch to write with, or nullopt when this region may not write now.
  virtual std::optional<int64_t> epoch() const = 0;
  virtual std::string why_not() const = 0;
};

class Service {
 public:
  // `permit`: nullptr when the app runs without a write lease (writes need only the fence).
  Service(std::string region, std::string instance_id, OrderStore& orders, SessionStore* sessions,
          Metrics& metrics, FenceState& fence, const WritePermit* permit = nullptr);

  Reply create_order(const std::string& body);
  Reply get_order(const std::string& id, bool consistent);
  Reply put_session(const std::string& id, const std::string& body);
  Reply get_session(const std::string& id);
  Reply health() const;
  Reply health_deep();
  Reply metrics() const;
  Reply fence(const std::string& reason);
  Reply unfence();

  // Draining: /health starts failing so the load balancer stops sending new requests.
  void start_draining() { draining_ = true; }

 private:
  nlohmann::json order_json(const Order& o) const;

  std::string region_;
  std::string instance_id_;
  OrderStore& orders_;
  SessionStore* sessions_;  // null when the app runs without DynamoDB
  Metrics& metrics_;
  FenceState& fence_;
  const WritePermit* permit_;
  std::atomic<bool> draining_{false};
};

}  // namespace dr::app
