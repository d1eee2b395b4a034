// AWS X-Ray for dr-app: one segment per request, sent as the X-Ray daemon's UDP protocol wants it
// (a `{"format": "json", "version": 1}` header line, then the segment document) to the daemon
// user_data installs next to dr-app (AWS_XRAY_DAEMON_ADDRESS, default 127.0.0.1:2000). The ALB
// starts the trace (X-Amzn-Trace-Id: Root=...), which the segment joins; the sampling decision
// in that header is honoured, and without one the X-Ray default rule applies (the first request
// each second, then 5%). Sending never blocks or fails a request: UDP, non-blocking, errors
// only counted.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace dr::app {

// X-Amzn-Trace-Id: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1".
struct TraceHeader {
  std::string root;             // "" when the header had none (or an invalid one)
  std::string parent;           // the caller's segment id, if any
  std::optional<bool> sampled;  // nullopt: "Sampled=?" or absent, we decide
};
TraceHeader parse_trace_header(std::string_view header);
bool valid_trace_id(std::string_view id);  // 1-<8 hex>-<24 hex>

// "host:port" or the daemon's "tcp:host:port udp:host:port" form (the UDP one is ours).
std::optional<std::pair<std::string, int>> parse_daemon_address(std::string_view text);

struct Segment {
  std::string name = {};  // the service: "dr-app"
  std::string id = {};    // 16 hex
  std::string trace_id = {};
  std::string parent_id = {};
  double start_time = 0;  // epoch seconds
  double end_time = 0;
  std::string method = {};
  std::string url = {};
  std::string client_ip = {};
  std::string user_agent = {};
  int status = 0;
  std::size_t content_length = 0;
  std::string route = {};  // annotation: the route template
  std::string region = {};
  std::string instance_id = {};
  std::string availability_zone = {};
};
nlohmann::json segment_document(const Segment& s);
// What goes in one UDP datagram to the daemon.
std::string daemon_datagram(const Segment& s);

struct XRayOptions {
  std::string service_name = "dr-app";
  std::string daemon_host = "127.0.0.1";
  int daemon_port = 2000;
  std::string region = {};
  std::string instance_id = {};
  std::string availability_zone = {};
  double sample_rate = 0.05;  // after the first request each second
};

class XRay {
 public:
  using Now = std::function<std::chrono::system_clock::time_point()>;
  // Opens its UDP socket; nullptr (with `error`) when it cannot.
  static std::unique_ptr<XRay> open(XRayOptions options, std::string* error, Now now = {});
  ~XRay();
  XRay(const XRay&) = delete;
  XRay& operator=(const XRay&) = delete;

  struct Span {
    bool sampled = false;
    std::string trace_id, parent_id, id;
    std::chrono::system_clock::time_point start;
  };
  // At the start of a request: joins (or starts) the trace. `response_header` is what goes back
  // in X-Amzn-Trace-Id.
  Span begin(std::string_view trace_header);
  static std::string response_header(const Span& span);
  // At its end: sends the segment when sampled.
  void end(const Span& span, Segment details);

  std::uint64_t sent() const { return sent_; }
  std::uint64_t send_errors() const { return send_errors_; }

 private:
  XRay(XRayOptions options, int fd, Now now);
  bool decide();
  std::string random_hex(int digits);

  XRayOptions options_;
  int fd_;
  Now now_;
  std::mutex mu_;  // the random engine and the reservoir
  std::mt19937_64 rng_;
  std::int64_t reservoir_second_ = -1;
  std::atomic<std::uint64_t> sent_{0}, send_errors_{0};
};

}  // namespace dr::app
