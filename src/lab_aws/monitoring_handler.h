// Amazon CloudWatch (query protocol, 2010-08-01, signing name "monitoring") over the lab:
// - GetMetricStatistics of AWS/RDS AuroraGlobalDBReplicationLag / AuroraGlobalDBRPOLag,
//   dimension DBClusterIdentifier = dr-lab-<region>: read from the real servers at each call.
//   Only a secondary cluster (one not holding the writer) has them, as on Aurora; its value is
//   the largest Seconds_Behind_Master of its replicating servers, in milliseconds (so 1 s
//   resolution: MariaDB reports whole seconds). A secondary whose replication does not run has
//   no datapoint (the controller then treats the lag as unknown). One datapoint, at the start
//   of the period holding "now", when "now" is in [StartTime, EndTime).
// - PutMetricData: datapoints are kept (the last kMaxDatapoints per metric) and answer
//   GetMetricStatistics. The force-failover metric (DrApp/Failover ForcePrimaryUnhealthy, no
//   dimensions) in the alarm's region drives the alarm `dr-lab-force-failover` (Maximum >= 1:
//   ALARM) and, as Route 53's metric health check on that alarm does for the PRIMARY record
//   (infra/modules/route53), the front door: ALARM forces it to the secondary region, OK lets
//   the health checks decide again.
// - GetMetricData: the same datapoints for MetricStat queries (no Expression, the five basic
//   statistics), newest first unless ScanBy says otherwise.
// - DescribeAlarms: that alarm, in its region (infra's attributes), with its current state.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "aws/encoding.h"
#include "lab_aws/front_door_lab.h"
#include "lab_aws/metric_store.h"
#include "lab_aws/query_service.h"
#include "lab_aws/rds_handler.h"
#include "lab_aws/rds_lab.h"
#include "lab_aws/rpc_bridge.h"

namespace dr::lab_aws {

struct MonitoringNames {
  RdsNames rds;
  std::string primary_region = "us-east-1";
  std::string secondary_region = "us-west-2";  // where the force-failover alarm lives
  std::string alarm_name = "dr-lab-force-failover";
  std::string force_namespace = "DrApp/Failover";
  std::string force_metric = "ForcePrimaryUnhealthy";
};

class MonitoringHandler {
 public:
  using Clock = std::function<aws::SystemTime()>;

  MonitoringHandler(RdsLab& databases, FrontDoorLab& front_door, MonitoringNames names = {},
                    Clock clock = {});
  QueryService service();
  // The same actions for Smithy RPC v2 CBOR clients (botocore >= 1.40's CloudWatch).
  static RpcBridge rpc_bridge();
  std::string alarm_arn() const;
  std::string alarm_state();  // OK | ALARM | INSUFFICIENT_DATA (Route 53's metric check reads it)

 private:
  struct Alarm {
    std::string state = "INSUFFICIENT_DATA";
    std::string reason = "Unchecked: Initial alarm creation";
    aws::SystemTime updated;
  };

  std::expected<void, AwsError> put_metric_data(const FormParams& p, const Caller& c,
                                                pugi::xml_node result);
  std::expected<void, AwsError> get_metric_statistics(const FormParams& p, const Caller& c,
                                                      pugi::xml_node result);
  std::expected<void, AwsError> get_metric_data(const FormParams& p, const Caller& c,
                                                pugi::xml_node result);
  std::expected<void, AwsError> describe_alarms(const FormParams& p, const Caller& c,
                                                pugi::xml_node result);
  // A period parameter: 1, 5, 10, 30 or a multiple of 60 seconds.
  static std::expected<long long, AwsError> period(const FormParams& p, const std::string& name);
  // The metric's points in [start, end), by the start of their period of `secs` seconds.
  std::expected<std::map<aws::SystemTime, std::vector<MetricPoint>>, AwsError> buckets(
      const std::string& region, const std::string& ns, const std::string& metric,
      const std::string& dims, aws::SystemTime start, aws::SystemTime end, long long secs);
  // The secondary cluster's lag in ms, nullopt when it has none to report.
  std::expected<std::optional<double>, AwsError> aurora_lag_ms(const std::string& region,
                                                               const std::string& cluster);

  RdsLab& databases_;
  FrontDoorLab& front_door_;
  MonitoringNames names_;
  Clock clock_;
  aws::SystemTime created_;
  // Held from the alarm's new state to the front door following it, so two publishes (1, then
  // 0) cannot leave the alarm OK and the front door forced.
  std::mutex force_mu_;
  std::mutex mu_;
  MetricStore store_;
  Alarm alarm_;
};

}  // namespace dr::lab_aws
