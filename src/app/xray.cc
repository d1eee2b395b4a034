#include "app/xray.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstring>

namespace dr::app {

namespace {

bool all_hex(std::string_view s) {
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) ||
        std::isupper(static_cast<unsigned char>(c)))
      return false;
  }
  return !s.empty();
}

double seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

bool valid_trace_id(std::string_view id) {
  return id.size() == 35 && id.substr(0, 2) == "1-" && all_hex(id.substr(2, 8)) && id[10] == '-' &&
         all_hex(id.substr(11, 24));
}

TraceHeader parse_trace_header(std::string_view header) {
  TraceHeader t;
  while (!header.empty()) {
    const size_t semi = header.find(';');
    std::string_view part = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "Root" && valid_trace_id(value)) t.root = value;
    if (key == "Parent" && value.size() == 16 && all_hex(value)) t.parent = value;
    if (key == "Sampled" && value == "1") t.sampled = true;
    if (key == "Sampled" && value == "0") t.sampled = false;
  }
  if (t.root.empty()) t.parent.clear();  // a parent without its trace means nothing
  return t;
}

std::optional<std::pair<std::string, int>> parse_daemon_address(std::string_view text) {
  std::string_view chosen = text;
  if (text.find("udp:") != std::string_view::npos || text.find("tcp:") != std::string_view::npos) {
    const size_t at = text.find("udp:");
    if (at == std::string_view::npos) return std::nullopt;
    chosen = text.substr(at + 4);
    chosen = chosen.substr(0, chosen.find(' '));
  }
  const size_t colon = chosen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  int port = 0;
  for (char c : chosen.substr(colon + 1)) {
    if (!std::isdigit(static_cast<unsigned char>(c)) || port > 65535) return std::nullopt;
    port = port * 10 + (c - '0');
  }
  if (port <= 0 || port > 65535) return std::nullopt;
  return std::pair{std::string(chosen.substr(0, colon)), port};
}

nlohmann::json segment_document(const Segment& s) {
  nlohmann::json request = {{"method", s.method}, {"url", s.url}};
  if (!s.client_ip.empty()) request["client_ip"] = s.client_ip;
  if (!s.user_agent.empty()) request["user_agent"] = s.user_agent;
  nlohmann::json d = {
      {"name", s.name},
      {"id", s.id},
      {"trace_id", s.trace_id},
      {"start_time", s.start_time},
      {"end_time", s.end_time},
      {"origin", "AWS::EC2::Instance"},
      {"http",
       {{"request", request},
        {"response", {{"status", s.status}, {"content_length", s.content_length}}}}},
      {"annotations", {{"route", s.route}, {"region", s.region}}},
  };
  if (!s.parent_id.empty()) d["parent_id"] = s.parent_id;
  // X-Ray's flags: error for client errors, throttle for 429 as well, fault for server errors.
  if (s.status >= 400 && s.status < 500) d["error"] = true;
  if (s.status == 429) d["throttle"] = true;
  if (s.status >= 500) d["fault"] = true;
  if (!s.instance_id.empty() || !s.availability_zone.empty()) {
    nlohmann::json ec2 = nlohmann::json::object();
    if (!s.instance_id.empty()) ec2["instance_id"] = s.instance_id;
    if (!s.availability_zone.empty()) ec2["availability_zone"] = s.availability_zone;
    d["aws"] = {{"ec2", ec2}};
  }
  return d;
}

std::string daemon_datagram(const Segment& s) {
  return std::string("{\"format\": \"json\", \"version\": 1}\n") + segment_document(s).dump();
}

std::unique_ptr<XRay> XRay::open(XRayOptions options, std::string* error, Now now) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(options.daemon_port);
  if (int rc = ::getaddrinfo(options.daemon_host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    if (error) *error = "X-Ray daemon " + options.daemon_host + ": " + ::gai_strerror(rc);
    return nullptr;
  }
  int fd = ::socket(found->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  // connect() on UDP only fixes the destination: every send goes there, nothing waits.
  if (fd < 0 || ::connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    if (error) *error = "X-Ray daemon socket: " + std::string(std::strerror(errno));
    if (fd >= 0) ::close(fd);
    ::freeaddrinfo(found);
    return nullptr;
  }
  ::freeaddrinfo(found);
  if (!now) now = [] { return std::chrono::system_clock::now(); };
  return std::unique_ptr<XRay>(new XRay(std::move(options), fd, std::move(now)));
}

XRay::XRay(XRayOptions options, int fd, Now now)
    : options_(std::move(options)), fd_(fd), now_(std::move(now)), rng_(std::random_device{}()) {}

XRay::~XRay() {
  ::close(fd_);
}

std::string XRay::random_hex(int digits) {
  std::string out;
  while (static_cast<int>(out.size()) < digits) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng_()));
    out += buf;
  }
  return out.substr(0, static_cast<size_t>(digits));
}

bool XRay::decide() {
  // The default sampling rule: a reservoir of one request per second, then a fixed rate.
  const auto second =
      std::chrono::duration_cast<std::chrono::seconds>(now_().time_since_epoch()).count();
  if (second != reservoir_second_) {
    reservoir_second_ = second;
    return true;
  }
  return std::uniform_real_distribution<double>(0, 1)(rng_) < options_.sample_rate;
}

XRay::Span XRay::begin(std::string_view trace_header) {
  const TraceHeader h = parse_trace_header(trace_header);
  Span span;
  span.start = now_();
  std::lock_guard lock(mu_);
  if (h.root.empty()) {
    char epoch[9];
    std::snprintf(epoch, sizeof epoch, "%08llx",
                  static_cast<unsigned long long>(std::chrono::duration_cast<std::chrono::seconds>(
                                                      span.start.time_since_epoch())
                                                      .count()) &
                      0xffffffffULL);
    span.trace_id = std::string("1-") + epoch + "-" + random_hex(24);
  } else {
    span.trace_id = h.root;
    span.parent_id = h.parent;
  }
  span.id = random_hex(16);
  span.sampled = h.sampled ? *h.sampled : decide();
  return span;
}

std::string XRay::response_header(const Span& span) {
  return "Root=" + span.trace_id + ";Sampled=" + (span.sampled ? "1" : "0");
}

void XRay::end(const Span& span, Segment s) {
  if (!span.sampled) return;
  s.name = options_.service_name;
  s.id = span.id;
  s.trace_id = span.trace_id;
  s.parent_id = span.parent_id;
  s.start_time = seconds(span.start);
  s.end_time = std::max(seconds(now_()), s.start_time);
  if (s.region.empty()) s.region = options_.region;
  if (s.instance_id.empty()) s.instance_id = options_.instance_id;
  if (s.availability_zone.empty()) s.availability_zone = options_.availability_zone;
  const std::string datagram = daemon_datagram(s);
  if (::send(fd_, datagram.data(), datagram.size(), MSG_DONTWAIT) ==
      static_cast<ssize_t>(datagram.size()))
    ++sent_;
  else
    ++send_errors_;
}

}  // namespace dr::app
