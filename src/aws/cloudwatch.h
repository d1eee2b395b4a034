// Amazon CloudWatch (query protocol, API 2010-08-01, endpoint prefix "monitoring"): publish the
// controller's own metrics and read alarm states as failover evidence.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/client.h"
#include "aws/query_protocol.h"

namespace dr::aws {

struct MetricDimension {
  std::string name;
  std::string value;
};

struct MetricDatum {
  std::string metric_name;
  std::vector<MetricDimension> dimensions = {};
  std::optional<SystemTime> timestamp = std::nullopt;
  std::optional<double> value = std::nullopt;
  std::optional<std::string> unit = std::nullopt;            // Seconds, Count, Milliseconds, ...
  std::optional<int64_t> storage_resolution = std::nullopt;  // 1 = high resolution
};

struct PutMetricDataInput {
  std::string namespace_;  // "DrApp/Controller"
  std::vector<MetricDatum> metric_data = {};
};
struct PutMetricDataOutput {
  QueryResponse raw;
};

struct DescribeAlarmsInput {
  std::vector<std::string> alarm_names = {};
  std::optional<std::string> alarm_name_prefix = std::nullopt;
  std::vector<std::string> alarm_types = {};              // MetricAlarm | CompositeAlarm
  std::optional<std::string> state_value = std::nullopt;  // OK | ALARM | INSUFFICIENT_DATA
  std::optional<int64_t> max_records = std::nullopt;
  std::optional<std::string> next_token = std::nullopt;
};

struct MetricAlarm {
  std::string alarm_name;
  std::string alarm_arn;
  std::string state_value;
  std::string state_reason;
  std::optional<SystemTime> state_updated_timestamp;
  std::string metric_name;
  std::string namespace_;
  std::string statistic;
  std::vector<MetricDimension> dimensions;
  std::optional<int64_t> period;
  std::optional<int64_t> evaluation_periods;
  std::optional<double> threshold;
  std::string comparison_operator;
  std::optional<bool> actions_enabled;
  std::vector<std::string> alarm_actions;
};

struct CompositeAlarm {
  std::string alarm_name;
  std::string alarm_arn;
  std::string alarm_rule;
  std::string state_value;
  std::string state_reason;
  std::optional<SystemTime> state_updated_timestamp;
};

struct DescribeAlarmsOutput {
  std::vector<MetricAlarm> metric_alarms;
  std::vector<CompositeAlarm> composite_alarms;
  std::optional<std::string> next_token;
  QueryResponse raw;
};

// One metric's statistics over [start_time, end_time) in buckets of `period` seconds: how the
// controller reads Aurora's AuroraGlobalDBReplicationLag / AuroraGlobalDBRPOLag (AWS/RDS,
// dimension DBClusterIdentifier) in the secondary region.
struct GetMetricStatisticsInput {
  std::string namespace_;
  std::string metric_name;
  std::vector<MetricDimension> dimensions = {};
  SystemTime start_time;
  SystemTime end_time;
  int64_t period = 60;
  std::vector<std::string> statistics = {};  // SampleCount | Average | Sum | Minimum | Maximum
  std::optional<std::string> unit = std::nullopt;
};

struct Datapoint {
  std::optional<SystemTime> timestamp;
  std::optional<double> sample_count;
  std::optional<double> average;
  std::optional<double> sum;
  std::optional<double> minimum;
  std::optional<double> maximum;
  std::string unit;
};

struct GetMetricStatisticsOutput {
  std::string label;
  std::vector<Datapoint> datapoints;  // in no particular order (CloudWatch does not sort them)
  QueryResponse raw;
};

class CloudWatch {
 public:
  explicit CloudWatch(ClientConfig config);

  Result<PutMetricDataOutput> put_metric_data(const PutMetricDataInput& input);
  Result<DescribeAlarmsOutput> describe_alarms(const DescribeAlarmsInput& input);
  Result<GetMetricStatisticsOutput> get_metric_statistics(const GetMetricStatisticsInput& input);

  static ServiceInfo service();
  static const QueryProtocol& protocol();
  ServiceClient& client() { return client_; }

  static QueryParams put_metric_data_params(const PutMetricDataInput& input);
  static QueryParams describe_alarms_params(const DescribeAlarmsInput& input);
  static Result<DescribeAlarmsOutput> parse_describe_alarms(std::string_view body);
  static QueryParams get_metric_statistics_params(const GetMetricStatisticsInput& input);
  static Result<GetMetricStatisticsOutput> parse_get_metric_statistics(std::string_view body);

 private:
  ServiceClient client_;
};

}  // namespace dr::aws
