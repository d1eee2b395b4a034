// What the controller sees of an AWS deployment, for its World (core/world.h): who writes (the
// global cluster), the primary region's health as several checkers see it through its ALB, the
// secondary cluster's view of replication, and the witness's observation (written by the witness
// in a third region into the controller's state table). Each source has a pure half, unit-tested
// on the shapes AWS returns, and a reading half that calls the APIs of the region that survives.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/dynamodb.h"
#include "aws/rds.h"
#include "aws/transport.h"
#include "core/observer.h"
#include "core/snapshot.h"

namespace dr::backends::aws_world {

// The one named `id` in a DescribeGlobalClusters answer, or nullptr. Only that one: an answer
// that holds others (moto's, for an unknown id) must not pass for it.
const dr::aws::GlobalCluster* find_global_cluster(const dr::aws::DescribeGlobalClustersOutput& out,
                                                  const std::string& id);

// "us-east-1" from "arn:aws:rds:us-east-1:123456789012:cluster:dr-app-us-east-1", and
// "dr-app-us-east-1" as the name; empty when the ARN is not an RDS cluster ARN.
std::string region_of_arn(const std::string& arn);
std::string cluster_of_arn(const std::string& arn);

// The topology the global cluster says: its writer member is the primary (the writer, named by
// its cluster), the other member the secondary. Aurora moves the writer inside a region itself,
// so there is no AZ standby for the controller to promote. An error while a failover runs (no
// writer) or when the cluster has not exactly two members.
std::expected<core::Topology, std::string> topology_of(const dr::aws::GlobalCluster& global);

// AuroraGlobalDBReplicationLag (ms) as CloudWatch last reported it for the secondary cluster.
struct LagSample {
  double lag_ms = 0;
  core::TimePoint at;
};

struct ReplicationRules {
  std::chrono::seconds max_age{180};    // no datapoint this recent: data transfer stopped
  std::chrono::seconds unbounded{300};  // lag above this: the link is as good as lost
};

// What the secondary's link says of the writer: `connected` as replication_of judged it; `live`
// when a report of now confirms it (Evidence's LiveLinkReader: a lag datapoint at one-second
// resolution in the last seconds; Aurora's metric has one-minute resolution on AWS, so there it
// never is; the lab's, read from the servers when asked, is).
struct LinkReport {
  bool connected = false;
  bool live = false;
};

// The secondary's view: connected while its member is not waiting for a resync and CloudWatch
// reports a recent, bounded lag. No sample at all is "not connected" (Aurora publishes the
// metric every minute while replication runs).
core::ReplicationView replication_of(const dr::aws::GlobalClusterMember& secondary,
                                     const std::optional<LagSample>& lag, core::TimePoint now,
                                     const ReplicationRules& rules = {});

// One checker's probe of the primary ALB: `health_ok` for /health (the app tier answers),
// `deep_ok` for /health/deep (the app writes to its database), `answered` when the ALB gave any
// HTTP answer at all (a 503 of an ALB without healthy targets too).
struct AlbProbe {
  bool health_ok = false;
  bool deep_ok = false;
  bool answered = false;
};

// The writer is judged by /health/deep. When the apps cannot say (/health fails) but the ALB
// answers, the region is there and only its app tier is down: the secondary's replication link
// decides. When the ALB does not answer at all, the region may be gone: only a live report of
// the link vouches for the writer. An old one (CloudWatch's datapoint, up to minutes old) would
// vouch for a dead writer for minutes and turn a region outage into an app-tier one (traffic
// moved, the database left in the dead region).
void record_probe(core::Observer& observer, const AlbProbe& probe, const LinkReport& link);

// GET base + path through `http`: true when answered 2xx, false when answered otherwise, nullopt
// when not answered (refused, timed out). A new connection each time, as Route 53's checkers
// make: a kept-alive one to a dead target proves nothing.
std::optional<bool> alb_get(dr::aws::HttpTransport& http, const std::string& base,
                            const std::string& path);

// One checker's probe of the ALB at `base` through `get` (alb_get's answer): /health and
// /health/deep in parallel, so that a frozen ALB costs one timeout, not two.
using AlbGet = std::function<std::optional<bool>(const std::string& base, const std::string& path)>;
AlbProbe probe_alb(const AlbGet& get, const std::string& base);

// The transport of the checkers' probes (the controller's and the witness's): short timeouts,
// Route 53's 4 s being the model (connect within min(2 s, timeout), answer within timeout).
std::shared_ptr<dr::aws::HttpTransport> alb_probe_transport(std::chrono::milliseconds timeout);

// The witness's item in the state table: {id: "witness", observation: <JSON>, observed_at_ms}.
inline constexpr const char* kWitnessItemId = "witness";
// nullopt when missing, malformed, or older than max_age (a stopped witness has no vote), or
// when it judged another primary region than `primary_region` (a vote made before a switchover
// or a failover moved the primary is about a writer that is no longer the one the controller
// sees; counted, an old "writer down" could fail the new primary back over). An item that names
// no region (an older witness) still votes.
std::optional<core::Observation> witness_from_item(const nlohmann::json& item, core::TimePoint now,
                                                   std::chrono::seconds max_age,
                                                   const std::string& primary_region = "");
// The witness's side: the item (DynamoDB's attribute-value JSON) for `observation` of the
// primary region `primary_region` made at `observed_at`, which witness_from_item reads back.
nlohmann::json witness_item(const core::Observation& observation, core::TimePoint observed_at,
                            const std::string& primary_region);

struct EvidenceOptions {
  std::string global_cluster_id;
  std::map<std::string, std::string> alb_urls;  // region -> https://alb-dns (no trailing /)
  std::string state_table;
  int checkers = 3;
  core::ObserverThresholds thresholds;
  std::chrono::seconds witness_max_age{60};
  ReplicationRules replication;
};

// The reading half. The clients are those of the region that survives (the secondary).
class Evidence {
 public:
  using LagReader = std::function<std::optional<LagSample>(const std::string& cluster)>;
  // Whether the secondary `cluster` reports its lag right now (LinkReport::live); asked only
  // when an ALB did not answer. Empty: never live.
  using LiveLinkReader = std::function<bool(const std::string& cluster)>;
  // A region's fleet desired capacity (its Auto Scaling group), nullopt when it does not answer.
  using CapacityReader = std::function<std::optional<int>(const std::string& region)>;
  using Now = std::function<core::TimePoint()>;

  Evidence(EvidenceOptions options, dr::aws::Rds& rds, dr::aws::DynamoDb& dynamodb,
           std::shared_ptr<dr::aws::HttpTransport> http, LagReader lag, Now now,
           CapacityReader capacity = {}, LiveLinkReader live_link = {});

  // Everything but the guards and the runbook (the loop adds those from the state store).
  std::expected<core::Snapshot, std::string> observe();

 private:
  std::optional<core::Observation> witness(const std::string& primary_region);

  EvidenceOptions options_;
  dr::aws::Rds& rds_;
  dr::aws::DynamoDb& dynamodb_;
  std::shared_ptr<dr::aws::HttpTransport> http_;  // with the probe timeouts
  LagReader lag_;
  Now now_;
  CapacityReader capacity_;
  LiveLinkReader live_link_;
  std::vector<core::Observer> checkers_;
  std::string last_writer_;
};

}  // namespace dr::backends::aws_world
