// The lab supervisor: one long-running process (`drctl lab supervise`) that starts every server
// of the topology, then keeps the lab in shape: fleets at their desired capacity (fleet.h), the
// global-table replicator polling both directions, and the operations the controller calls
// through the control API (control_api.h): capacity, endpoint repointing, front-door override,
// and the fault injections behind `drctl lab kill` / `restore`.
//
// What it started is recorded in the state file as soon as it runs, with PID records, so that
// `drctl lab down` can stop everything by PID even when this process is gone.
//
// Killed components stay down until `restore`: the supervisor never restarts a server, endpoint
// or DynamoDB Local on its own, and launches no app instance in a killed region or AZ. A single
// app instance that dies is replaced (that is the ASG's job, and what `kill component app-...`
// is for).
//
// One class, one file per job (supervisor.cc says which); who holds which lock is said below, at
// the members.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "lab/clock.h"
#include "lab/dynamodb_local.h"
#include "lab/error.h"
#include "lab/etcd_cluster.h"
#include "lab/fleet.h"
#include "lab/haproxy_instance.h"
#include "lab/lab_state.h"
#include "lab/lab_topology.h"
#include "lab/mariadb_instance.h"
#include "lab/recorded_topology.h"

namespace dr::lab {

struct SupervisorOptions {
  std::filesystem::path dir;
  std::filesystem::path app_binary;        // dr-app
  std::filesystem::path mariadb_template;  // empty: <dir>/mariadb-template
  std::chrono::milliseconds replicate_every{100};
  std::chrono::milliseconds start_timeout{60'000};
  // The write lease (issue 12): a 3-member etcd cluster, one member per site; the apps hold the
  // lease for the region traffic goes to and carry its epoch to the database. Its TTL, as the
  // takers grant it and the apps assume (1 or 2 s; docs/partitions.md, "Timing": 1 s brings the
  // RTO of a region outage under 2 s and renews every 100 ms instead of 250 ms).
  int lease_ttl_s = 0;  // 0: no write lease
};

class Supervisor {
 public:
  using Progress = std::function<void(const std::string&)>;

  explicit Supervisor(SupervisorOptions options, Clock& clock = steady_clock());
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;
  ~Supervisor();  // shutdown()

  // Starts every component and returns once each is healthy; `progress` gets one line per
  // component. The error names the component and the log to read.
  Result<void> start(const Progress& progress);
  // Where the control API (and the AWS endpoint) listen; recorded in the state, then phase
  // "ready".
  void mark_ready(const std::string& control_address, std::uint16_t control_port,
                  const std::string& aws_endpoint_url = "");
  void mark_failed(const std::string& error);

  const std::filesystem::path& dir() const { return options_.dir; }

  // One pass of the control loop: reconcile the fleets, record what changed.
  void tick();
  // Stops everything it started (apps first, databases last) and records phase "stopped".
  void shutdown();

  // ---- The control API's operations (thread-safe). Each returns a JSON answer. ----
  nlohmann::json status();
  Result<nlohmann::json> set_fleet(const std::string& region, std::optional<int> min,
                                   std::optional<int> desired, std::optional<int> max);
  // The region's fence: every app instance of the region refuses writes (and fails
  // /health/deep), including instances launched later; `false` lifts it.
  Result<nlohmann::json> fence_fleet(const std::string& region, bool fenced,
                                     const std::string& reason);
  Result<nlohmann::json> repoint(const std::string& region, const std::string& role,
                                 const std::string& database);
  // nullopt clears the override (health checks decide again).
  Result<nlohmann::json> override_front_door(const std::optional<std::string>& region);
  Result<nlohmann::json> kill(const std::string& scope, const std::string& name);
  // `rebuild`: a database that cannot rejoin the writer (errant GTIDs: writes a failover cut off)
  // is rebuilt from a copy of the writer's data, its own divergent history discarded. Without
  // it, such a server is left read-only and reported.
  Result<nlohmann::json> restore(bool rebuild = false);

 private:
  struct RegionClients;
  // What status() reads of a region's fleet, copied at each change (record_fleets()) so that a
  // status never waits for a fleet's reconcile.
  struct FleetView {
    int healthy = 0;
    int running = 0;
    bool fenced = false;
  };

  // ---- boot (supervisor_boot.cc) ----
  Result<void> load_recorded_topology_into_state();
  Result<void> start_databases(const Progress& progress);
  Result<void> start_write_lease(const Progress& progress);
  Result<void> start_fleets(const Progress& progress);
  Result<void> wait_for_front_door(const Progress& progress);

  // ---- proxies (supervisor_proxies.cc): the proxy plan (lab/proxy_plan.h) applied ----
  Result<HaproxyConfig> proxy_config(const std::string& name) const;
  Result<void> start_proxy(const std::string& name, const Progress& progress);
  Result<nlohmann::json> repoint_locked(const std::string& region, const std::string& role,
                                        const std::string& database);
  Result<void> apply_front_door_override();
  // Points every writer endpoint at `writer`, and every reader endpoint whose target is not a
  // healthy replica of it (or the writer itself) at its region's follower, else the writer.
  void reconcile_endpoints(const std::string& writer, std::vector<std::string>& done,
                           std::vector<std::string>& errors);

