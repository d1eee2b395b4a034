// The operation history of one drill: what the checker judges and what a report is recomputed
// from. Saved as JSONL (one header line, then one operation per line) so a drill that dies
// half-way still leaves every line it wrote readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "drill/operation.h"

namespace dr::drill {

struct History {
  std::int64_t started_at_unix_ms = 0;  // the wall-clock anchor of start_ms == 0
  std::vector<Operation> ops;           // in seq order
};

// Where "ms since the drill started" comes from: the workload, the fault injector and the
// controller's timestamps must all use the same origin for RTO phases to mean anything.
class DrillEpoch {
 public:
  DrillEpoch()
      : steady_(std::chrono::steady_clock::now()), wall_(std::chrono::system_clock::now()) {}
  DrillEpoch(std::chrono::steady_clock::time_point steady,
             std::chrono::system_clock::time_point wall)
      : steady_(steady), wall_(wall) {}

  std::chrono::steady_clock::time_point steady_start() const { return steady_; }
  std::int64_t started_at_unix_ms() const;
  double ms_since_start(std::chrono::steady_clock::time_point t) const;
  // A wall-clock time (e.g. a runbook step's unix ms) on the drill's axis.
  double ms_from_unix_ms(std::int64_t unix_ms) const;
  double now_ms() const { return ms_since_start(std::chrono::steady_clock::now()); }

 private:
  std::chrono::steady_clock::time_point steady_;
  std::chrono::system_clock::time_point wall_;
};

// Collects operations from the workload's threads.
class Recorder {
 public:
  void record(Operation op);
  std::size_t size() const;
  // The history so far, sorted by seq.
  History snapshot(std::int64_t started_at_unix_ms) const;

 private:
  mutable std::mutex mu_;
  std::vector<Operation> ops_;
};

std::expected<void, std::string> save_history(const History& history,
                                              const std::filesystem::path& path);
std::expected<History, std::string> load_history(const std::filesystem::path& path);

}  // namespace dr::drill
