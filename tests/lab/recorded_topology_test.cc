#include "lab/recorded_topology.h"

#include <gtest/gtest.h>

#include "lab/temp_dir.h"

namespace dr::lab {
namespace {

RecordedTopology sample() {
  RecordedTopology t;
  t.writer = "b1";
  t.endpoints = {{"us-east-1", {{"writer", "b1"}, {"reader", "a2"}}},
                 {"us-west-2", {{"writer", "b1"}, {"reader", "b1"}}}};
  t.front_door_override = "us-west-2";
  t.fleets = {{"us-east-1", {0, 0, 4}}, {"us-west-2", {1, 2, 4}}};
  t.fenced_regions = {"us-east-1"};
  return t;
}

TEST(RecordedTopology, RoundTripsThroughItsFile) {
  dr::testing::TempDir dir("dr-topology");
  EXPECT_EQ(load_recorded_topology(dir.path()).error().kind, ErrorKind::kNotFound);
  ASSERT_TRUE(save_recorded_topology(dir.path(), sample()));
  auto loaded = load_recorded_topology(dir.path());
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(*loaded, sample());
  RecordedTopology no_override = sample();
  no_override.front_door_override.reset();
  auto parsed = parse_recorded_topology(to_json_text(no_override));
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(*parsed, no_override);
}

TEST(RecordedTopology, RejectsWhatItCannotTrustNamingTheField) {
  const struct {
    const char* text;
    const char* names;
  } cases[] = {
      {"", "not a JSON object"},
      {"[1]", "not a JSON object"},
      {R"({"writer": "b1", "endpoints": {)", "not a JSON object"},  // truncated
      {R"({"endpoints": {}})", "\"writer\""},
      {R"({"writer": "", "endpoints": {}})", "\"writer\""},
      {R"({"writer": 3, "endpoints": {}})", "\"writer\""},
      {R"({"writer": "b1"})", "\"endpoints\""},
      {R"({"writer": "b1", "endpoints": {"us-east-1": "b1"}})", "\"endpoints\".us-east-1"},
      {R"({"writer": "b1", "endpoints": {"us-east-1": {"writer": 1}}})",
       "\"endpoints\".us-east-1.writer"},
      {R"({"writer": "b1", "endpoints": {}, "front_door_override": 7})", "front_door_override"},
      {R"({"writer": "b1", "endpoints": {}, "fleets": []})", "\"fleets\""},
      {R"({"writer": "b1", "endpoints": {}, "fenced_regions": "us-east-1"})", "fenced_regions"},
      {R"({"writer": "b1", "endpoints": {}, "fenced_regions": [1]})", "fenced_regions"},
      {R"({"writer": "b1", "endpoints": {}, "fleets": {"r": {"min": 1, "desired": 1}}})",
       "\"fleets\".r.max"},
      {R"({"writer": "b1", "endpoints": {}, "fleets": {"r": {"min": 1, "desired": 1.5, "max": 2}}})",
       "\"fleets\".r.desired"},
      {R"({"writer": "b1", "endpoints": {}, "fleets": {"r": {"min": 2, "desired": 1, "max": 4}}})",
       "min <= desired <= max"},
      {R"({"writer": "b1", "endpoints": {}, "fleets": {"r": {"min": -1, "desired": 1, "max": 4}}})",
       "min <= desired <= max"},
      {R"({"writer": "b1", "endpoints": {}, "fleets": {"r": {"min": 0, "desired": 0, "max": 99999999999}}})",
       "\"fleets\".r.max"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_recorded_topology(c.text);
    ASSERT_FALSE(parsed) << c.text;
    EXPECT_NE(parsed.error().message.find(c.names), std::string::npos)
        << c.text << " -> " << parsed.error().message;
  }
}

}  // namespace
}  // namespace dr::lab
