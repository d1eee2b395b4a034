#include "lab/status_view.h"

#include <gtest/gtest.h>

#include <sstream>

namespace dr::lab {
namespace {

using nlohmann::json;

json component(const std::string& name, bool healthy, const std::string& state) {
  return {{"name", name},
          {"kind", "mariadb"},
          {"region", "us-east-1"},
          {"az", "us-east-1a"},
          {"role", "writer"},
          {"address", "127.0.1.10:3306"},
          {"pid", 42},
          {"healthy", healthy},
          {"state", state},
          {"replication_lag_s", json()},
          {"log", ""}};
}

json lab_status(json components) {
  return {
      {"phase", "ready"},
      {"front_door",
       {{"url", "http://127.0.3.10:8080"}, {"active_region", "us-east-1"}, {"override", json()}}},
      {"regions",
       {{"us-east-1",
         {{"alb_url", "http://127.0.1.20:8080"},
          {"fleet", {{"min", 1}, {"desired", 2}, {"max", 4}, {"healthy", 2}, {"running", 2}}}}}}},
      {"components", std::move(components)}};
}

TEST(StatusView, AHealthyLabHasNothingDegraded) {
  EXPECT_TRUE(degraded_parts(lab_status({component("a1", true, "running")})).empty());
}

TEST(StatusView, NamesWhatIsDegraded) {
  json s = lab_status({component("a1", true, "running"), component("a2", false, "killed")});
  s["regions"]["us-east-1"]["fleet"]["healthy"] = 1;
  EXPECT_EQ(degraded_parts(s),
            (std::vector<std::string>{"a2 killed", "fleet-us-east-1 1/2 healthy"}));
  s["phase"] = "stopped (supervisor not running)";
  EXPECT_EQ(degraded_parts(s).front(), "phase stopped (supervisor not running)");
}

// Every part up while the apps behind the front door refuse (a fence record nobody lifted):
// `lab status` said healthy and exited 0 while every request got a 503. What drctl's own
// /health/deep through the front door got is a degraded part; an answer of 200 is not.
TEST(StatusView, AFrontDoorThatRefusesIsDegradedWhateverThePartsSay) {
  json s = lab_status({component("a1", true, "running")});
  s["front_door"]["deep_health"] = {{"ok", true}, {"status", 200}, {"body", "{}"}};
  EXPECT_TRUE(degraded_parts(s).empty());
  s["front_door"]["deep_health"] = {
      {"ok", false}, {"status", 503}, {"body", "{\"fenced\":\"failover fo-1\"}\nmore"}};
  EXPECT_EQ(degraded_parts(s),
            (std::vector<std::string>{"front door /health/deep answers 503 ({\"fenced\":\"failover "
                                      "fo-1\"})"}));
  s["front_door"]["deep_health"] = {{"ok", false}, {"error", "Connection"}};
  EXPECT_EQ(degraded_parts(s),
            (std::vector<std::string>{"front door /health/deep does not answer: Connection"}));
}

// After a failover the old primary's fleet is fenced: `lab status` showed it as plainly healthy.
TEST(StatusView, AFencedFleetIsShownFencedButNotDegraded) {
  json s = lab_status({component("a1", true, "running")});
  s["regions"]["us-east-1"]["fleet"]["fenced"] = true;
  const std::string table = render_status_table(s);
  EXPECT_NE(table.find("fenced, healthy"), std::string::npos) << table;
  EXPECT_TRUE(degraded_parts(s).empty()) << "a fence is meant, not a fault";
  s["regions"]["us-east-1"]["fleet"]["fenced"] = false;
  EXPECT_EQ(render_status_table(s).find("fenced"), std::string::npos);
}

// The lab's AWS endpoint is where `lab up` said, and `drctl lab env` has its keys.
TEST(StatusView, ShowsTheAwsEndpointWhenThereIsOne) {
  json s = lab_status({component("a1", true, "running")});
  EXPECT_EQ(render_status_table(s).find("aws endpoint"), std::string::npos);
  s["aws_endpoint"] = {{"url", json()}};  // not serving yet
  EXPECT_EQ(render_status_table(s).find("aws endpoint"), std::string::npos);
  s["aws_endpoint"]["url"] = "http://127.0.3.27:4566";
  const std::string table = render_status_table(s);
  EXPECT_NE(table.find("aws endpoint http://127.0.3.27:4566 (drctl lab env)\n"), std::string::npos)
      << table;
}

// A replication error of a few hundred characters (with newlines) made one row as wide as the
// error: every other row was padded to it and the table fell apart.
TEST(StatusView, ALongErrorDoesNotBreakTheTable) {
  const std::string error =
      "replication broken: Got fatal error 1236 from master when reading data from binary log: "
      "'Could not find GTID state requested by slave in any binlog files. Probably the slave "
      "state is too old and required binlog files have been purged.'\nsecond line\tand a tab";
  const std::string table = render_status_table(
      lab_status({component("a1", true, "running"), component("b1", false, error)}));
  std::istringstream lines(table);
  std::string header, line;
  std::getline(lines, header);
  std::size_t rows = 0;
  while (std::getline(lines, line) && !line.starts_with("front door")) {
    ++rows;
    EXPECT_LE(line.size(), header.size() + 2) << line;  // as wide as the header, give or take
  }
  EXPECT_EQ(rows, 3u) << table;  // a1, b1, the fleet: no row broken in two
  EXPECT_LT(header.size(), 160u) << header;
  // The whole error is still shown, under the table, on one line.
  std::string flat = error;
  std::ranges::replace_if(
      flat, [](unsigned char c) { return c < 0x20; }, ' ');
  EXPECT_NE(table.find("(*) b1: " + flat + "\n"), std::string::npos) << table;
}

}  // namespace
}  // namespace dr::lab
