#include "drill/baseline.h"

#include <gtest/gtest.h>

namespace dr::drill {
namespace {

using nlohmann::json;

json component(const std::string& name, const std::string& kind, const std::string& region,
               const std::string& role) {
  return {{"name", name}, {"kind", kind},    {"region", region},
          {"role", role}, {"healthy", true}, {"state", "running"}};
}

// What `drctl lab status --json` says about a fresh lab.
json fresh_lab() {
  json s;
  s["front_door"] = {
      {"url", "http://127.0.3.1:8080"}, {"active_region", "us-east-1"}, {"override", nullptr}};
  for (const auto& r : {"us-east-1", "us-west-2"})
    s["regions"][r] = {{"killed", false},
                       {"writer_endpoint", {{"database", "a1"}}},
                       {"reader_endpoint", {{"database", "a2"}}}};
  s["killed_azs"] = json::array();
  s["components"] = {component("a1", "mariadb", "us-east-1", "writer"),
                     component("a2", "mariadb", "us-east-1", "semi-sync replica of a1"),
                     component("b1", "mariadb", "us-west-2", "async replica of a1"),
                     component("alb-us-east-1", "alb", "us-east-1", "alb"),
                     component("app-us-east-1-1", "app", "us-east-1", "app")};
  return s;
}

json& find(json& status, const std::string& name) {
  for (auto& c : status["components"])
    if (c["name"] == name) return c;
  throw std::runtime_error("no " + name);
}

TEST(Baseline, AFreshLabWithAutomaticFailoverOnHolds) {
  auto b = check_baseline(fresh_lab(), {});
  EXPECT_TRUE(b.holds()) << b.refusal();
}

// What a region-outage drill leaves behind: the writer in us-west-2, us-east-1 killed, the
// failover waiting for its acknowledgement.
TEST(Baseline, AfterARegionFailoverNamesRestoreFailbackAndAck) {
  json s = fresh_lab();
  s["regions"]["us-east-1"]["killed"] = true;
  s["regions"]["us-west-2"]["writer_endpoint"]["database"] = "b1";
  s["front_door"]["override"] = "us-west-2";
  s["front_door"]["active_region"] = "us-west-2";
  for (auto name : {"a1", "a2", "alb-us-east-1", "app-us-east-1-1"}) {
    find(s, name)["state"] = "killed";
    find(s, name)["healthy"] = false;
  }
  find(s, "b1")["role"] = "writer";
  auto b = check_baseline(s, {true, "fo-123", std::nullopt});
  ASSERT_FALSE(b.holds());
  EXPECT_FALSE(b.only_transient());
  const std::string r = b.refusal(" --dir /tmp/lab");
  EXPECT_NE(r.find("region us-east-1 is killed"), std::string::npos) << r;
  EXPECT_NE(r.find("the writer is b1 in us-west-2, not in us-east-1"), std::string::npos) << r;
  EXPECT_NE(r.find("failover fo-123 is not acknowledged"), std::string::npos) << r;
  EXPECT_NE(r.find("--reset"), std::string::npos) << r;
  // a1 still says "writer" in the status, but it is killed: not a second writable server.
  EXPECT_EQ(r.find("also take"), std::string::npos) << r;
  const auto cmds = b.commands(" --dir /tmp/lab");
  ASSERT_EQ(cmds.size(), 3u) << r;
  EXPECT_EQ(cmds[0], "drctl lab restore --dir /tmp/lab");
  EXPECT_EQ(cmds[1], "drctl failback --dir /tmp/lab");
  // The failback is a runbook of its own: the id to acknowledge is the one it prints.
  EXPECT_EQ(cmds[2], "drctl ack <the id failback prints, or fo-123 if none> --dir /tmp/lab");
}

TEST(Baseline, AnUnacknowledgedFailoverAloneNamesItsAck) {
  auto b = check_baseline(fresh_lab(), {true, "fo-9", std::nullopt});
  ASSERT_FALSE(b.holds());
  EXPECT_EQ(b.commands(), std::vector<std::string>{"drctl ack fo-9"});
  EXPECT_NE(b.refusal().find("`drctl ack fo-9`"), std::string::npos) << b.refusal();
}

TEST(Baseline, AutomaticFailoverOffNamesTheSwitch) {
  auto b = check_baseline(fresh_lab(), {false, std::nullopt, std::nullopt});
  ASSERT_FALSE(b.holds());
  EXPECT_EQ(b.commands(), std::vector<std::string>{"drctl automatic-failover on"});
  EXPECT_NE(b.refusal().find("automatic failover is off"), std::string::npos);
}

TEST(Baseline, AKilledAzNamesRestore) {
  json s = fresh_lab();
  s["killed_azs"] = {"us-east-1a"};
  find(s, "a1")["state"] = "killed";
  auto b = check_baseline(s, {});
  ASSERT_FALSE(b.holds());
  EXPECT_EQ(b.commands(), std::vector<std::string>{"drctl lab restore"});
  EXPECT_NE(b.refusal().find("AZ us-east-1a is killed"), std::string::npos) << b.refusal();
  EXPECT_NE(b.refusal().find("killed: a1"), std::string::npos) << b.refusal();
}

TEST(Baseline, AnAppStillLaunchingIsTransient) {
  json s = fresh_lab();
  find(s, "app-us-east-1-1")["healthy"] = false;
  find(s, "app-us-east-1-1")["state"] = "launching";
  auto b = check_baseline(s, {});
  ASSERT_FALSE(b.holds());
  EXPECT_TRUE(b.only_transient());
  EXPECT_NE(b.refusal().find("app-us-east-1-1 (launching)"), std::string::npos) << b.refusal();
}

TEST(Baseline, TwoWritableServersAreASplitBrainToRepairFirst) {
  json s = fresh_lab();
  find(s, "b1")["role"] = "writer";
  auto b = check_baseline(s, {});
  ASSERT_FALSE(b.holds());
  EXPECT_NE(b.refusal().find("b1 also take(s) writes"), std::string::npos) << b.refusal();
  EXPECT_EQ(b.commands(), std::vector<std::string>{"drctl lab restore"});
}

TEST(Baseline, BrokenReplicationNamesRestore) {
  json s = fresh_lab();
  find(s, "b1")["state"] = "replication broken: Got fatal error 1236";
  find(s, "b1")["healthy"] = false;
  auto b = check_baseline(s, {});
  ASSERT_FALSE(b.holds());
  EXPECT_FALSE(b.only_transient());
  EXPECT_NE(b.refusal().find("b1: replication broken"), std::string::npos) << b.refusal();
}

TEST(Baseline, TrafficForcedToTheSecondaryWithTheWriterNamesFailback) {
  json s = fresh_lab();
  s["front_door"]["override"] = "us-west-2";
  s["regions"]["us-west-2"]["writer_endpoint"]["database"] = "b1";
  s["regions"]["us-east-1"]["writer_endpoint"]["database"] = "b1";
  find(s, "b1")["role"] = "writer";
  find(s, "a1")["role"] = "async replica of b1";
  auto b = check_baseline(s, {});
  ASSERT_FALSE(b.holds());
  EXPECT_NE(b.refusal().find("front door is forced to us-west-2"), std::string::npos);
  EXPECT_EQ(b.commands()[0], "drctl failback");
}

// An app-region failover moves traffic and fences the old region's apps but leaves the writer
// home: a failback at home restores those without moving the writer (drctl failback's no-op
// path finishes the baseline).
TEST(Baseline, TrafficAwayWhileTheWriterIsHomeIsAFailbackAtHome) {
  json s = fresh_lab();
  s["front_door"]["override"] = "us-west-2";
  s["regions"]["us-east-1"]["fleet"]["fenced"] = true;
  auto b = check_baseline(s, {true, "fo-7", std::nullopt});
  ASSERT_FALSE(b.holds());
  const std::string r = b.refusal();
  EXPECT_NE(r.find("the front door is forced to us-west-2"), std::string::npos) << r;
  EXPECT_NE(r.find("us-east-1's apps are fenced"), std::string::npos) << r;
  EXPECT_EQ(b.commands(),
            (std::vector<std::string>{"drctl failback",
                                      "drctl ack <the id failback prints, or fo-7 if none>"}));
  EXPECT_NE(r.find("--reset"), std::string::npos) << r;
}

TEST(Baseline, AStatusThatIsNotAnObjectIsRefusedNotThrown) {
  EXPECT_FALSE(check_baseline(json::array(), {}).holds());
  EXPECT_FALSE(check_baseline(json::object(), {}).holds());
}

}  // namespace
}  // namespace dr::drill

namespace dr::drill {
namespace {

// The writer the lab names, fenced (a promotion that failed, a runbook stopped after its fence):
// no write can succeed, so a drill would measure the lab's own outage, not a fault.
TEST(Baseline, AWriterThatTakesNoWritesIsRefused) {
  json s = fresh_lab();
  find(s, "a1")["role"] = "fenced (read-only)";
  auto b = check_baseline(s, {true, std::nullopt, std::nullopt});
  ASSERT_FALSE(b.holds());
  EXPECT_NE(b.refusal().find("the writer a1 takes no writes (fenced (read-only))"),
            std::string::npos)
      << b.refusal();
}

// A saved runbook not done: the drill's own controller would resume it and measure that.
TEST(Baseline, AnUnfinishedRunbookIsFinishedFirst) {
  auto b = check_baseline(fresh_lab(), {true, std::nullopt, "fo-9"});
  ASSERT_FALSE(b.holds());
  EXPECT_NE(b.refusal().find("runbook fo-9 is unfinished"), std::string::npos) << b.refusal();
  ASSERT_FALSE(b.commands().empty());
  EXPECT_EQ(b.commands().front(), "drctl controller --once");
}

}  // namespace
}  // namespace dr::drill
