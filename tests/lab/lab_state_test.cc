// The state file survives a round trip and tolerates missing fields (an older supervisor's file).
#include "lab/lab_state.h"

#include <gtest/gtest.h>

#include "lab/temp_dir.h"

namespace dr::lab {
namespace {

TEST(LabState, RoundTripsThroughTheStateFile) {
  dr::testing::TempDir tmp("dr-lab-state");
  LabState s;
  s.phase = "ready";
  s.supervisor = {42, 4242};
  s.control_address = "127.0.3.26";
  s.control_port = 5000;
  s.front_door_url = "http://127.0.3.10:1";
  s.front_door_override = "us-west-2";
  s.fleets["us-east-1"] = {1, 2, 4};
  s.endpoints["us-east-1"] = {{"writer", "a1"}, {"reader", "a2"}};
  s.killed_azs = {"us-east-1b"};
  s.lease_ttl_s = 1;
  s.upsert({"a1",
            "mariadb",
            "us-east-1",
            "us-east-1a",
            "writer",
            "127.0.1.11",
            3306,
            {7, 77},
            "/l",
            false});
  s.upsert(
      {"a2", "mariadb", "us-east-1", "us-east-1b", "replica", "127.0.1.12", 3307, {}, "/m", true});
  ASSERT_TRUE(save_lab_state(tmp.path(), s));
  auto back = load_lab_state(tmp.path());
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(to_json_text(*back), to_json_text(s));
  EXPECT_EQ(back->find("a1")->pid.start_time, 77u);
  EXPECT_TRUE(back->find("a2")->killed);
  EXPECT_EQ(*back->front_door_override, "us-west-2");
  EXPECT_EQ(back->lease_ttl_s, 1) << "the controller grants the TTL the apps assume";
}

TEST(LabState, AMissingFileIsNotFoundAndGarbageIsRefused) {
  dr::testing::TempDir tmp("dr-lab-state");
  auto none = load_lab_state(tmp.path());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(parse_lab_state("[1,2]"));
  auto minimal = parse_lab_state(R"({"phase":"starting"})");
  ASSERT_TRUE(minimal) << minimal.error();
  EXPECT_TRUE(minimal->components.empty());
}

TEST(LabState, TheDirectoryComesFromTheFlagThenTheEnvironment) {
  EXPECT_EQ(resolve_lab_dir("/tmp/x"), "/tmp/x");
  ::setenv("DR_LAB_DIR", "/tmp/from-env", 1);
  EXPECT_EQ(resolve_lab_dir(""), "/tmp/from-env");
  ::unsetenv("DR_LAB_DIR");
  EXPECT_EQ(resolve_lab_dir(""), "/tmp/dr-lab");
}

}  // namespace
}  // namespace dr::lab
