// LabWorld::observe (backends/lab/lab_world.h) on a lab directory whose servers are all down:
// what a tick reads from the lab's files.
#include "backends/lab/lab_world.h"

#include <gtest/gtest.h>

#include "lab/control_token.h"
#include "lab/lab_state.h"
#include "lab/recorded_topology.h"
#include "lab/temp_dir.h"

namespace dr::backends::lab {
namespace {

using namespace std::chrono_literals;

dr::lab::LabState two_region_state() {
  dr::lab::LabState s;
  s.phase = "ready";
  // Port 1 on loopback: nothing listens, every probe is refused at once.
  for (auto [name, region] : {std::pair{"a1", "us-east-1"}, std::pair{"b1", "us-west-2"}}) {
    dr::lab::ComponentRecord c;
    c.name = name;
    c.kind = "mariadb";
    c.region = region;
    c.address = "127.0.0.1";
    c.port = 1;
    s.components.push_back(c);
  }
  s.alb_urls = {{"us-east-1", "http://127.0.0.1:1"}, {"us-west-2", "http://127.0.0.1:1"}};
  s.endpoints["us-west-2"]["writer"] = "a1";
  s.control_address = "127.0.0.1";
  s.control_port = 1;
  return s;
}

TEST(LabWorld, ATickTakesThePrimaryFleetsSizeFromTheStateFileItReadsAnyway) {
  dr::testing::TempDir dir("dr-lab-world");
  auto state = two_region_state();
  state.fleets["us-east-1"] = {1, 3, 4};
  ASSERT_TRUE(dr::lab::save_lab_state(dir.path(), state));
  ASSERT_TRUE(dr::lab::load_or_create_control_token(dir.path()));
  // topology.json is the supervisor's record for the next `lab up`, not the controller's: an
  // older one (here: other sizes) must not be what the tick reports.
  dr::lab::RecordedTopology older{
      "a1", state.endpoints, std::nullopt, {{"us-east-1", {1, 2, 4}}}, {}};
  ASSERT_TRUE(dr::lab::save_recorded_topology(dir.path(), older));

  LabWorldOptions options;
  options.lab_dir = dir.path();
  options.source_address = "";
  options.checkers = 1;
  options.probe_timeout = 300ms;
  LabWorld world(options);
  auto s = world.observe();
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->topology.primary_region, "us-east-1");
  EXPECT_EQ(s->primary_fleet_desired, 3);

  // No fleet recorded for the primary region: none reported, whatever topology.json says.
  state.fleets.clear();
  ASSERT_TRUE(dr::lab::save_lab_state(dir.path(), state));
  auto none = world.observe();
  ASSERT_TRUE(none) << none.error();
  EXPECT_EQ(none->primary_fleet_desired, std::nullopt);
}

}  // namespace
}  // namespace dr::backends::lab
