// moto's server (pip install 'moto[server]') on a free loopback port, for the AWS backend tests:
// started once per test binary, stopped by its PID (dr::lab::Process) when the binary ends.
// Absent on a plain Debian: available() is false and why() says so, and the tests skip.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "aws/transport.h"
#include "lab/ports.h"
#include "lab/process.h"
#include "lab/wait.h"

namespace dr::test {

class MotoServer {
 public:
  // The one server of this binary, started on first use.
  static MotoServer& get() {
    static MotoServer server;
    return server;
  }

  bool available() const { return process_.has_value(); }
  const std::string& why() const { return why_; }
  const std::string& url() const { return url_; }

 private:
  static std::optional<std::string> on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::string rest = path ? path : "";
    while (!rest.empty()) {
      auto colon = rest.find(':');
      std::string dir = rest.substr(0, colon);
      rest = colon == std::string::npos ? "" : rest.substr(colon + 1);
      auto candidate = std::filesystem::path(dir) / name;
      if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    return std::nullopt;
  }

  MotoServer() {
    auto exe = on_path("moto_server");
    if (!exe) {
      why_ = "moto_server is not on PATH (pip install 'moto[server]'; a plain Debian 12 has none)";
      return;
    }
    log_ =
        std::filesystem::temp_directory_path() / ("dr-moto-" + std::to_string(::getpid()) + ".log");
    const auto& log = log_;
    auto transport = aws::make_curl_transport({});
    // A port taken between the probe and moto's bind: try another.
    for (int attempt = 0; attempt < 3 && !process_; ++attempt) {
      auto port = lab::pick_free_port("127.0.0.1");
      if (!port) continue;
      lab::SpawnOptions options;
      options.argv = {*exe, "-H", "127.0.0.1", "-p", std::to_string(*port)};
      options.log_file = log;
      options.die_with_parent = true;
      auto p = lab::Process::spawn(std::move(options));
      if (!p) {
        why_ = "cannot start moto_server: " + p.error().message;
        return;
      }
      std::string host = "127.0.0.1:" + std::to_string(*port);
      auto ready = lab::wait_until_or_fail(
          "moto_server answering on " + host,
          [&]() -> lab::Result<bool> {
            if (!p->running())
              return std::unexpected(lab::Error{lab::ErrorKind::kExited, "moto_server exited"});
            aws::HttpRequest r;
            r.method = "POST";
            r.scheme = "http";
            r.host = host;
            r.path = "/moto-api/reset";
            auto out = transport->send(r);
            return out && out->status == 200;
          },
          {.timeout = std::chrono::seconds(60), .poll = std::chrono::milliseconds(100)});
      if (ready) {
        url_ = "http://" + host;
        process_ = std::move(*p);
      } else {
        why_ =
            "moto_server did not answer: " + ready.error().message + " (log: " + log.string() + ")";
        (void)p->stop(std::chrono::seconds(5));
      }
    }
  }
  ~MotoServer() {
    if (process_) (void)process_->stop(std::chrono::seconds(5));
    std::error_code ec;
    if (!log_.empty()) std::filesystem::remove(log_, ec);
  }

  std::optional<lab::Process> process_;
  std::string url_;
  std::string why_;
  std::filesystem::path log_;
};

}  // namespace dr::test
