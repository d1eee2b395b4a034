// The control API's gate against a real server: the real ControlApi over a real (unstarted)
// Supervisor, on a free loopback port. Whatever a request lacks (token, JSON, the right Host, not
// being a browser), it is refused before any route runs: POST /shutdown is the witness of that.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <future>

#include "lab/control_api.h"
#include "lab/control_client.h"
#include "lab/control_token.h"
#include "lab/lab_state.h"
#include "lab/partition_record.h"
#include "lab/temp_dir.h"

namespace dr::lab {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kAddress = "127.0.0.1";

// What a raw socket gets back for `request`: for what httplib::Client will not send.
// Sends `request` as is and reads one whole response (its headers, then Content-Length bytes).
// The connection stays open for writing: half-closing it raced the server's read (an empty
// answer, now and then), and the server must answer without waiting for the client to go away.
std::string raw_exchange(std::uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, kAddress, &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "connect failed";
  }
  timeval tv{10, 0};  // a server that waits for a body that never comes would block us
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)::write(fd, request.data(), request.size());
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
    out.append(buf, static_cast<size_t>(n));
    const auto end = out.find("\r\n\r\n");
    if (end == std::string::npos) continue;
    std::size_t length = 0;
    if (const auto at = out.find("Content-Length: "); at != std::string::npos && at < end)
      length = std::stoul(out.substr(at + 16));
    if (out.size() >= end + 4 + length) break;
  }
  ::close(fd);
  return out;
}

class ControlApiGate : public ::testing::Test {
 protected:
  static std::string make_token(const std::filesystem::path& dir) {
    auto token = load_or_create_control_token(dir);
    if (!token) throw std::runtime_error(token.error().describe());
    return *token;
  }

  void SetUp() override {
    auto port = api_.start(kAddress);
    ASSERT_TRUE(port) << port.error();
    port_ = *port;
  }

  httplib::Client client(bool with_token = true) {
    httplib::Client c(kAddress, port_);
    c.set_connection_timeout(5s);
    c.set_read_timeout(10s);
    if (with_token) c.set_bearer_token_auth(token_);
    return c;
  }

  // The body's "error", or "" when the body is not {"error": string}.
  static std::string error_of(const httplib::Result& r) {
    if (!r) return "";
    auto j = json::parse(r->body, nullptr, false);
    return j.is_object() && j.contains("error") && j["error"].is_string()
               ? j["error"].get<std::string>()
               : "";
  }

  dr::testing::TempDir tmp_{"dr-control-api"};
  Supervisor supervisor_{SupervisorOptions{tmp_.path(), "/bin/true", ""}};
  std::string token_ = make_token(tmp_.path());
  ControlApi api_{supervisor_, token_};
  std::uint16_t port_ = 0;
};

