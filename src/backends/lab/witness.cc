#include "backends/lab/witness.h"

#include <httplib.h>

#include "backends/lab/lab_targets.h"

namespace dr::backends::lab {

Witness::Witness(WitnessOptions options)
    : options_(std::move(options)),
      server_("witness", options_.token),
      observer_("witness", /*witness=*/true, options_.thresholds) {
  server_.route("GET", "/observation", [this](const httplib::Request&, httplib::Response& res) {
    dr::lab::reply_json(res, 200, observation());
  });
}

Witness::~Witness() {
  stop();
}

nlohmann::json Witness::observation() const {
  std::lock_guard lock(mu_);
  nlohmann::json j = core::to_json(observer_.observation());
  if (!last_error_.empty()) j["error"] = last_error_;
  return j;
}

std::expected<int, std::string> Witness::start() {
  auto port = server_.start(options_.address, options_.port);
  if (!port) return std::unexpected(port.error().message);
  probe_thread_ = std::thread([this] { probe_loop(); });
  return *port;
}

void Witness::stop() {
  stopping_ = true;
  server_.stop();
  if (probe_thread_.joinable()) probe_thread_.join();
}

void Witness::probe_loop() {
  auto next = std::chrono::steady_clock::now();
  while (!stopping_) {
    auto targets = load_targets(options_.lab_dir, options_.controller_region);
    if (targets && (targets->topology.writer != last_writer_ ||
                    targets->topology.az_standby != last_standby_)) {
      // New targets: start their checkers afresh (see LabWorld::observe).
      std::lock_guard lock(mu_);
      observer_ = core::Observer("witness", true, options_.thresholds);
      last_writer_ = targets->topology.writer;
      last_standby_ = targets->topology.az_standby;
    }
    if (targets) {
      core::Observer scratch = [&] {
        std::lock_guard lock(mu_);
        return observer_;
      }();
      // Probe outside the lock: a probe may take up to its timeout.
      probe_primary(scratch, *targets, options_.address, options_.interval * 8 / 10);
      {
        std::lock_guard lock(mu_);
        observer_ = scratch;
        last_error_.clear();
      }
      if (options_.publish)
        options_.publish(scratch.observation(), targets->topology.primary_region);
    } else {
      std::lock_guard lock(mu_);
      last_error_ = targets.error();
    }
    next = std::max(next + options_.interval, std::chrono::steady_clock::now());
    // Sleep in small slices so stop() is prompt.
    while (!stopping_ && std::chrono::steady_clock::now() < next)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace dr::backends::lab
