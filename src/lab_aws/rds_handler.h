// Amazon RDS (query protocol, 2014-10-31) over the lab: one Aurora global database `dr-lab`
// whose member clusters are the lab's regions (dr-lab-us-east-1 = {a1, a2}, dr-lab-us-west-2 =
// {b1}); the cluster holding the writer is the global primary. DescribeGlobalClusters,
// DescribeDBClusters, DescribeDBInstances, FailoverGlobalCluster and SwitchoverGlobalCluster.
//
// A failover or switchover runs asynchronously, as on AWS: the call returns at once with the
// global cluster and its FailoverState {Status pending, FromDbClusterArn, ToDbClusterArn,
// IsDataLossAllowed}; a worker then moves the writer with the lab's mechanics (rds_lab.h)
// while Status is failing-over / switching-over, and Describe shows FailoverState cleared once
// it is done (or failed: the writer then stays where it was, and the log says why). A second
// one while one runs is InvalidGlobalClusterStateFault. Describe* list only the calling
// region's clusters and instances (the region of the request's signature), as AWS does.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "lab_aws/lab_names.h"
#include "lab_aws/query_service.h"
#include "lab_aws/rds_lab.h"

namespace dr::lab_aws {

struct RdsNames {
  std::string account = kLabAccount;
  std::string global_cluster = "dr-lab";
  std::string cluster_arn(const std::string& region) const;  // ...:cluster:dr-lab-<region>
  std::string cluster_id(const std::string& region) const;   // dr-lab-<region>
  std::string global_arn() const;  // arn:aws:rds::<account>:global-cluster:dr-lab
};

class RdsHandler {
 public:
  using Log = std::function<void(const std::string&)>;

  RdsHandler(RdsLab& lab, RdsNames names = {}, Log log = {});
  RdsHandler(const RdsHandler&) = delete;
  RdsHandler& operator=(const RdsHandler&) = delete;
  ~RdsHandler();  // waits for a running move: it must not be cut half-way

  QueryService service();

  // For tests: blocks until no move is running.
  void wait_idle();

  // Aurora's automatic Multi-AZ failover (in_region_watcher.h): the move FailoverDBCluster runs,
  // of `region`'s writer to `target`, under the same one-move-at-a-time guard; waits for its end.
  // `cause` goes to the log. Returns why it could not start, or why the move failed.
  std::expected<void, AwsError> fail_over_in_region_for(const std::string& region,
                                                        const std::string& target,
                                                        const std::string& cause);

 private:
  struct Move {
    std::string status;  // pending | failing-over | switching-over
    std::string from_region;
    std::string to_region;
    bool data_loss = false;
    // An in-region failover (FailoverDBCluster, RebootDBInstance ForceFailover) moves the writer
    // between the instances of one cluster: no global FailoverState; `rebooting` is the
    // instance a RebootDBInstance reboots ("" for FailoverDBCluster).
    bool in_region = false;
    std::string old_writer;
    std::string new_writer;
    std::string rebooting;
    std::string cause;  // an automatic failover's reason ("" for an API call)
  };

  std::expected<void, AwsError> describe_global_clusters(const FormParams& p, const Caller& c,
                                                         pugi::xml_node result);
  std::expected<void, AwsError> describe_db_clusters(const FormParams& p, const Caller& c,
                                                     pugi::xml_node result);
  std::expected<void, AwsError> describe_db_instances(const FormParams& p, const Caller& c,
                                                      pugi::xml_node result);
  std::expected<void, AwsError> move(const FormParams& p, pugi::xml_node result, bool switchover);
  std::expected<void, AwsError> failover_db_cluster(const FormParams& p, const Caller& c,
                                                    pugi::xml_node result);
  std::expected<void, AwsError> reboot_db_instance(const FormParams& p, const Caller& c,
                                                   pugi::xml_node result);
  // Checks that `region`'s cluster holds the writer and has `target` (or any other instance
  // when empty) to move it to; starts the move. Returns the move as started.
  std::expected<Move, AwsError> start_in_region(const DbTopology& t, const std::string& region,
                                                const std::string& target,
                                                const std::string& rebooting,
                                                const std::string& cause = "");
  // Claims the one move slot and runs `m` on the worker (the caller has checked it).
  std::expected<void, AwsError> start(const Move& m);
  void write_cluster(pugi::xml_node cluster, const DbTopology& t, const std::string& region,
                     const std::optional<Move>& move) const;
  void write_instance(pugi::xml_node instance, const DbServer& s,
                      const std::optional<Move>& move) const;

  std::expected<DbTopology, AwsError> read_topology();
  void write_global_cluster(pugi::xml_node parent, const DbTopology& t,
                            const std::optional<Move>& move) const;
  std::vector<std::string> regions(const DbTopology& t) const;
  std::string writer_region(const DbTopology& t) const;

  RdsLab& lab_;
  RdsNames names_;
  Log log_;
  std::mutex mu_;
  std::condition_variable idle_;
  std::optional<Move> moving_;
  std::optional<std::string> last_failure_;  // the last move's error, if it failed
  std::thread worker_;
};

}  // namespace dr::lab_aws
