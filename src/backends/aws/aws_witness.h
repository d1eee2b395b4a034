// The witness on AWS: a third region's view of the primary, which core's decision needs before it
// fails a region over ("the witness agrees"), so that a controller cut off from the primary does
// not take its own isolation for an outage. Each round: who is primary (DescribeGlobalClusters,
// asked in the secondary region, whose control plane survives the primary's outage), that
// region's ALB probed as the controller's checkers probe it (/health and /health/deep, in
// parallel, a new connection each), and the observation written into the controller's state
// table (aws_evidence.h: kWitnessItemId, read back by witness_from_item). The round is pure over
// injected I/O (WitnessIo), so it is unit-tested with fakes; AwsWitness wires real clients.
#pragma once

#include <nlohmann/json.hpp>

#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "aws/dynamodb.h"
#include "aws/rds.h"
#include "aws/transport.h"
#include "backends/aws/aws_evidence.h"
#include "backends/aws/aws_targets.h"
#include "core/observer.h"
#include "core/snapshot.h"

namespace dr::backends::aws_world {

// The item Evidence::witness() reads (witness_from_item): {id: "witness", observation: <JSON of
// core::Observation>, observed_at_ms: N}, plus who was probed (primary_region, writer), for the
// operator reading the table.
nlohmann::json witness_item(const core::Observation& observation, core::TimePoint observed_at,
                            const std::string& primary_region, const std::string& writer);

struct WitnessOptions {
  std::string global_cluster_id;
  std::map<std::string, std::string> alb_urls;  // region -> https://alb-dns (no trailing /)
  std::string state_table;                      // in the secondary region
  core::ObserverThresholds thresholds;          // the controller's checkers' (EvidenceOptions)
  // Each probe's timeout: the checkers' (Route 53's 4 s) unless a round is shorter. A probe that
  // outlasts the round stretches every round to it, and the vote on a silent ALB comes
  // threshold x timeout late, after the controller's own checkers have called it down.
  std::chrono::milliseconds probe_timeout = AwsTargets{}.probe_timeout;
};

// What one round saw and wrote.
struct WitnessRound {
  std::string primary_region;
  std::string writer;
  bool health_ok = false;  // GET /health answered 2xx
  bool deep_ok = false;    // GET /health/deep answered 2xx
  core::Observation observation;
  core::TimePoint observed_at;
};

struct WitnessIo {
  // DescribeGlobalClusters of one id; an error says why it could not be read.
  std::function<std::expected<dr::aws::DescribeGlobalClustersOutput, std::string>(
      const std::string& global_cluster_id)>
      describe;
  // GET base + path answered 2xx (each call a new connection).
  AlbGet get;  // alb_get: 2xx, answered otherwise, or not answered
  // One DynamoDB PutItem request ({TableName, Item}); an error says why it failed.
  std::function<std::expected<void, std::string>(const nlohmann::json& request)> put;
  std::function<core::TimePoint()> now;
};

class WitnessRounds {
 public:
  WitnessRounds(WitnessOptions options, WitnessIo io);

  // One round. An error (the global cluster unreadable, a failover running, no ALB for the
  // primary, the write refused) writes nothing: the item ages out (Evidence's max age) and the
  // controller waits for a witness it can trust, rather than reading a stale or guessed vote.
  std::expected<WitnessRound, std::string> operator()();

 private:
  WitnessOptions options_;
  WitnessIo io_;
  core::Observer observer_;
  std::string last_writer_;
};

// The witness over real clients: RDS and DynamoDB of the secondary region (its endpoint resolved
// as the AWS CLI does, through `clients`), and a probe transport with the checkers' timeouts.
class AwsWitness {
 public:
  // Refused when a client cannot be built for `secondary_region`.
  static std::expected<std::unique_ptr<AwsWitness>, std::string> create(
      WitnessOptions options, const std::string& secondary_region, const ClientConfigFor& clients);

  std::expected<WitnessRound, std::string> round() { return rounds_(); }

 private:
  AwsWitness(WitnessOptions options, std::unique_ptr<dr::aws::Rds> rds,
             std::unique_ptr<dr::aws::DynamoDb> dynamodb,
             std::shared_ptr<dr::aws::HttpTransport> probes);

  std::unique_ptr<dr::aws::Rds> rds_;
  std::unique_ptr<dr::aws::DynamoDb> dynamodb_;
  std::shared_ptr<dr::aws::HttpTransport> probes_;
  WitnessRounds rounds_;
};

}  // namespace dr::backends::aws_world
