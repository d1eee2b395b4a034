// dr-app's X-Ray segments: the trace header, the segment document, the daemon's datagram, and
// the sampling rules, with segments received by a loopback UDP listener standing in for the
// daemon.
#include "app/xray.h"

#include <gtest/gtest.h>

#include "app/udp_listener.h"

namespace dr::app {
namespace {

using namespace std::chrono_literals;

constexpr const char* kRoot = "1-5759e988-bd862e3fe1be46a994272793";

TEST(XRayHeader, ParsesRootParentAndTheSamplingDecision) {
  auto h = parse_trace_header(std::string("Root=") + kRoot + ";Parent=53995c3f42cd8ad8;Sampled=1");
  EXPECT_EQ(h.root, kRoot);
  EXPECT_EQ(h.parent, "53995c3f42cd8ad8");
  EXPECT_EQ(h.sampled, true);
  EXPECT_EQ(parse_trace_header(std::string("Root=") + kRoot + "; Sampled=0").sampled, false);
  EXPECT_EQ(parse_trace_header(std::string("Root=") + kRoot + ";Sampled=?").sampled, std::nullopt);
  // Hostile or broken headers start a new trace rather than join a made-up one.
  EXPECT_EQ(parse_trace_header("Root=1-xyz-abc;Parent=53995c3f42cd8ad8").root, "");
  EXPECT_EQ(parse_trace_header("Root=1-xyz-abc;Parent=53995c3f42cd8ad8").parent, "")
      << "a parent without a valid trace means nothing";
  EXPECT_EQ(parse_trace_header(std::string("Root=") + kRoot + ";Parent=\"><script>").parent, "");
  EXPECT_EQ(parse_trace_header("").root, "");
  EXPECT_FALSE(valid_trace_id("1-5759E988-bd862e3fe1be46a994272793")) << "lower-case hex only";
  EXPECT_TRUE(valid_trace_id(kRoot));
}

TEST(XRayHeader, TheDaemonAddressIsHostPortOrTheDaemonsUdpTcpForm) {
  EXPECT_EQ(parse_daemon_address("127.0.0.1:2000"),
            (std::pair<std::string, int>{"127.0.0.1", 2000}));
  EXPECT_EQ(parse_daemon_address("tcp:127.0.0.1:2000 udp:127.0.0.2:2001"),
            (std::pair<std::string, int>{"127.0.0.2", 2001}));
  EXPECT_FALSE(parse_daemon_address("127.0.0.1"));
  EXPECT_FALSE(parse_daemon_address("127.0.0.1:99999"));
  EXPECT_FALSE(parse_daemon_address(":2000"));
  EXPECT_FALSE(parse_daemon_address("tcp:127.0.0.1:2000"));
}

TEST(XRaySegment, CarriesTheRequestTheResponseAndXRaysFlags) {
  Segment s;
  s.name = "dr-app";
  s.id = "70de5b6f19ff9a0a";
  s.trace_id = kRoot;
  s.parent_id = "53995c3f42cd8ad8";
  s.start_time = 1478293361.271;
  s.end_time = 1478293361.449;
  s.method = "POST";
  s.url = "http://alb/orders";
  s.status = 503;
  s.route = "/orders";
  s.instance_id = "i-0abc";
  auto d = segment_document(s);
  EXPECT_EQ(d["trace_id"], kRoot);
  EXPECT_EQ(d["parent_id"], "53995c3f42cd8ad8");
  EXPECT_EQ(d["http"]["request"]["method"], "POST");
  EXPECT_EQ(d["http"]["response"]["status"], 503);
  EXPECT_EQ(d["fault"], true);
  EXPECT_FALSE(d.contains("error"));
  EXPECT_EQ(d["annotations"]["route"], "/orders");
  EXPECT_EQ(d["aws"]["ec2"]["instance_id"], "i-0abc");
  EXPECT_EQ(d["origin"], "AWS::EC2::Instance");
  s.status = 429;
  d = segment_document(s);
  EXPECT_EQ(d["error"], true);
  EXPECT_EQ(d["throttle"], true);
  EXPECT_FALSE(d.contains("fault"));
  s.status = 201;
  s.parent_id.clear();
  d = segment_document(s);
  EXPECT_FALSE(d.contains("error") || d.contains("fault") || d.contains("parent_id"));

  const std::string datagram = daemon_datagram(s);
  const auto newline = datagram.find('\n');
  ASSERT_NE(newline, std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(datagram.substr(0, newline)),
            nlohmann::json({{"format", "json"}, {"version", 1}}));
  EXPECT_EQ(nlohmann::json::parse(datagram.substr(newline + 1))["id"], "70de5b6f19ff9a0a");
}

class XRayToDaemon : public ::testing::Test {
 protected:
  std::unique_ptr<XRay> open(double rate) {
    std::string error;
    auto x = XRay::open({.service_name = "dr-app",
                         .daemon_host = "127.0.0.1",
                         .daemon_port = daemon_.port(),
                         .region = "us-east-1",
                         .instance_id = "i-1",
                         .availability_zone = "us-east-1a",
                         .sample_rate = rate},
                        &error, [this] { return now_; });
    EXPECT_NE(x, nullptr) << error;
    return x;
  }
  nlohmann::json next_segment() {
    auto d = daemon_.receive(2s);
    EXPECT_TRUE(d) << "no datagram within 2 s";
    if (!d) return {};
    return nlohmann::json::parse(d->substr(d->find('\n') + 1), nullptr, false);
  }

