#include "aws/rds.h"

namespace dr::aws {

namespace {

GlobalCluster read_global_cluster(XmlReader r) {
  GlobalCluster g;
  g.identifier = r.str("GlobalClusterIdentifier");
  g.resource_id = r.str("GlobalClusterResourceId");
  g.arn = r.str("GlobalClusterArn");
  g.status = r.str("Status");
  g.engine = r.str("Engine");
  g.engine_version = r.str("EngineVersion");
  g.storage_encrypted = r.opt_boolean("StorageEncrypted");
  g.deletion_protection = r.opt_boolean("DeletionProtection");
  r.each("GlobalClusterMembers", "GlobalClusterMember", [&](XmlReader m) {
    GlobalClusterMember member;
    member.db_cluster_arn = m.str("DBClusterArn");
    member.readers = m.strings("Readers");
    member.is_writer = m.boolean("IsWriter");
    member.global_write_forwarding_status = m.str("GlobalWriteForwardingStatus");
    member.synchronization_status = m.str("SynchronizationStatus");
    g.members.push_back(std::move(member));
  });
  if (r.present("FailoverState")) {
    XmlReader f = r.child("FailoverState");
    g.failover_state = GlobalClusterFailoverState{
        .status = f.str("Status"),
        .from_db_cluster_arn = f.str("FromDbClusterArn"),
        .to_db_cluster_arn = f.str("ToDbClusterArn"),
        .is_data_loss_allowed = f.opt_boolean("IsDataLossAllowed"),
    };
  }
  return g;
}

DbCluster read_db_cluster(XmlReader r) {
  DbCluster c;
  c.identifier = r.str("DBClusterIdentifier");
  c.arn = r.str("DBClusterArn");
  c.status = r.str("Status");
  c.engine = r.str("Engine");
  c.engine_version = r.str("EngineVersion");
  c.endpoint = r.str("Endpoint");
  c.reader_endpoint = r.str("ReaderEndpoint");
  c.port = r.opt_integer("Port");
  c.multi_az = r.opt_boolean("MultiAZ");
  c.replication_source_identifier = r.str("ReplicationSourceIdentifier");
  c.global_write_forwarding_status = r.str("GlobalWriteForwardingStatus");
  r.each("DBClusterMembers", "DBClusterMember", [&](XmlReader m) {
    c.members.push_back({m.str("DBInstanceIdentifier"), m.boolean("IsClusterWriter"),
                         m.opt_integer("PromotionTier")});
  });
  return c;
}

template <class T>
Result<T> finish(XmlReader& r, T value) {
  if (const auto& e = r.error()) return std::unexpected(*e);
  return value;
}

Result<DescribeGlobalClustersOutput> read_describe_global_clusters(QueryResponse raw) {
  XmlReader r(raw.result, "DescribeGlobalClustersResult");
  DescribeGlobalClustersOutput out;
  r.each("GlobalClusters", "GlobalClusterMember",
         [&](XmlReader g) { out.global_clusters.push_back(read_global_cluster(g)); });
  out.marker = r.opt_str("Marker");
  out.raw = std::move(raw);
  return finish(r, std::move(out));
}

Result<DescribeDbClustersOutput> read_describe_db_clusters(QueryResponse raw) {
  XmlReader r(raw.result, "DescribeDBClustersResult");
  DescribeDbClustersOutput out;
  r.each("DBClusters", "DBCluster",
         [&](XmlReader c) { out.db_clusters.push_back(read_db_cluster(c)); });
  out.marker = r.opt_str("Marker");
  out.raw = std::move(raw);
  return finish(r, std::move(out));
}

Result<GlobalClusterOutput> read_global_cluster_result(QueryResponse raw, std::string_view action) {
  XmlReader r(raw.result, std::string(action) + "Result");
  r.require("GlobalCluster");
  GlobalClusterOutput out;
  out.global_cluster = read_global_cluster(r.child("GlobalCluster"));
  out.raw = std::move(raw);
  return finish(r, std::move(out));
}

}  // namespace

const GlobalClusterMember* GlobalCluster::writer() const {
  for (const auto& m : members)
    if (m.is_writer) return &m;
  return nullptr;
}

ServiceInfo Rds::service() {
  return {"rds", "rds", false};
}

const QueryProtocol& Rds::protocol() {
  static const QueryProtocol p{"2014-10-31"};
  return p;
}

Rds::Rds(ClientConfig config) : client_(service(), std::move(config)) {}

// Members are added in the service model's order (see query_protocol.h).
QueryParams Rds::describe_global_clusters_params(const DescribeGlobalClustersInput& in) {
  QueryParams p;
  p.maybe_add("GlobalClusterIdentifier", in.global_cluster_identifier)
      .maybe_add_int("MaxRecords", in.max_records)
      .maybe_add("Marker", in.marker);
  return p;
}

QueryParams Rds::describe_db_clusters_params(const DescribeDbClustersInput& in) {
  QueryParams p;
  p.maybe_add("DBClusterIdentifier", in.db_cluster_identifier);
  for (size_t i = 0; i < in.filters.size(); ++i) {
    std::string prefix = "Filters.Filter." + std::to_string(i + 1);
    p.add(prefix + ".Name", in.filters[i].name);
    p.add_list(prefix + ".Values", in.filters[i].values, "Value");
  }
  p.maybe_add_int("MaxRecords", in.max_records).maybe_add("Marker", in.marker);
  return p;
}

QueryParams Rds::failover_global_cluster_params(const FailoverGlobalClusterInput& in) {
  QueryParams p;
  p.add("GlobalClusterIdentifier", in.global_cluster_identifier)
      .add("TargetDbClusterIdentifier", in.target_db_cluster_identifier)
      .maybe_add_bool("AllowDataLoss", in.allow_data_loss)
      .maybe_add_bool("Switchover", in.switchover);
  return p;
}

// From the AWS API reference (API_SwitchoverGlobalCluster): Debian's botocore 1.29 predates it.
QueryParams Rds::switchover_global_cluster_params(const SwitchoverGlobalClusterInput& in) {
  QueryParams p;
  p.add("GlobalClusterIdentifier", in.global_cluster_identifier)
      .add("TargetDbClusterIdentifier", in.target_db_cluster_identifier);
  return p;
}

Result<DescribeGlobalClustersOutput> Rds::parse_describe_global_clusters(std::string_view body) {
  return then(parse_query_response(body, "DescribeGlobalClusters", true),
              read_describe_global_clusters);
}

Result<DescribeDbClustersOutput> Rds::parse_describe_db_clusters(std::string_view body) {
  return then(parse_query_response(body, "DescribeDBClusters", true), read_describe_db_clusters);
}

Result<GlobalClusterOutput> Rds::parse_global_cluster_result(std::string_view body,
                                                             std::string_view action) {
  return then(parse_query_response(body, action, true), [&](QueryResponse raw) {
    return read_global_cluster_result(std::move(raw), action);
  });
}

Result<DescribeGlobalClustersOutput> Rds::describe_global_clusters(
    const DescribeGlobalClustersInput& in) {
  return then(query_call(client_, protocol(), "DescribeGlobalClusters",
                         describe_global_clusters_params(in), true),
              read_describe_global_clusters);
}

Result<DescribeDbClustersOutput> Rds::describe_db_clusters(const DescribeDbClustersInput& in) {
  return then(
      query_call(client_, protocol(), "DescribeDBClusters", describe_db_clusters_params(in), true),
      read_describe_db_clusters);
}

Result<GlobalClusterOutput> Rds::failover_global_cluster(const FailoverGlobalClusterInput& in) {
  if (in.allow_data_loss.value_or(false) && in.switchover.value_or(false))
    return std::unexpected(Error::invalid_argument(
        "FailoverGlobalCluster: AllowDataLoss and Switchover cannot both be set"));
  return then(query_call(client_, protocol(), "FailoverGlobalCluster",
                         failover_global_cluster_params(in), true),
              [](QueryResponse raw) {
                return read_global_cluster_result(std::move(raw), "FailoverGlobalCluster");
              });
}

Result<GlobalClusterOutput> Rds::switchover_global_cluster(const SwitchoverGlobalClusterInput& in) {
  return then(query_call(client_, protocol(), "SwitchoverGlobalCluster",
                         switchover_global_cluster_params(in), true),
              [](QueryResponse raw) {
                return read_global_cluster_result(std::move(raw), "SwitchoverGlobalCluster");
              });
}

}  // namespace dr::aws