// The token file: created 0600, ours, the same on every read; a readable one is refused.
TEST(ControlToken, IsCreatedPrivateAndRefusedWhenOthersCanReadIt) {
  dr::testing::TempDir tmp{"dr-control-token"};
  auto token = load_or_create_control_token(tmp.path());
  ASSERT_TRUE(token) << token.error();
  EXPECT_GE(token->size(), 32u);
  struct stat st {};
  ASSERT_EQ(::stat(control_token_file(tmp.path()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(st.st_uid, ::geteuid());
  auto again = read_control_token(tmp.path());
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(*again, *token);

  ::chmod(control_token_file(tmp.path()).c_str(), 0644);
  auto leaked = read_control_token(tmp.path());
  ASSERT_FALSE(leaked);
  EXPECT_NE(leaked.error().message.find("mode 0600"), std::string::npos) << leaked.error();
  EXPECT_FALSE(load_or_create_control_token(tmp.path()));

  auto none = read_control_token(tmp / "missing");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no lab in"), std::string::npos) << none.error();
}

// A lab directory someone else could write to (a /tmp/dr-lab another user created first) could
// hold a planted token, or a state.json that sends drctl's token to their server.
TEST(ControlToken, RefusesALabDirectoryOthersCanWrite) {
  dr::testing::TempDir tmp{"dr-control-token"};
  const auto dir = tmp / "lab";
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(load_or_create_control_token(dir));
  ::chmod(dir.c_str(), 0777);
  auto open = read_control_token(dir);
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().message.find("another user could plant"), std::string::npos)
      << open.error();
  EXPECT_FALSE(load_or_create_control_token(dir));
  ::chmod(dir.c_str(), 0755);
  EXPECT_TRUE(read_control_token(dir));
  if (::geteuid() == 0) {  // only root can give a directory away
    ASSERT_EQ(::chown(dir.c_str(), 65534, 65534), 0);
    EXPECT_FALSE(read_control_token(dir));
    EXPECT_FALSE(load_or_create_control_token(dir));
    ASSERT_EQ(::chown(dir.c_str(), 0, 0), 0);
  }
}

// A region's control plane obeys the lab's recorded cut: the controller in us-west-2 cannot fence
// or scale us-east-1's fleet, nor repoint its endpoints, while us-east-1 is cut off from it (the
// supervisor is one process for every region and must not carry a fence across the cut). A
// caller the cut does not separate from it, and 127.0.0.1 (an operator, the internet), still can.
TEST_F(ControlApiGate, ARegionsControlPlaneIsOutOfReachAcrossTheLabsCut) {
  ASSERT_TRUE(record_partition(
      tmp_.path(),
      PartitionRecord{"dr_lab_partition_test", Site::kUsEast1, {Site::kUsWest2}, "test"}));
  auto from = [&](const std::string& address) {
    auto c = client();
    c.set_interface(address);
    return c;
  };
  const std::string body = R"({"fenced": true, "reason": "failover"})";
  auto west = from("127.0.2.23").Put("/fleets/us-east-1/fence", body, "application/json");
  ASSERT_TRUE(west);
  EXPECT_EQ(west->status, 503) << west->body;
  EXPECT_EQ(error_of(west),
            "us-east-1's control plane is unreachable from us-west-2 (us-east-1 cut off from "
            "us-west-2)");
  auto repoint =
      from("127.0.2.23")
          .Put("/endpoints/us-east-1/writer", R"({"database": "b1"})", "application/json");
  ASSERT_TRUE(repoint);
  EXPECT_EQ(repoint->status, 503) << repoint->body;
  auto scale = from("127.0.2.23").Put("/fleets/us-east-1", R"({"desired": 0})", "application/json");
  ASSERT_TRUE(scale);
  EXPECT_EQ(scale->status, 503) << scale->body;
  // Not separated by this cut: the global site, the operator, and us-west-2's own region.
  for (const auto& [address, region] : std::vector<std::pair<std::string, std::string>>{
           {"127.0.3.24", "us-east-1"}, {"127.0.0.1", "us-east-1"}, {"127.0.2.23", "us-west-2"}}) {
    auto r = from(address).Put("/fleets/" + region + "/fence", body, "application/json");
    ASSERT_TRUE(r) << address;
    EXPECT_NE(r->status, 503) << address << " -> " << region << ": " << r->body;
  }
  forget_partition(tmp_.path());
  auto healed = from("127.0.2.23").Put("/fleets/us-east-1/fence", body, "application/json");
  ASSERT_TRUE(healed);
  EXPECT_NE(healed->status, 503) << healed->body;
}

TEST_F(ControlApiGate, WithoutTheTokenNothingHappens) {
  auto none = client(false).Post("/shutdown", "{}", "application/json");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer realm=\"dr-lab\"");
  EXPECT_NE(error_of(none).find("bearer token"), std::string::npos) << none->body;

  auto wrong = client(false);
  wrong.set_bearer_token_auth(token_.substr(1) + "x");
  auto r = wrong.Post("/shutdown", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  auto basic = client(false);
  basic.set_basic_auth("admin", token_);
  r = basic.Post("/shutdown", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  r = client(false).Get("/status");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_FALSE(api_.shutdown_requested());

  // With it, the same request works: the refusals above were the gate's.
  auto ok = client().Post("/shutdown", "{}", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 202) << ok->body;
  EXPECT_TRUE(api_.shutdown_requested());
}

// The one client of the control API (drctl lab, the lab's backends): it carries the token, and
// tells a refusal (with the API's own words) from a call never sent and from one that got no
// answer (which may have been applied).
TEST_F(ControlApiGate, TheSharedClientCarriesTheTokenAndSaysWhatAFailureMeans) {
  const ControlClient c({kAddress, port_, token_, 2s, 10s, ""});
  auto s = c.call("GET", "/status");
  ASSERT_TRUE(s) << s.error().detail;
  EXPECT_TRUE(s->contains("components")) << s->dump();

  auto refused = c.call("PUT", "/fleets/us-east-1", json{{"desired", 1}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ControlError::Kind::kHttp);
  EXPECT_EQ(refused.error().http_status, 404);
  EXPECT_EQ(refused.error().reason, "no fleet in region 'us-east-1'");
  EXPECT_NE(refused.error().detail.find("\"error\""), std::string::npos) << refused.error().detail;

  const ControlClient stranger({kAddress, port_, "x" + token_, 2s, 10s, ""});
  auto denied = stranger.call("POST", "/shutdown");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().http_status, 401);
  EXPECT_FALSE(api_.shutdown_requested());

  // The lab directory's own client: its state's address and its token.
  LabState state;
  state.control_address = kAddress;
  state.control_port = port_;
  ASSERT_TRUE(save_lab_state(tmp_.path(), state));
  auto of_lab = ControlClient::of_lab(tmp_.path(), 10s);
  ASSERT_TRUE(of_lab) << of_lab.error().describe();
  auto stopping = of_lab->call("POST", "/shutdown");
  ASSERT_TRUE(stopping) << stopping.error().detail;
  EXPECT_EQ((*stopping)["stopping"], true);
  EXPECT_TRUE(api_.shutdown_requested());

  // A listener that never answers: sent, no answer.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ::inet_pton(AF_INET, kAddress, &addr.sin_addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const auto silent_port = ntohs(addr.sin_port);
  auto unanswered =
      ControlClient({kAddress, silent_port, token_, 2s, 300ms, ""}).call("GET", "/status");
  ::close(fd);
  ASSERT_FALSE(unanswered);
  EXPECT_EQ(unanswered.error().kind, ControlError::Kind::kNoAnswer) << unanswered.error().detail;

  // Nothing listens any more: nothing was sent.
  api_.stop();
  auto gone = c.call("GET", "/status");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ControlError::Kind::kNotSent) << gone.error().detail;
  // No lab state with a control API: said so.
  state.control_port = 0;
  ASSERT_TRUE(save_lab_state(tmp_.path(), state));
  auto none = ControlClient::of_lab(tmp_.path(), 10s);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::kNotFound);
}

TEST_F(ControlApiGate, OnlyJsonBodies) {
  auto plain = client().Post("/shutdown", "{}", "text/plain");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 415);
  EXPECT_NE(error_of(plain).find("application/json"), std::string::npos) << plain->body;
  auto form =
      client().Post("/kill", "scope=component&name=a2", "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 415);
  auto put = client().Put("/front-door", R"({"active_region":"us-west-2"})", "text/plain");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 415);
  EXPECT_FALSE(api_.shutdown_requested());
  auto charset = client().Post("/shutdown", "{}", "application/json; charset=utf-8");
  ASSERT_TRUE(charset);
  EXPECT_EQ(charset->status, 202) << charset->body;
}

