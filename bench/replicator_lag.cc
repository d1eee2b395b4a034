// Replicator lag, end to end: a session written through us-east-1's ALB, polled through
// us-west-2's ALB until it is there. Prints p50/p99/max over N samples.
// Run against a lab: bench_replicator_lag <alb-us-east-1 url> <alb-us-west-2 url> [samples]
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s <east-alb-url> <west-alb-url> [samples=200]\n", argv[0]);
    return 2;
  }
  const int samples = argc > 3 ? std::max(1, std::atoi(argv[3])) : 200;
  httplib::Client east(argv[1]);
  httplib::Client west(argv[2]);
  for (auto* c : {&east, &west}) {
    c->set_connection_timeout(std::chrono::seconds(2));
    c->set_read_timeout(std::chrono::seconds(2));
    c->set_tcp_nodelay(true);
  }
  const std::string run = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  std::vector<double> lag_ms;
  for (int i = 0; i < samples; ++i) {
    const std::string id = "lag-" + run + "-" + std::to_string(i);
    auto start = std::chrono::steady_clock::now();
    auto put = east.Put("/sessions/" + id, R"({"data":{"i":1},"version":0})", "application/json");
    if (!put || put->status != 201) {
      std::fprintf(stderr, "write %d failed\n", i);
      return 1;
    }
    // Poll until visible in the other region, at most 5 s per sample.
    for (;;) {
      auto got = west.Get("/sessions/" + id);
      if (got && got->status == 200) break;
      if (std::chrono::steady_clock::now() - start > std::chrono::seconds(5)) {
        std::fprintf(stderr, "session %s never reached us-west-2\n", id.c_str());
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling granularity
    }
    lag_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(lag_ms.begin(), lag_ms.end());
  auto pct = [&](double p) {
    return lag_ms[static_cast<size_t>(p * static_cast<double>(lag_ms.size() - 1))];
  };
  std::printf(
      "replicator lag (write in us-east-1 -> readable in us-west-2), %d samples: p50 %.1f ms, p99 "
      "%.1f ms, max %.1f ms\n",
      samples, pct(0.5), pct(0.99), lag_ms.back());
  return 0;
}
