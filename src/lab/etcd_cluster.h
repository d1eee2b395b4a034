// The quorum store of the write lease (src/lease): a 3-member etcd cluster, one member in each
// site (us-east-1, us-west-2, global), so that a site cut off from the other two is in the
// minority and loses the lease by time. Members listen (clients and peers) on their site's
// kLeaseStore address, join their site's cgroup (so a partition cuts their peer traffic whatever
// address it leaves from), and run a loopback-tuned raft: 50 ms heartbeats, 500 ms elections
// (etcd's shortest lease TTL is 1.5 election timeouts, rounded up to whole seconds: 1 s).
// A standalone piece (library dr_lab_etcd), as DynamoDB Local is.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "lab/error.h"
#include "lab/ports.h"
#include "lab/process.h"

namespace dr::lab {

struct EtcdClusterOptions {
  std::vector<Site> sites = {Site::kUsEast1, Site::kUsWest2, Site::kGlobal};
  std::chrono::milliseconds heartbeat{50};
  std::chrono::milliseconds election{500};
  bool die_with_parent = false;  // tests want true
  // Called with each member's PID as soon as it runs (a supervisor records it).
  std::function<void(const std::string& name, const PidRecord&)> on_spawn;
  std::chrono::milliseconds start_timeout{20'000};
};

struct EtcdMember {
  std::string name;  // "etcd-us-east-1"
  Site site;
  std::string address;  // 127.<site>.51
  std::uint16_t client_port = 0;
  std::uint16_t peer_port = 0;
  Process process;
  std::vector<std::string> argv;  // how it was started: a restart runs the same

  std::string endpoint() const { return address + ":" + std::to_string(client_port); }
};

class EtcdCluster {
 public:
  // Starts every member under <root>/<name>/ (data, log) and returns once the cluster has a leader
  // and every member answers /health. Stopped when the handle goes. A new cluster each time (its
  // members' ports are new): an earlier run's data is removed first, since the lease's epoch lives
  // on in the databases' guard rows (seed it with lease::seed_epoch).
  static Result<EtcdCluster> start(const std::filesystem::path& root,
                                   EtcdClusterOptions options = {});

  std::vector<std::string> endpoints() const;  // "address:port" of every member
  // Fault injection and restore, by member name ("etcd-us-east-1"): SIGKILL; start again on the
  // same ports and data (it rejoins the cluster); stop every member (SIGTERM, then SIGKILL).
  Result<void> kill_member(const std::string& name);
  Result<PidRecord> restart_member(const std::string& name);
  void stop();
  EtcdMember* find(const std::string& name);
  std::vector<EtcdMember>& members() { return members_; }
  // Does the member answer /health with "true" (it is in a quorum)?
  static bool healthy(const std::string& endpoint, std::chrono::milliseconds timeout);
  // Moves raft leadership to the member of `site` (etcd's transfer-leadership) and waits until
  // every running member names it. Why: etcd counts a lease's TTL from the last keep-alive its
  // leader applied, and a new leader starts every lease's TTL again, so a leader that dies with
  // the primary region adds an election and a full TTL to the wait before the lease can pass on.
  // The third site, which no region outage takes, keeps it. Fails when no member answers, the
  // site has no running member, or the move does not settle within `timeout`.
  Result<void> move_leader_to(Site site,
                              std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The member every running member names as the leader, or "" when they do not agree.
  std::string leader();

 private:
  EtcdCluster(std::vector<EtcdMember> members, std::filesystem::path root, bool die_with_parent)
      : members_(std::move(members)), root_(std::move(root)), die_with_parent_(die_with_parent) {}
  // One pass over the running members' status: the leader they all name ("" when one does not
  // answer or they do not agree), and each answering member's raft id by name.
  struct Leadership {
    std::string leader;
    std::map<std::string, std::string> id_of;
  };
  Leadership leadership();
  std::vector<EtcdMember> members_;
  std::filesystem::path root_;
  bool die_with_parent_ = false;
};

}  // namespace dr::lab