TEST_F(ControlApiGate, RefusesBrowsersAndForeignHosts) {
  auto c = client();
  auto origin = c.Post("/shutdown", {{"Origin", "http://evil.example"}}, "{}", "application/json");
  ASSERT_TRUE(origin);
  EXPECT_EQ(origin->status, 403);
  EXPECT_NE(error_of(origin).find("browser"), std::string::npos) << origin->body;
  auto site = c.Post("/shutdown", {{"Sec-Fetch-Site", "cross-site"}}, "{}", "application/json");
  ASSERT_TRUE(site);
  EXPECT_EQ(site->status, 403);
  // DNS rebinding: the page's own name in Host, our address underneath.
  auto rebound = c.Post("/shutdown", {{"Host", "evil.example"}}, "{}", "application/json");
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 403);
  EXPECT_NE(error_of(rebound).find("Host must be"), std::string::npos) << rebound->body;
  auto other_port = c.Get("/status", {{"Host", std::string(kAddress) + ":1"}});
  ASSERT_TRUE(other_port);
  EXPECT_EQ(other_port->status, 403);
  EXPECT_FALSE(api_.shutdown_requested());
}

TEST_F(ControlApiGate, WrongMethodIs405WithAllowAndUnknownPathsAre404Json) {
  auto get_kill = client().Get("/kill");
  ASSERT_TRUE(get_kill);
  EXPECT_EQ(get_kill->status, 405);
  EXPECT_EQ(get_kill->get_header_value("Allow"), "POST");
  EXPECT_NE(error_of(get_kill).find("GET is not allowed on /kill"), std::string::npos)
      << get_kill->body;
  auto delete_status = client().Delete("/status");
  ASSERT_TRUE(delete_status);
  EXPECT_EQ(delete_status->status, 405);
  EXPECT_EQ(delete_status->get_header_value("Allow"), "GET");
  auto get_fleet = client().Get("/fleets/us-east-1");
  ASSERT_TRUE(get_fleet);
  EXPECT_EQ(get_fleet->status, 405);
  EXPECT_EQ(get_fleet->get_header_value("Allow"), "PUT");
  auto unknown = client().Get("/nope");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_NE(error_of(unknown).find("no route /nope"), std::string::npos) << unknown->body;
}

