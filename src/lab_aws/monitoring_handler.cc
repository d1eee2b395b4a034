#include "lab_aws/monitoring_handler.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

namespace dr::lab_aws {

namespace {

constexpr const char* kNamespace = "http://monitoring.amazonaws.com/doc/2010-08-01/";
constexpr const char* kLagMetrics[] = {"AuroraGlobalDBReplicationLag", "AuroraGlobalDBRPOLag"};

AwsError invalid(const std::string& message) {
  return invalid_parameter_value(message);
}

std::string python_float(double v) {
  // Enough digits to read the same double back; botocore parses any decimal form.
  char out[32];
  std::snprintf(out, sizeof out, "%.17g", v);
  std::string s = out;
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::expected<aws::SystemTime, AwsError> timestamp(const FormParams& p, const std::string& name) {
  auto text = p.require(name);
  if (!text) return std::unexpected(text.error());
  auto t = aws::parse_iso8601(*text);
  if (!t) return std::unexpected(invalid("The parameter " + name + " must be a timestamp."));
  return *t;
}

// Dimensions.member.N.{Name,Value} under `prefix`, as "Name=Value;..." sorted (AWS matches a
// metric by its exact set of dimensions, in any order).
std::expected<std::string, AwsError> dimensions(const FormParams& p, const std::string& prefix) {
  std::vector<std::string> out;
  for (int i = 1;; ++i) {
    const std::string base = prefix + "Dimensions.member." + std::to_string(i);
    auto name = p.get(base + ".Name");
    auto value = p.get(base + ".Value");
    if (!name && !value) break;
    if (!name || name->empty() || !value)
      return std::unexpected(invalid("The parameter " + base + " needs a Name and a Value."));
    out.push_back(*name + "=" + *value);
    if (out.size() > 30) return std::unexpected(invalid("At most 30 dimensions."));
  }
  std::sort(out.begin(), out.end());
  std::string joined;
  for (const auto& d : out) joined += d + ";";
  return joined;
}

}  // namespace

MonitoringHandler::MonitoringHandler(RdsLab& databases, FrontDoorLab& front_door,
                                     MonitoringNames names, Clock clock)
    : databases_(databases),
      front_door_(front_door),
      names_(std::move(names)),
      clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
  created_ = clock_();
  alarm_.updated = created_;
}

std::string MonitoringHandler::alarm_arn() const {
  return "arn:aws:cloudwatch:" + names_.secondary_region + ":" + names_.rds.account +
         ":alarm:" + names_.alarm_name;
}

RpcBridge MonitoringHandler::rpc_bridge() {
  RpcBridge c;
  c.service_name = "GraniteServiceVersion20100801";  // the model's targetPrefix
  for (const char* n :
       {"Period", "EvaluationPeriods", "DatapointsToAlarm", "StorageResolution", "MaxRecords"})
    c.types[n] = BridgeType::kInteger;
  for (const char* n :
       {"Threshold", "SampleCount", "Average", "Sum", "Minimum", "Maximum", "Value"})
    c.types[n] = BridgeType::kDouble;
  c.types["ActionsEnabled"] = BridgeType::kBoolean;
  c.types["Values"] = BridgeType::kDouble;  // GetMetricData's lists: their members
  c.types["Timestamps"] = BridgeType::kTimestamp;
  for (const char* n : {"Timestamp", "StartTime", "EndTime", "StateUpdatedTimestamp",
                        "AlarmConfigurationUpdatedTimestamp", "StateTransitionedTimestamp"})
    c.types[n] = BridgeType::kTimestamp;
  return c;
}

std::string MonitoringHandler::alarm_state() {
  std::lock_guard lock(mu_);
  return alarm_.state;
}

QueryService MonitoringHandler::service() {
  QueryService s;
  s.xml_namespace = kNamespace;
  s.actions["PutMetricData"] = {[this](const FormParams& p, const Caller& c, pugi::xml_node r) {
                                  return put_metric_data(p, c, r);
                                },
                                false};
  s.actions["GetMetricStatistics"] = {
      [this](const FormParams& p, const Caller& c, pugi::xml_node r) {
        return get_metric_statistics(p, c, r);
      }};
  s.actions["GetMetricData"] = {[this](const FormParams& p, const Caller& c, pugi::xml_node r) {
    return get_metric_data(p, c, r);
  }};
  s.actions["DescribeAlarms"] = {[this](const FormParams& p, const Caller& c, pugi::xml_node r) {
    return describe_alarms(p, c, r);
  }};
  return s;
}

std::expected<void, AwsError> MonitoringHandler::put_metric_data(const FormParams& p,
                                                                 const Caller& c, pugi::xml_node) {
  auto ns = p.require("Namespace");
  if (!ns) return std::unexpected(ns.error());
  if (ns->empty() || ns->starts_with("AWS/"))
    return std::unexpected(invalid("The value " + *ns + " for parameter Namespace is invalid."));
  // Read every datum before recording any: a bad one refuses the whole call, as on AWS.
  std::vector<MetricDatum> data;
  const aws::SystemTime now = clock_();
  for (int i = 1;; ++i) {
    const std::string base = "MetricData.member." + std::to_string(i) + ".";
    auto name = p.get(base + "MetricName");
    if (!name) {
      if (p.has(base + "Value") || p.has(base + "Timestamp"))
        return std::unexpected(missing_parameter(base + "MetricName"));
      break;
    }
    if (name->empty() || name->size() > 255)
      return std::unexpected(invalid("The parameter " + base + "MetricName is invalid."));
    auto dims = dimensions(p, base);
    if (!dims) return std::unexpected(dims.error());
    if (p.has(base + "Values.member.1") || p.has(base + "StatisticValues.Sum"))
      return std::unexpected(invalid("The lab records single values (" + base + "Value) only."));
    auto text = p.get(base + "Value");
    if (!text) return std::unexpected(missing_parameter(base + "Value"));
    double value = 0;
    try {
      std::size_t used = 0;
      value = std::stod(*text, &used);
      if (used != text->size() || !std::isfinite(value)) throw std::invalid_argument(*text);
    } catch (const std::exception&) {
      return std::unexpected(
          invalid("The value " + *text + " for parameter " + base + "Value is invalid."));
    }
    aws::SystemTime at = now;
    if (p.has(base + "Timestamp")) {
      auto t = timestamp(p, base + "Timestamp");
      if (!t) return std::unexpected(t.error());
      // CloudWatch takes datapoints up to two weeks old and two hours ahead.
      if (*t < now - std::chrono::days(14) || *t > now + std::chrono::hours(2))
        return std::unexpected(invalid("The parameter " + base +
                                       "Timestamp must be within the last two weeks and at most "
                                       "two hours ahead."));
      at = *t;
    }
    data.push_back({*name, *dims, {at, value, p.get(base + "Unit").value_or("None")}});
    if (data.size() > 1000) return std::unexpected(invalid("At most 1000 MetricData items."));
  }
  if (data.empty()) return std::unexpected(missing_parameter("MetricData"));

  std::optional<double> force;  // the force-failover metric's Maximum in this call
  const auto is_force = [&](const MetricDatum& d) {
    return c.region == names_.secondary_region && *ns == names_.force_namespace &&
           d.metric == names_.force_metric && d.dims.empty();
  };
  std::unique_lock forcing(force_mu_, std::defer_lock);
  if (std::any_of(data.begin(), data.end(), is_force)) forcing.lock();
  if (auto put = store_.put(c.region, *ns, data); !put) return std::unexpected(put.error());
  // Several in one call fall in one 10 s period: the alarm's statistic is their Maximum.
  for (const auto& d : data)
    if (is_force(d)) force = std::max(force.value_or(d.point.value), d.point.value);
  if (!force) return {};
  // The alarm: Maximum >= 1 over its 10 s period is ALARM. Route 53's health check on it makes
  // the PRIMARY record unhealthy: the front door goes to the secondary; OK releases it. Applied
  // on every publish (as the health check reads the alarm continuously), so publishing again
  // restores the front door after someone moved it by hand.
  const bool alarm = *force >= 1;
  {
    std::lock_guard lock(mu_);
    const std::string state = alarm ? "ALARM" : "OK";
    if (alarm_.state != state) {
      alarm_.state = state;
      alarm_.reason = "Threshold Crossed: 1 datapoint [" + python_float(*force) + "] was " +
                      (alarm ? "greater than or equal to" : "not greater than or equal to") +
                      " the threshold (1.0).";
      alarm_.updated = now;
    }
  }
  auto moved =
      front_door_.force_front_door(alarm ? std::optional(names_.secondary_region) : std::nullopt);
  if (!moved)
    return std::unexpected(internal_failure(
        "the metric was recorded and the alarm is " + std::string(alarm ? "ALARM" : "OK") +
        ", but the lab's front door did not follow: " + moved.error()));
  return {};
}

std::expected<std::optional<double>, AwsError> MonitoringHandler::aurora_lag_ms(
    const std::string& region, const std::string& cluster) {
  if (cluster != names_.rds.cluster_id(region)) return std::nullopt;
  auto t = databases_.topology();
  if (!t) return std::unexpected(internal_failure("the lab's databases: " + t.error()));
  std::optional<double> worst;
  for (const auto& s : t->servers) {
    if (s.region != region) continue;
    if (s.name == t->writer) return std::nullopt;  // the primary cluster has no such metric
    if (s.replicating && s.lag_seconds)
      worst = std::max(worst.value_or(0.0), *s.lag_seconds * 1000.0);
  }
  return worst;
}

std::expected<long long, AwsError> MonitoringHandler::period(const FormParams& p,
                                                             const std::string& name) {
  auto period = p.integer(name, 1, 86400 * 455);
  if (!period) return std::unexpected(period.error());
  if (!*period) return std::unexpected(missing_parameter(name));
  const long long secs = **period;
  if (secs % 60 != 0 && secs != 1 && secs != 5 && secs != 10 && secs != 30)
    return std::unexpected(
        invalid("The parameter " + name + " must be 1, 5, 10, 30 or a multiple of 60."));
  return secs;
}

std::expected<std::map<aws::SystemTime, std::vector<MetricPoint>>, AwsError>
MonitoringHandler::buckets(const std::string& region, const std::string& ns,
                           const std::string& metric, const std::string& dims,
                           aws::SystemTime start, aws::SystemTime end, long long secs) {
  const bool aurora = ns == "AWS/RDS" && (metric == kLagMetrics[0] || metric == kLagMetrics[1]);
  if (!aurora) return by_period(store_.points(region, ns, metric, dims, start, end), secs);
  std::vector<MetricPoint> points;
  const std::string prefix = "DBClusterIdentifier=";
  const aws::SystemTime now = clock_();
  // The reading is of now; a window that ends at now (the controller's) holds it in its last
  // period, as Aurora's every-minute datapoint is there on AWS.
  const aws::SystemTime at = std::min(now, end - std::chrono::seconds(1));
  if (dims.starts_with(prefix) && dims.find(';') == dims.size() - 1 && at >= start) {
    auto lag = aurora_lag_ms(region, dims.substr(prefix.size(), dims.size() - 1 - prefix.size()));
    if (!lag) return std::unexpected(lag.error());
    if (*lag) points.push_back({at, **lag, "Milliseconds"});
  }
  return by_period(points, secs);
}

std::expected<void, AwsError> MonitoringHandler::get_metric_statistics(const FormParams& p,
                                                                       const Caller& c,
                                                                       pugi::xml_node result) {
  auto ns = p.require("Namespace");
  if (!ns) return std::unexpected(ns.error());
  auto metric = p.require("MetricName");
  if (!metric) return std::unexpected(metric.error());
  auto start = timestamp(p, "StartTime");
  if (!start) return std::unexpected(start.error());
  auto end = timestamp(p, "EndTime");
  if (!end) return std::unexpected(end.error());
  auto secs = period(p, "Period");
  if (!secs) return std::unexpected(secs.error());
  if (*start >= *end)
    return std::unexpected(
        invalid("The parameter StartTime must be less than the parameter EndTime."));
  const auto stats = p.list("Statistics");
  if (stats.empty())
    return std::unexpected(AwsError{400, "InvalidParameterCombination",
                                    "Must specify either Statistics or ExtendedStatistics"});
  for (const auto& s : stats)
    if (!is_basic_statistic(s))
      return std::unexpected(invalid("The parameter Statistics contains " + s +
                                     ", not one of SampleCount, Average, Sum, Minimum, Maximum."));
  auto dims = dimensions(p, "");
  if (!dims) return std::unexpected(dims.error());
  auto found = buckets(c.region, *ns, *metric, *dims, *start, *end, *secs);
  if (!found) return std::unexpected(found.error());
  add_text(result, "Label", *metric);
  auto list = result.append_child("Datapoints");
  for (const auto& [at, points] : *found) {
    auto d = list.append_child("member");
    add_text(d, "Timestamp", aws::iso8601(at));
    for (const auto& s : stats) add_text(d, s.c_str(), python_float(statistic(points, s)));
    add_text(d, "Unit", points.front().unit);
  }
  return {};
}

std::expected<void, AwsError> MonitoringHandler::get_metric_data(const FormParams& p,
                                                                 const Caller& c,
                                                                 pugi::xml_node result) {
  auto start = timestamp(p, "StartTime");
  if (!start) return std::unexpected(start.error());
  auto end = timestamp(p, "EndTime");
  if (!end) return std::unexpected(end.error());
  if (*start >= *end)
    return std::unexpected(
        invalid("The parameter StartTime must be less than the parameter EndTime."));
  const std::string scan = p.get("ScanBy").value_or("TimestampDescending");
  if (scan != "TimestampDescending" && scan != "TimestampAscending")
    return std::unexpected(invalid("The value " + scan + " for parameter ScanBy is invalid."));
  struct Query {
    std::string id, label, ns, metric, dims, stat;
    long long secs = 60;
    bool returned = true;
  };
  std::vector<Query> queries;
  std::set<std::string> ids;
  for (int i = 1;; ++i) {
    const std::string base = "MetricDataQueries.member." + std::to_string(i) + ".";
    auto id = p.get(base + "Id");
    if (!id) break;
    if (queries.size() == 500) return std::unexpected(invalid("At most 500 MetricDataQueries."));
    if (id->empty() || !std::islower(static_cast<unsigned char>((*id)[0])) ||
        !std::all_of(
            id->begin(), id->end(),
            [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; }) ||
        !ids.insert(*id).second)
      return std::unexpected(invalid("The value " + *id + " for parameter " + base +
                                     "Id is invalid: a unique name starting lower-case, "
                                     "then letters, digits and _."));
    if (p.has(base + "Expression"))
      return std::unexpected(
          invalid("The lab answers MetricStat queries only, not " + base + "Expression."));
    const std::string stat_base = base + "MetricStat.";
    Query q;
    q.id = *id;
    auto ns = p.require(stat_base + "Metric.Namespace");
    if (!ns) return std::unexpected(ns.error());
    auto metric = p.require(stat_base + "Metric.MetricName");
    if (!metric) return std::unexpected(metric.error());
    auto dims = dimensions(p, stat_base + "Metric.");
    if (!dims) return std::unexpected(dims.error());
    auto secs = period(p, stat_base + "Period");
    if (!secs) return std::unexpected(secs.error());
    auto stat = p.require(stat_base + "Stat");
    if (!stat) return std::unexpected(stat.error());
    if (!is_basic_statistic(*stat))
      return std::unexpected(
          invalid("The lab answers the statistics SampleCount, Average, Sum, "
                  "Minimum and Maximum, not " +
                  *stat + "."));
    auto returned = p.boolean(base + "ReturnData");
    if (!returned) return std::unexpected(returned.error());
    q.ns = *ns;
    q.metric = *metric;
    q.dims = *dims;
    q.secs = *secs;
    q.stat = *stat;
    q.returned = returned->value_or(true);
    q.label = p.get(base + "Label").value_or(*metric);
    queries.push_back(std::move(q));
  }
  if (queries.empty()) return std::unexpected(missing_parameter("MetricDataQueries"));
  auto list = result.append_child("MetricDataResults");
  for (const auto& q : queries) {
    if (!q.returned) continue;
    auto found = buckets(c.region, q.ns, q.metric, q.dims, *start, *end, q.secs);
    if (!found) return std::unexpected(found.error());
    std::vector<std::pair<aws::SystemTime, double>> values;
    for (const auto& [at, points] : *found) values.emplace_back(at, statistic(points, q.stat));
    if (scan == "TimestampDescending") std::reverse(values.begin(), values.end());
    auto r = list.append_child("member");
    add_text(r, "Id", q.id);
    add_text(r, "Label", q.label);
    auto times = r.append_child("Timestamps");
    auto vals = r.append_child("Values");
    for (const auto& [at, v] : values) {
      add_text(times, "member", aws::iso8601(at));
      add_text(vals, "member", python_float(v));
    }
    add_text(r, "StatusCode", "Complete");
  }
  result.append_child("Messages");
  return {};
}

std::expected<void, AwsError> MonitoringHandler::describe_alarms(const FormParams& p,
                                                                 const Caller& c,
                                                                 pugi::xml_node result) {
  const auto names = p.list("AlarmNames");
  const auto prefix = p.get("AlarmNamePrefix");
  if (!names.empty() && prefix)
    return std::unexpected(AwsError{400, "InvalidParameterCombination",
                                    "AlarmNames and AlarmNamePrefix cannot be used together."});
  const auto types = p.list("AlarmTypes");
  const auto state_filter = p.get("StateValue");
  if (state_filter && *state_filter != "OK" && *state_filter != "ALARM" &&
      *state_filter != "INSUFFICIENT_DATA")
    return std::unexpected(
        invalid("The value " + *state_filter + " for parameter StateValue is invalid."));
  Alarm alarm;
  {
    std::lock_guard lock(mu_);
    alarm = alarm_;
  }
  const bool listed =
      c.region == names_.secondary_region &&
      (names.empty() || std::find(names.begin(), names.end(), names_.alarm_name) != names.end()) &&
      (!prefix || names_.alarm_name.starts_with(*prefix)) &&
      (types.empty() || std::find(types.begin(), types.end(), "MetricAlarm") != types.end()) &&
      (!state_filter || *state_filter == alarm.state);
  result.append_child("CompositeAlarms");
  auto list = result.append_child("MetricAlarms");
  if (!listed) return {};
  auto a = list.append_child("member");
  add_text(a, "AlarmName", names_.alarm_name);
  add_text(a, "AlarmArn", alarm_arn());
  add_text(a, "AlarmDescription",
           "Set by the failover controller: in ALARM, Route 53 sends traffic to the secondary "
           "region");
  add_text(a, "AlarmConfigurationUpdatedTimestamp", aws::iso8601(created_));
  add_bool(a, "ActionsEnabled", true);
  a.append_child("OKActions");
  a.append_child("AlarmActions");
  a.append_child("InsufficientDataActions");
  add_text(a, "StateValue", alarm.state);
  add_text(a, "StateReason", alarm.reason);
  add_text(a, "StateUpdatedTimestamp", aws::iso8601(alarm.updated));
  add_text(a, "MetricName", names_.force_metric);
  add_text(a, "Namespace", names_.force_namespace);
  add_text(a, "Statistic", "Maximum");
  a.append_child("Dimensions");
  add_int(a, "Period", 10);
  add_int(a, "EvaluationPeriods", 1);
  add_text(a, "Threshold", "1.0");
  add_text(a, "ComparisonOperator", "GreaterThanOrEqualToThreshold");
  add_text(a, "TreatMissingData", "ignore");
  add_text(a, "StateTransitionedTimestamp", aws::iso8601(alarm.updated));
  return {};
}

}  // namespace dr::lab_aws