  // ---- the replicator (supervisor_replicator.cc) ----
  Result<void> prepare_sessions(const std::string& region);
  void start_replicator();
  void rebuild_replicators();
  void replicate_loop();
  // The fence record (aws/fence_record.h: what the controller on AWS writes, and dr-app reads)
  // for `region`, in every region's sessions table that runs: a lab fence or lift then reaches
  // the apps the same way whichever path fenced them. Failures are logged and returned.
  std::vector<std::string> write_fence_record(const std::string& region, bool fenced,
                                              const std::string& reason);

  // ---- faults (supervisor_faults.cc) ----
  Result<void> kill_component(const std::string& name, std::vector<std::string>& done);
  // Restarts a killed server read-only; it takes writes again only if it is `writer` (nobody
  // took over while it was down), else it rejoins `writer` as a replica (refused, and left
  // read-only, when it holds errant GTIDs).
  Result<void> restart_database(const std::string& name, const std::string& writer,
                                std::vector<std::string>& done);
  // Stops `name`, replaces its datadir with a fresh one, and clones it from `writer`.
  Result<void> rebuild_database(const std::string& name, const std::string& writer,
                                std::vector<std::string>& done);
  // Who holds the write role now, from the servers themselves: the one running server that is
  // writable and replicates from nobody; when none is, the recorded writer. Any other writable
  // server is fenced (read-only): there is only ever one writer. A server that cannot be
  // fenced, or no writer at all, goes to `errors`.
  std::string establish_writer(std::vector<std::string>& done, std::vector<std::string>& errors);

  // ---- bookkeeping (supervisor.cc); every one of them needs mu_ held ----
  void record(ComponentRecord record);
  // Called by a process's spawn, on the thread that starts it, which holds mu_.
  std::function<void(const PidRecord&)> pid_recorder(const std::string& name);
  void record_fleets();  // needs fleets_mu_ too
  void save();
  std::string app_endpoint(const std::string& region, const std::string& role) const;

  // Set at construction, never changed: read without a lock.
  SupervisorOptions options_;
  Clock& clock_;

  // Locks. Order: fleets_mu_ before mu_, never the other way round. Neither is recursive: a
  // function that needs one held says so, and public entry points take them.
  //
  // fleets_mu_ guards fleets_ (the Fleet objects: their reconcile probes every instance, up to
  // its liveness timeout, so it runs under fleets_mu_ only, and a repoint or a status never
  // waits for it).
  std::mutex fleets_mu_;
  std::map<std::string, std::unique_ptr<Fleet>> fleets_;

  // mu_ guards everything below down to replicator_mu_: the state file and the recorded
  // topology, the server objects, the writer. Held for a control operation's whole length
  // (repoint, override, kill, restore: they change servers and must not interleave), but not
  // for a status's probes: status() copies what it probes under mu_, then probes without it.
  std::mutex mu_;
  LabState state_;
  std::map<std::string, FleetView> fleet_views_;
  LabCredentials credentials_;
  std::string admin_token_;
  // Shared so that a status's probes, outside mu_, keep the instance they probe alive (a rebuild
  // replaces it). status() calls only its const probes, which read what never changes after
  // create() (its paths and name).
  std::map<std::string, std::shared_ptr<MariaDbInstance>> databases_;
  std::map<std::string, HaproxyInstance> proxies_;
  std::map<std::string, DynamoDbLocal> dynamodbs_;
  std::optional<EtcdCluster> etcd_;  // the write lease's store, with options_.lease_ttl_s > 0
  bool stopped_ = false;
  // The database that holds the write role, as last established (start, a writer endpoint's
  // repoint, restore). Recorded in topology.json with the endpoints, override and capacities.
  std::string writer_;
  bool resuming_ = false;  // start(): the data was left in a recorded topology
  // topology.json is written once the databases are in the topology it describes, never before
  // (an interrupted first `up` must not leave a record of data that does not exist).
  bool topology_established_ = false;
  static constexpr const char* kRebuildMarker = "rebuilding";
  std::string saved_topology_;

  // replicator_mu_ guards clients_ and replicators_: the replicator thread holds it for a poll.
  // Taken after mu_ when both are needed, never before.
  std::mutex replicator_mu_;
  // Each replicator shares the clients it polls (see StreamReplicator): prepare_sessions() may
  // replace an entry while the replicator thread polls through the previous one.
  std::map<std::string, std::shared_ptr<RegionClients>> clients_;
  std::vector<std::unique_ptr<class StreamReplicator>> replicators_;
  std::atomic<bool> replicator_paused_{false};
  std::atomic<bool> replicator_stop_{false};
  std::atomic<std::uint64_t> replicator_errors_{0};
  std::atomic<std::uint64_t> replicator_applied_{0};
  std::thread replicator_thread_;
};

}  // namespace dr::lab