TEST_F(ControlApiGate, EveryErrorBodyIsJson) {
  // A route's own refusal.
  auto no_fields = client().Post("/kill", "{}", "application/json");
  ASSERT_TRUE(no_fields);
  EXPECT_EQ(no_fields->status, 400);
  EXPECT_NE(error_of(no_fields).find("scope"), std::string::npos) << no_fields->body;
  auto not_json = client().Post("/kill", "{nope", "application/json");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
  EXPECT_FALSE(error_of(not_json).empty()) << not_json->body;
  // httplib's own: a body over the limit (413).
  auto big = client().Post("/kill", std::string(70 * 1024, ' '), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_FALSE(error_of(big).empty()) << big->body;
  // httplib's own: a request it cannot parse (400).
  auto garbage = raw_exchange(port_, "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_NE(garbage.find(" 400 "), std::string::npos) << garbage;
  EXPECT_NE(garbage.find("{\"error\":"), std::string::npos) << garbage;
}

TEST_F(ControlApiGate, APostWithoutABodySaysSoAtOnce) {
  // curl -X POST without -d: no Content-Length. httplib alone would wait for the connection to
  // close and then answer an empty 400.
  const std::string request = "POST /restore HTTP/1.1\r\nHost: " + std::string(kAddress) + ":" +
                              std::to_string(port_) + "\r\nAuthorization: Bearer " + token_ +
                              "\r\n\r\n";
  auto answer = std::async(std::launch::async, [&] {
    // Keep the connection open, as a client waiting for its answer does.
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    ::inet_pton(AF_INET, kAddress, &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return std::string();
    timeval tv{30, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)::write(fd, request.data(), request.size());
    std::string out;
    char buf[4096];
    for (ssize_t n;
         out.find("\r\n\r\n") == std::string::npos || out.find('}') == std::string::npos;) {
      n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
  });
  const std::string out = answer.get();
  EXPECT_NE(out.find(" 411 "), std::string::npos) << out;
  EXPECT_NE(out.find("needs a body with Content-Length"), std::string::npos) << out;
}

TEST(ApiServer, AnExceptionInARouteIsA500WithAJsonError) {
  ApiServer server("test API", "token");
  server.route("GET", "/boom", [](const httplib::Request&, httplib::Response&) {
    throw std::runtime_error("boom");
  });
  auto port = server.start(kAddress);
  ASSERT_TRUE(port) << port.error();
  httplib::Client c(kAddress, *port);
  c.set_bearer_token_auth("token");
  auto r = c.Get("/boom");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  auto j = json::parse(r->body, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r->body;
  EXPECT_EQ(j["error"], "test API: GET /boom failed: boom");
  EXPECT_FALSE(r->has_header("EXCEPTION_WHAT"));
}

// The server's thread must stop even when stop() comes right after start(): httplib ignores a
// stop() before its loop runs, and the join hung (`drctl witness` on a bad --dir, 7 in 30).
TEST(ApiServer, StopsAtOnceAfterStartEveryTime) {
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  std::thread([done] {
    // One CPU, and a real-time policy the server's thread inherits: it queues behind us and
    // cannot run before we block, so stop() comes before its loop started, the case that hung.
    // (Needs CAP_SYS_NICE; without it the race is merely likely, not certain.)
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    (void)::sched_setaffinity(0, sizeof one, &one);
    sched_param fifo{};
    fifo.sched_priority = 1;
    (void)::pthread_setschedparam(::pthread_self(), SCHED_FIFO, &fifo);
    for (int i = 0; i < 300; ++i) {
      ApiServer server("test API", "token");
      server.route("GET", "/x", [](const httplib::Request&, httplib::Response& res) {
        reply_json(res, 200, json::object());
      });
      if (!server.start(kAddress)) break;
      server.stop();
    }
    done->set_value();
  }).detach();
  if (finished.wait_for(60s) != std::future_status::ready) {
    ADD_FAILURE() << "start() then stop() hung";
    std::_Exit(1);  // the stuck thread cannot be joined: end the test binary
  }
}

}  // namespace
}  // namespace dr::lab