  dr::testing::UdpListener daemon_;
  std::chrono::system_clock::time_point now_{std::chrono::seconds(1'700'000'000)};
};

TEST_F(XRayToDaemon, ASampledRequestJoinsTheCallersTraceAndReachesTheDaemon) {
  auto x = open(0.0);
  auto span = x->begin(std::string("Root=") + kRoot + ";Parent=53995c3f42cd8ad8;Sampled=1");
  EXPECT_TRUE(span.sampled);
  EXPECT_EQ(XRay::response_header(span), std::string("Root=") + kRoot + ";Sampled=1");
  now_ += 250ms;
  x->end(span, {.method = "GET", .status = 200, .route = "/orders/{id}"});
  auto d = next_segment();
  EXPECT_EQ(d["trace_id"], kRoot);
  EXPECT_EQ(d["parent_id"], "53995c3f42cd8ad8");
  EXPECT_EQ(d["name"], "dr-app");
  EXPECT_EQ(d["id"].get<std::string>().size(), 16u);
  EXPECT_NEAR(d["end_time"].get<double>() - d["start_time"].get<double>(), 0.25, 1e-3);
  EXPECT_EQ(d["annotations"]["region"], "us-east-1");
  EXPECT_EQ(d["aws"]["ec2"]["availability_zone"], "us-east-1a");
  EXPECT_EQ(x->sent(), 1u);
}

TEST_F(XRayToDaemon, TheCallersDecisionWinsThenTheReservoirThenTheRate) {
  auto x = open(0.0);
  auto not_sampled = x->begin(std::string("Root=") + kRoot + ";Sampled=0");
  EXPECT_FALSE(not_sampled.sampled);
  x->end(not_sampled, {.status = 200});
  EXPECT_EQ(x->sent(), 0u) << "an unsampled request sends nothing";

  auto first = x->begin("");
  EXPECT_TRUE(first.sampled) << "the first request of a second";
  EXPECT_TRUE(valid_trace_id(first.trace_id)) << first.trace_id;
  EXPECT_EQ(first.trace_id.substr(2, 8), "6553f100") << "the trace id starts with the epoch";
  EXPECT_TRUE(first.parent_id.empty());
  EXPECT_FALSE(x->begin("").sampled) << "the same second, at rate 0";
  now_ += 1s;
  EXPECT_TRUE(x->begin("").sampled) << "a new second refills the reservoir";
  auto all = open(1.0);
  all->begin("");
  EXPECT_TRUE(all->begin("").sampled) << "at rate 1 every request";
}

TEST(XRayOpen, AnUnresolvableDaemonIsAnErrorNotACrash) {
  std::string error;
  auto x = XRay::open({.service_name = "dr-app",
                       .daemon_host = "no-such-host.invalid",
                       .daemon_port = 2000,
                       .region = "",
                       .instance_id = "",
                       .availability_zone = "",
                       .sample_rate = 0.05},
                      &error);
  EXPECT_EQ(x, nullptr);
  EXPECT_NE(error.find("no-such-host.invalid"), std::string::npos) << error;
}

}  // namespace
}  // namespace dr::app
