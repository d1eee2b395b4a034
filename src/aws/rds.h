// Amazon RDS (query protocol, API 2014-10-31): only what the DR controller needs to see and
// move an Aurora global database. Outputs keep the parsed XML (`raw`) for fields not mapped.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/client.h"
#include "aws/query_protocol.h"

namespace dr::aws {

struct RdsFilter {
  std::string name;
  std::vector<std::string> values = {};
};

struct GlobalClusterMember {
  std::string db_cluster_arn;
  std::vector<std::string> readers = {};  // ARNs of the secondary clusters
  bool is_writer = false;
  std::string global_write_forwarding_status = {};
  std::string synchronization_status = {};  // connected | pending-resync (newer API versions only)
};

// Set while a failover or switchover is pending or running.
struct GlobalClusterFailoverState {
  std::string status;  // pending | failing-over | cancelling
  std::string from_db_cluster_arn = {};
  std::string to_db_cluster_arn = {};
  std::optional<bool> is_data_loss_allowed = std::nullopt;  // true: failover, false: switchover
};

struct GlobalCluster {
  std::string identifier;
  std::string resource_id;
  std::string arn;
  std::string status;
  std::string engine;
  std::string engine_version;
  std::optional<bool> storage_encrypted = std::nullopt;
  std::optional<bool> deletion_protection = std::nullopt;
  std::vector<GlobalClusterMember> members = {};
  std::optional<GlobalClusterFailoverState> failover_state;

  // The member that takes writes, or nullptr during a failover.
  const GlobalClusterMember* writer() const;
};

struct DbClusterMember {
  std::string db_instance_identifier;
  bool is_cluster_writer = false;
  std::optional<int64_t> promotion_tier = std::nullopt;
};

struct DbCluster {
  std::string identifier;
  std::string arn;
  std::string status;
  std::string engine;
  std::string engine_version;
  std::string endpoint;
  std::string reader_endpoint;
  std::optional<int64_t> port = std::nullopt;
  std::optional<bool> multi_az = std::nullopt;
  std::string replication_source_identifier;  // set on a secondary that replicates from a primary
  std::string global_write_forwarding_status;
  std::vector<DbClusterMember> members = {};
};

struct DescribeGlobalClustersInput {
  std::optional<std::string> global_cluster_identifier = std::nullopt;
  std::optional<int64_t> max_records = std::nullopt;
  std::optional<std::string> marker = std::nullopt;
};
struct DescribeGlobalClustersOutput {
  std::vector<GlobalCluster> global_clusters = {};
  std::optional<std::string> marker = std::nullopt;
  QueryResponse raw;
};

struct DescribeDbClustersInput {
  std::optional<std::string> db_cluster_identifier = std::nullopt;
  std::vector<RdsFilter> filters = {};
  std::optional<int64_t> max_records = std::nullopt;
  std::optional<std::string> marker = std::nullopt;
};
struct DescribeDbClustersOutput {
  std::vector<DbCluster> db_clusters = {};
  std::optional<std::string> marker = std::nullopt;
  QueryResponse raw;
};

// Failing over (unplanned, may lose writes not yet replicated): allow_data_loss = true.
// Switching over (planned, waits for the secondary to catch up): switchover = true, or neither.
// AWS refuses both together.
struct FailoverGlobalClusterInput {
  std::string global_cluster_identifier;
  std::string target_db_cluster_identifier;  // ARN of the secondary to promote
  std::optional<bool> allow_data_loss = std::nullopt;
  std::optional<bool> switchover = std::nullopt;
};

struct SwitchoverGlobalClusterInput {
  std::string global_cluster_identifier;
  std::string target_db_cluster_identifier;
};

struct GlobalClusterOutput {
  GlobalCluster global_cluster;
  QueryResponse raw;
};

class Rds {
 public:
  explicit Rds(ClientConfig config);

  Result<DescribeGlobalClustersOutput> describe_global_clusters(
      const DescribeGlobalClustersInput& input);
  Result<DescribeDbClustersOutput> describe_db_clusters(const DescribeDbClustersInput& input);
  Result<GlobalClusterOutput> failover_global_cluster(const FailoverGlobalClusterInput& input);
  Result<GlobalClusterOutput> switchover_global_cluster(const SwitchoverGlobalClusterInput& input);

  static ServiceInfo service();
  static const QueryProtocol& protocol();
  ServiceClient& client() { return client_; }

  // Request and response halves, exposed for the botocore comparison and the parser tests.
  static QueryParams describe_global_clusters_params(const DescribeGlobalClustersInput& input);
  static QueryParams describe_db_clusters_params(const DescribeDbClustersInput& input);
  static QueryParams failover_global_cluster_params(const FailoverGlobalClusterInput& input);
  static QueryParams switchover_global_cluster_params(const SwitchoverGlobalClusterInput& input);
  static Result<DescribeGlobalClustersOutput> parse_describe_global_clusters(std::string_view body);
  static Result<DescribeDbClustersOutput> parse_describe_db_clusters(std::string_view body);
  static Result<GlobalClusterOutput> parse_global_cluster_result(std::string_view body,
                                                                 std::string_view action);

 private:
  ServiceClient client_;
};

}  // namespace dr::aws
