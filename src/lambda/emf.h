// Log lines in CloudWatch's Embedded Metric Format: one JSON object per line whose root carries
// the fields, the metric values and `_aws` {Timestamp, CloudWatchMetrics: [{Namespace,
// Dimensions, Metrics}]}, so CloudWatch Logs extracts the metrics and no PutMetricData call is
// needed (the controller's role may only put the force-failover metric). Spec:
// docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dr::lambda {

inline constexpr const char* kMetricNamespace = "dr-app/controller";

struct Metric {
  std::string name;            // must not clash with a field or a dimension
  std::string unit;            // one of CloudWatch's units: "Count", "Milliseconds", ...
  std::vector<double> values;  // 1..100 values (EMF's limit per line)
};

using Dimensions = std::vector<std::pair<std::string, std::string>>;

// `fields` (an object) with the metrics added. Metrics without values are left out; more than
// 100 values keep the last 100. Dimension values are strings at the root, as the spec requires.
nlohmann::json emf_line(nlohmann::json fields, const Dimensions& dimensions,
                        const std::vector<Metric>& metrics, int64_t timestamp_ms);

// One line, never a newline inside (bytes that are not UTF-8 are replaced, never thrown on).
std::string to_line(const nlohmann::json& line);

}  // namespace dr::lambda
