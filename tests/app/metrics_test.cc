#include "app/metrics.h"

#include <gtest/gtest.h>

namespace dr::app {
namespace {

using namespace std::chrono_literals;

TEST(Metrics, CountsRequestsByRouteMethodAndStatus) {
  Metrics m;
  m.observe_request("/orders", "POST", 201, 3ms);
  m.observe_request("/orders", "POST", 201, 7ms);
  m.observe_request("/orders", "POST", 503, 1s);
  std::string text = m.render();
  EXPECT_NE(text.find("dr_app_requests_total{route=\"/orders\",method=\"POST\",status=\"201\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("dr_app_requests_total{route=\"/orders\",method=\"POST\",status=\"503\"} 1"),
            std::string::npos);
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Metrics m;
  m.observe_request("/health", "GET", 200, 2ms);   // <= 0.0025
  m.observe_request("/health", "GET", 200, 20ms);  // <= 0.025
  std::string text = m.render();
  std::string labels = "route=\"/health\",method=\"GET\"";
  EXPECT_NE(text.find("_bucket{" + labels + ",le=\"0.001\"} 0"), std::string::npos) << text;
  EXPECT_NE(text.find("_bucket{" + labels + ",le=\"0.0025\"} 1"), std::string::npos);
  EXPECT_NE(text.find("_bucket{" + labels + ",le=\"0.025\"} 2"), std::string::npos);
  EXPECT_NE(text.find("_bucket{" + labels + ",le=\"+Inf\"} 2"), std::string::npos);
  EXPECT_NE(text.find("_count{" + labels + "} 2"), std::string::npos);
}

TEST(Metrics, EscapesLabelValuesAndRendersGauges) {
  Metrics m;
  m.count_error("mysql", "a\"b\\c\nd");
  m.set_gauge("dr_app_db_pool_idle", "Idle database connections.", 3);
  std::string text = m.render();
  EXPECT_NE(text.find(R"(kind="a\"b\\c\nd"} 1)"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE dr_app_db_pool_idle gauge\ndr_app_db_pool_idle 3\n"),
            std::string::npos);
}

}  // namespace
}  // namespace dr::app
