// Prometheus text-format metrics for dr-app: request counters and latency histograms by route and
// status, dependency error counters, gauges for pool state. Lock-protected maps: the app's request
// rate is far below where that matters, and the scrape must see a consistent snapshot.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace dr::app {

class Metrics {
 public:
  // Latency bucket upper bounds in seconds (Prometheus `le`), spanning a fast local call to the
  // request timeout.
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1.0,  2.5,   5.0};

  void observe_request(const std::string& route, const std::string& method, int status,
                       std::chrono::nanoseconds latency);
  void count_error(const std::string& dependency, const std::string& kind);
  void set_gauge(const std::string& name, const std::string& help, double value);

  // The whole registry in Prometheus text exposition format 0.0.4.
  std::string render() const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  struct Gauge {
    std::string help;
    double value = 0;
  };
  using RequestKey = std::tuple<std::string, std::string, int>;  // route, method, status
  using RouteKey = std::pair<std::string, std::string>;          // route, method

  mutable std::mutex mu_;
  std::map<RequestKey, uint64_t> requests_;
  std::map<RouteKey, Histogram> latency_;
  std::map<std::pair<std::string, std::string>, uint64_t> errors_;
  std::map<std::string, Gauge> gauges_;
};

// Escapes a label value for the text format (backslash, double quote, newline).
std::string escape_label(const std::string& value);

}  // namespace dr::app
