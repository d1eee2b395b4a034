// What the runbook drives. One interface per concern, each method's contract stated: every
// method is idempotent (a resumed runbook calls it again) and returns an error string written for
// the operator. The lab implements them with MariaDB/HAProxy/the supervisor (src/backends/lab);
// AWS with RDS global clusters, Auto Scaling and Route 53 (src/backends/aws).
#pragma once

#include <chrono>
#include <expected>
#include <string>

namespace dr::backends {

template <class T = void>
using Result = std::expected<T, std::string>;

class Database {
 public:
  virtual ~Database() = default;
  // The server stops taking application writes (read-only). Succeeds when it already is.
  // kUnreachable-style failures are reported, not hidden: the runbook decides whether an
  // unreachable old primary may be skipped (it may, when the write lease has expired).
  virtual Result<> fence(const std::string& server) = 0;
  // Makes `target` apply everything `source` has (repoint and wait, bounded by `timeout`).
  virtual Result<> catch_up(const std::string& target, const std::string& source,
                            std::chrono::milliseconds timeout) = 0;
  // Stops replication on `server` and makes it writable. Idempotent.
  virtual Result<> promote(const std::string& server) = 0;
  // Points `replica` at `primary` (GTID-based, resuming where it is).
  virtual Result<> replicate_from(const std::string& replica, const std::string& primary) = 0;
  // Seconds the server is behind its primary; nullopt-like error when it is not replicating.
  virtual Result<double> lag_seconds(const std::string& server) = 0;
};

class Endpoints {
 public:
  virtual ~Endpoints() = default;
  // The region's writer endpoint now leads to `server` (Aurora: the global writer endpoint).
  virtual Result<> repoint_writer(const std::string& region, const std::string& server) = 0;
  virtual Result<> repoint_reader(const std::string& region, const std::string& server) = 0;
};

class Fleet {
 public:
  virtual ~Fleet() = default;
  virtual Result<> set_capacity(const std::string& region, int min, int desired, int max) = 0;
  // Tells the region's app instances to refuse writes (and fail /health/deep), those launched
  // later too.
  virtual Result<> fence_apps(const std::string& region, const std::string& reason) = 0;
  // Lifts that: the region is about to take traffic again (a failback).
  virtual Result<> unfence_apps(const std::string& region) = 0;
};

class Traffic {
 public:
  virtual ~Traffic() = default;
  // Sends all client traffic to `region` (Route 53 failover records / the lab's front door).
  virtual Result<> shift_to(const std::string& region) = 0;
};

class Probe {
 public:
  virtual ~Probe() = default;
  // A real write through the front door, read back from the writer: the failover worked.
  virtual Result<> verify_write(const std::string& region) = 0;
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  // One event (JSON text). Never fails the runbook: a lost notification is logged, not fatal.
  virtual void notify(const std::string& json_event) = 0;
};

}  // namespace dr::backends
