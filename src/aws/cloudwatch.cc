#include "aws/cloudwatch.h"

namespace dr::aws {

namespace {

std::vector<MetricDimension> read_dimensions(XmlReader& r) {
  std::vector<MetricDimension> out;
  r.each("Dimensions", "member", [&](XmlReader d) {
    out.push_back({d.str("Name"), d.str("Value")});
  });
  return out;
}

Result<DescribeAlarmsOutput> read_describe_alarms(QueryResponse raw) {
  XmlReader r(raw.result, "DescribeAlarmsResult");
  DescribeAlarmsOutput out;
  r.each("MetricAlarms", "member", [&](XmlReader a) {
    MetricAlarm m;
    m.alarm_name = a.str("AlarmName");
    m.alarm_arn = a.str("AlarmArn");
    m.state_value = a.str("StateValue");
    m.state_reason = a.str("StateReason");
    m.state_updated_timestamp = a.opt_time("StateUpdatedTimestamp");
    m.metric_name = a.str("MetricName");
    m.namespace_ = a.str("Namespace");
    m.statistic = a.str("Statistic");
    m.dimensions = read_dimensions(a);
    m.period = a.opt_integer("Period");
    m.evaluation_periods = a.opt_integer("EvaluationPeriods");
    m.threshold = a.opt_double("Threshold");
    m.comparison_operator = a.str("ComparisonOperator");
    m.actions_enabled = a.opt_boolean("ActionsEnabled");
    m.alarm_actions = a.strings("AlarmActions");
    out.metric_alarms.push_back(std::move(m));
  });
  r.each("CompositeAlarms", "member", [&](XmlReader a) {
    out.composite_alarms.push_back({a.str("AlarmName"), a.str("AlarmArn"), a.str("AlarmRule"),
                                    a.str("StateValue"), a.str("StateReason"),
                                    a.opt_time("StateUpdatedTimestamp")});
  });
  out.next_token = r.opt_str("NextToken");
  out.raw = std::move(raw);
  if (const auto& e = r.error()) return std::unexpected(*e);
  return out;
}

Result<GetMetricStatisticsOutput> read_get_metric_statistics(QueryResponse raw) {
  XmlReader r(raw.result, "GetMetricStatisticsResult");
  GetMetricStatisticsOutput out;
  out.label = r.str("Label");
  r.each("Datapoints", "member", [&](XmlReader d) {
    out.datapoints.push_back({d.opt_time("Timestamp"), d.opt_double("SampleCount"),
                              d.opt_double("Average"), d.opt_double("Sum"), d.opt_double("Minimum"),
                              d.opt_double("Maximum"), d.str("Unit")});
  });
  out.raw = std::move(raw);
  if (const auto& e = r.error()) return std::unexpected(*e);
  return out;
}

}  // namespace

ServiceInfo CloudWatch::service() {
  return {"monitoring", "monitoring", false};
}

const QueryProtocol& CloudWatch::protocol() {
  static const QueryProtocol p{"2010-08-01"};
  return p;
}

CloudWatch::CloudWatch(ClientConfig config) : client_(service(), std::move(config)) {}

QueryParams CloudWatch::put_metric_data_params(const PutMetricDataInput& in) {
  QueryParams p;
  p.add("Namespace", in.namespace_);
  if (in.metric_data.empty()) p.add_list("MetricData", {});
  for (size_t i = 0; i < in.metric_data.size(); ++i) {
    const MetricDatum& d = in.metric_data[i];
    std::string prefix = "MetricData.member." + std::to_string(i + 1);
    p.add(prefix + ".MetricName", d.metric_name);
    for (size_t j = 0; j < d.dimensions.size(); ++j) {
      std::string dim = prefix + ".Dimensions.member." + std::to_string(j + 1);
      p.add(dim + ".Name", d.dimensions[j].name);
      p.add(dim + ".Value", d.dimensions[j].value);
    }
    if (d.timestamp) p.add_timestamp(prefix + ".Timestamp", *d.timestamp);
    if (d.value) p.add_double(prefix + ".Value", *d.value);
    p.maybe_add(prefix + ".Unit", d.unit);
    p.maybe_add_int(prefix + ".StorageResolution", d.storage_resolution);
  }
  return p;
}

QueryParams CloudWatch::describe_alarms_params(const DescribeAlarmsInput& in) {
  QueryParams p;
  if (!in.alarm_names.empty()) p.add_list("AlarmNames", in.alarm_names);
  p.maybe_add("AlarmNamePrefix", in.alarm_name_prefix);
  if (!in.alarm_types.empty()) p.add_list("AlarmTypes", in.alarm_types);
  p.maybe_add("StateValue", in.state_value)
      .maybe_add_int("MaxRecords", in.max_records)
      .maybe_add("NextToken", in.next_token);
  return p;
}

QueryParams CloudWatch::get_metric_statistics_params(const GetMetricStatisticsInput& in) {
  QueryParams p;
  p.add("Namespace", in.namespace_).add("MetricName", in.metric_name);
  for (size_t j = 0; j < in.dimensions.size(); ++j) {
    std::string dim = "Dimensions.member." + std::to_string(j + 1);
    p.add(dim + ".Name", in.dimensions[j].name);
    p.add(dim + ".Value", in.dimensions[j].value);
  }
  p.add_timestamp("StartTime", in.start_time)
      .add_timestamp("EndTime", in.end_time)
      .add_int("Period", in.period);
  if (!in.statistics.empty()) p.add_list("Statistics", in.statistics);
  p.maybe_add("Unit", in.unit);
  return p;
}

Result<GetMetricStatisticsOutput> CloudWatch::parse_get_metric_statistics(std::string_view body) {
  return then(parse_query_response(body, "GetMetricStatistics", true), read_get_metric_statistics);
}

Result<DescribeAlarmsOutput> CloudWatch::parse_describe_alarms(std::string_view body) {
  return then(parse_query_response(body, "DescribeAlarms", true), read_describe_alarms);
}

Result<PutMetricDataOutput> CloudWatch::put_metric_data(const PutMetricDataInput& in) {
  if (in.namespace_.empty())
    return std::unexpected(Error::invalid_argument("PutMetricData: Namespace is empty"));
  return then(query_call(client_, protocol(), "PutMetricData", put_metric_data_params(in), false),
              [](QueryResponse raw) -> Result<PutMetricDataOutput> {
                return PutMetricDataOutput{std::move(raw)};
              });
}

Result<DescribeAlarmsOutput> CloudWatch::describe_alarms(const DescribeAlarmsInput& in) {
  return then(query_call(client_, protocol(), "DescribeAlarms", describe_alarms_params(in), true),
              read_describe_alarms);
}

Result<GetMetricStatisticsOutput> CloudWatch::get_metric_statistics(
    const GetMetricStatisticsInput& in) {
  if (in.namespace_.empty() || in.metric_name.empty())
    return std::unexpected(
        Error::invalid_argument("GetMetricStatistics: Namespace and MetricName are required"));
  if (in.statistics.empty())
    return std::unexpected(
        Error::invalid_argument("GetMetricStatistics: name at least one statistic"));
  if (in.period <= 0)
    return std::unexpected(Error::invalid_argument("GetMetricStatistics: Period must be > 0"));
  return then(query_call(client_, protocol(), "GetMetricStatistics",
                         get_metric_statistics_params(in), true),
              read_get_metric_statistics);
}

}  // namespace dr::aws
