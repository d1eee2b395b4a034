// The witness: a third-site observer in the lab's global range. It probes the primary region
// from its own address on its own schedule and serves what it sees, so the controller (in the
// secondary region) can tell "the primary is down" from "I am cut off".
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/observer.h"
#include "lab/api_server.h"

namespace dr::backends::lab {

struct WitnessOptions {
  std::filesystem::path lab_dir;
  std::string address = "127.0.3.24";
  int port = 0;  // 0: a free one
  std::chrono::milliseconds interval{250};
  core::ObserverThresholds thresholds;
  std::string controller_region = "us-west-2";
  std::string token;  // the lab's control token: /observation wants it (lab/api_server.h)
  // Also hands each round's observation here (may be empty): as the witness does on AWS, the
  // caller writes it where the AWS controller reads it (the state table's witness item). Called
  // on the probe thread, outside the lock; a slow publish delays the next round.
  std::function<void(const core::Observation&, const std::string& primary_region)> publish;
};

class Witness {
 public:
  explicit Witness(WitnessOptions options);
  ~Witness();
  Witness(const Witness&) = delete;
  Witness& operator=(const Witness&) = delete;

  // Binds, starts probing and serving; returns once it serves. Returns the port.
  std::expected<int, std::string> start();
  void stop();
  nlohmann::json observation() const;

 private:
  void probe_loop();

  WitnessOptions options_;
  dr::lab::ApiServer server_;
  std::thread probe_thread_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  core::Observer observer_;
  std::string last_error_;
  std::string last_writer_, last_standby_;
};

}  // namespace dr::backends::lab
