// The witness: the same gate as the control API (it tells the controller whether to fail over,
// so a forged or a browser's request must not read it either), and `drctl witness` on a bad
// --dir: a clear error and an exit, every time.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "backends/lab/witness.h"
#include "lab/control_token.h"
#include "lab/process.h"
#include "lab/temp_dir.h"
#include "lab/wait.h"

namespace dr::backends::lab {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(Witness, ServesItsObservationOnlyToTheTokenHolder) {
  dr::testing::TempDir tmp{"dr-witness"};
  auto token = dr::lab::load_or_create_control_token(tmp.path());
  ASSERT_TRUE(token) << token.error();
  WitnessOptions o;
  o.lab_dir = tmp.path();  // no lab state: the observation carries the error, which is fine here
  o.address = "127.0.0.1";
  o.interval = 100ms;
  o.token = *token;
  Witness witness(o);
  auto port = witness.start();
  ASSERT_TRUE(port) << port.error();

  httplib::Client anonymous("127.0.0.1", *port);
  auto r = anonymous.Get("/observation");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_TRUE(json::parse(r->body, nullptr, false).contains("error")) << r->body;

  httplib::Client c("127.0.0.1", *port);
  c.set_bearer_token_auth(*token);
  r = c.Get("/observation");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_TRUE(json::parse(r->body, nullptr, false).is_object()) << r->body;

  r = c.Post("/observation", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "GET");
  r = c.Get("/observation", {{"Origin", "http://evil.example"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  r = c.Get("/observation", {{"Host", "evil.example"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  witness.stop();
}

struct Run {
  int code = -1;
  std::string output;
};

Run drctl(const dr::testing::TempDir& tmp, std::vector<std::string> args, int n) {
  dr::lab::SpawnOptions spawn;
  spawn.argv = {DRCTL_BINARY};
  spawn.argv.insert(spawn.argv.end(), args.begin(), args.end());
  spawn.log_file = tmp / ("drctl-" + std::to_string(n) + ".log");
  spawn.die_with_parent = true;
  auto p = dr::lab::Process::spawn(spawn);
  if (!p) return {-1, p.error().describe()};
  auto code = p->wait(30s);  // a deadline, not a speed check: the bug was a hang
  std::ifstream in(spawn.log_file);
  std::stringstream text;
  text << in.rdbuf();
  if (!code) {
    (void)p->kill();
    return {-1, "hung (killed after 30 s): " + text.str()};
  }
  return {*code, text.str()};
}

// It printed a raw "filesystem error: cannot rename", and in 7 of 30 runs hung for good: its
// error path stopped the HTTP server before that listened, so the join never returned.
TEST(DrctlWitness, AMissingLabDirIsAClearErrorAndAnExitEveryTime) {
  dr::testing::TempDir tmp{"dr-witness-cli"};
  const std::string missing = (tmp / "no-such-lab").string();
  for (int i = 0; i < 30; ++i) {
    auto r = drctl(tmp, {"witness", "--dir", missing, "--listen", "127.0.0.1"}, i);
    ASSERT_NE(r.code, -1) << "run " << i << ": " << r.output;
    EXPECT_EQ(r.code, 1) << "run " << i << ": " << r.output;
    EXPECT_NE(r.output.find("no lab in " + missing), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("filesystem error"), std::string::npos) << r.output;
  }
  // An error after the server started (its URL cannot be published: witness.url is a non-empty
  // directory) takes the path that hung: stop() right after start().
  const auto lab = tmp / "lab";
  ASSERT_TRUE(
      dr::lab::load_or_create_control_token((std::filesystem::create_directories(lab), lab)));
  std::filesystem::create_directories(lab / "witness.url" / "in-the-way");
  for (int i = 0; i < 30; ++i) {
    auto r = drctl(tmp, {"witness", "--dir", lab.string(), "--listen", "127.0.0.1"}, 100 + i);
    ASSERT_NE(r.code, -1) << "run " << i << ": " << r.output;
    EXPECT_EQ(r.code, 1) << "run " << i << ": " << r.output;
    EXPECT_NE(r.output.find("cannot publish its URL"), std::string::npos) << r.output;
  }
  // A directory that exists but holds no lab: the same.
  std::filesystem::create_directories(tmp / "empty");
  auto r = drctl(tmp, {"witness", "--dir", (tmp / "empty").string(), "--listen", "127.0.0.1"}, 99);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("no lab in"), std::string::npos) << r.output;
}

// The controller's log lines (`drctl witness` shares them) carry a full UTC timestamp.
TEST(DrctlWitness, LogsWithAnIso8601UtcTimestamp) {
  dr::testing::TempDir tmp{"dr-witness-log"};
  ASSERT_TRUE(dr::lab::load_or_create_control_token(tmp.path()));
  dr::lab::SpawnOptions spawn;
  spawn.argv = {DRCTL_BINARY, "witness", "--dir", tmp.path().string(), "--listen", "127.0.0.1"};
  spawn.log_file = tmp / "witness.log";
  spawn.die_with_parent = true;
  auto p = dr::lab::Process::spawn(spawn);
  ASSERT_TRUE(p) << p.error();
  std::string line;
  auto serving = dr::lab::wait_until("the witness serves", [&] {
    std::ifstream in(spawn.log_file);
    while (std::getline(in, line))
      if (line.find("witness serving") != std::string::npos) return true;
    return !p->running();
  });
  ASSERT_TRUE(serving) << serving.error();
  EXPECT_TRUE(std::regex_search(
      line, std::regex(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z witness serving)")))
      << line;
  EXPECT_TRUE(p->stop());
}

}  // namespace
}  // namespace dr::backends::lab
