#include "app/metrics.h"

#include <cstdio>
#include <cstdlib>
#include <tuple>

namespace dr::app {

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

namespace {
std::string number(double v) {
  // Shortest form that reads back as the same double, so bucket labels stay "0.0025".
  char buf[64];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}
}  // namespace

void Metrics::observe_request(const std::string& route, const std::string& method, int status,
                              std::chrono::nanoseconds latency) {
  double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard lock(mu_);
  ++requests_[{route, method, status}];
  Histogram& h = latency_[{route, method}];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::count_error(const std::string& dependency, const std::string& kind) {
  std::lock_guard lock(mu_);
  ++errors_[{dependency, kind}];
}

void Metrics::set_gauge(const std::string& name, const std::string& help, double value) {
  std::lock_guard lock(mu_);
  gauges_[name] = {help, value};
}

std::string Metrics::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP dr_app_requests_total HTTP requests served, by route, method and status.\n";
  out += "# TYPE dr_app_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    out += "dr_app_requests_total{route=\"" + escape_label(route) + "\",method=\"" +
           escape_label(method) + "\",status=\"" + std::to_string(status) + "\"} " +
           std::to_string(n) + "\n";
  }
  out += "# HELP dr_app_request_duration_seconds HTTP request latency, by route and method.\n";
  out += "# TYPE dr_app_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_) {
    std::string labels =
        "route=\"" + escape_label(key.first) + "\",method=\"" + escape_label(key.second) + "\"";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += "dr_app_request_duration_seconds_bucket{" + labels + ",le=\"" + number(kBuckets[i]) +
             "\"} " + std::to_string(h.buckets[i]) + "\n";
    }
    out += "dr_app_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    out += "dr_app_request_duration_seconds_sum{" + labels + "} " + number(h.sum) + "\n";
    out +=
        "dr_app_request_duration_seconds_count{" + labels + "} " + std::to_string(h.count) + "\n";
  }
  out += "# HELP dr_app_dependency_errors_total Errors from the database and DynamoDB.\n";
  out += "# TYPE dr_app_dependency_errors_total counter\n";
  for (const auto& [key, n] : errors_) {
    out += "dr_app_dependency_errors_total{dependency=\"" + escape_label(key.first) + "\",kind=\"" +
           escape_label(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  for (const auto& [name, g] : gauges_) {
    out += "# HELP " + name + " " + g.help + "\n";
    out += "# TYPE " + name + " gauge\n";
    out += name + " " + number(g.value) + "\n";
  }
  return out;
}

}  // namespace dr::app
