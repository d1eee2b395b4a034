#include "lambda/handler.h"

#include <gtest/gtest.h>

#include <set>

#include "lambda/emf.h"
#include "lambda/event.h"

namespace dr::lambda {
namespace {

const std::string kScheduled =
    R"({"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event",)"
    R"("source":"aws.events","account":"123456789012","time":"2026-12-02T19:00:00Z",)"
    R"("region":"us-west-2","resources":["arn:aws:events:us-west-2:123456789012:rule/t"],"detail":{}})";

// The Embedded Metric Format as its specification states it (CloudWatch user guide,
// "Specification: Embedded metric format"): the problems found, none when valid.
std::vector<std::string> emf_problems(const nlohmann::json& root) {
  static const std::set<std::string> units = {"Seconds",
                                              "Microseconds",
                                              "Milliseconds",
                                              "Bytes",
                                              "Kilobytes",
                                              "Megabytes",
                                              "Gigabytes",
                                              "Terabytes",
                                              "Bits",
                                              "Kilobits",
                                              "Megabits",
                                              "Gigabits",
                                              "Terabits",
                                              "Percent",
                                              "Count",
                                              "Bytes/Second",
                                              "Kilobytes/Second",
                                              "Megabytes/Second",
                                              "Gigabytes/Second",
                                              "Terabytes/Second",
                                              "Bits/Second",
                                              "Kilobits/Second",
                                              "Megabits/Second",
                                              "Gigabits/Second",
                                              "Terabits/Second",
                                              "Count/Second",
                                              "None"};
  std::vector<std::string> p;
  if (!root.is_object()) return {"root is not an object"};
  if (!root.contains("_aws") || !root["_aws"].is_object()) return {"no _aws object"};
  const auto& aws = root["_aws"];
  for (const auto& [k, v] : aws.items())
    if (k != "Timestamp" && k != "CloudWatchMetrics") p.push_back("_aws has " + k);
  if (!aws.contains("Timestamp") || !aws["Timestamp"].is_number_integer() ||
      aws["Timestamp"].get<int64_t>() < 1'000'000'000'000)
    p.push_back("Timestamp is not epoch milliseconds");
  if (!aws.contains("CloudWatchMetrics") || !aws["CloudWatchMetrics"].is_array())
    return p.push_back("CloudWatchMetrics is not an array"), p;
  for (const auto& d : aws["CloudWatchMetrics"]) {
    for (const auto& [k, v] : d.items())
      if (k != "Namespace" && k != "Dimensions" && k != "Metrics")
        p.push_back("directive has " + k);
    if (!d.contains("Namespace") || !d["Namespace"].is_string() ||
        d["Namespace"].get<std::string>().empty() || d["Namespace"].get<std::string>().size() > 255)
      p.push_back("bad Namespace");
    if (!d.contains("Dimensions") || !d["Dimensions"].is_array()) {
      p.push_back("Dimensions is not an array");
    } else {
      for (const auto& set : d["Dimensions"]) {
        if (!set.is_array() || set.size() > 30) p.push_back("bad DimensionSet");
        for (const auto& name : set)
          if (!name.is_string() || !root.contains(name.get<std::string>()) ||
              !root[name.get<std::string>()].is_string())
            p.push_back("dimension without a string root member");
      }
    }
    if (!d.contains("Metrics") || !d["Metrics"].is_array() || d["Metrics"].size() > 100) {
      p.push_back("bad Metrics");
      continue;
    }
    for (const auto& m : d["Metrics"]) {
      for (const auto& [k, v] : m.items())
        if (k != "Name" && k != "Unit" && k != "StorageResolution")
          p.push_back("metric definition has " + k);
      if (!m.contains("Name") || !m["Name"].is_string()) {
        p.push_back("metric without Name");
        continue;
      }
      auto name = m["Name"].get<std::string>();
      if (m.contains("Unit") && !units.contains(m["Unit"].get<std::string>()))
        p.push_back(name + ": unit " + m["Unit"].dump());
      if (!root.contains(name)) {
        p.push_back(name + ": no root member");
        continue;
      }
      const auto& v = root[name];
      bool ok = v.is_number() ||
                (v.is_array() && !v.empty() && v.size() <= 100 &&
                 std::all_of(v.begin(), v.end(), [](const auto& x) { return x.is_number(); }));
      if (!ok) p.push_back(name + ": value is not a number or an array of 1-100 numbers");
    }
  }
  return p;
}

TEST(LambdaEmf, LineFollowsTheSpecification) {
  std::vector<double> many(150, 2.0);
  auto line = emf_line(
      {{"level", "INFO"}, {"message", "m"}}, {{"Region", "us-west-2"}},
      {{"Ticks", "Count", {3}}, {"TickDuration", "Milliseconds", many}, {"Empty", "Count", {}}},
      1764702000123);
  EXPECT_EQ(emf_problems(line), std::vector<std::string>{}) << line.dump();
  EXPECT_EQ(line["_aws"]["Timestamp"], 1764702000123);
  EXPECT_EQ(line["_aws"]["CloudWatchMetrics"][0]["Namespace"], kMetricNamespace);
  EXPECT_EQ(line["Ticks"], 3.0);
  EXPECT_EQ(line["TickDuration"].size(), 100u);  // EMF's limit per metric
  EXPECT_FALSE(line.contains("Empty"));
  EXPECT_EQ(line["Region"], "us-west-2");
  // One line, whatever the message holds (a newline, a byte that is not UTF-8).
  auto text = to_line(emf_line({{"message", std::string("a\nb\xff")}}, {}, {}, 1));
  EXPECT_EQ(text.find('\n'), std::string::npos);
}

TEST(LambdaEmf, ValidatorCatchesWhatTheSpecForbids) {
  auto line = emf_line({}, {{"Region", "r"}}, {{"Ticks", "Count", {1}}}, 1764702000123);
  auto broken = line;
  broken["Ticks"] = "one";
  EXPECT_FALSE(emf_problems(broken).empty());
  broken = line;
  broken.erase("Region");
  EXPECT_FALSE(emf_problems(broken).empty());
  broken = line;
  broken["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] = "Millis";
  EXPECT_FALSE(emf_problems(broken).empty());
}

TEST(LambdaEvent, AcceptsTheScheduledEvent) {
  auto e = parse_scheduled_event(kScheduled);
  ASSERT_TRUE(e) << e.error();
  EXPECT_EQ(e->id, "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa");
  EXPECT_EQ(e->time, "2026-12-02T19:00:00Z");
}

TEST(LambdaEvent, RefusesEverythingElseWithAReason) {
  const std::vector<std::string> bad = {
      "",
      "not json",
      "[1,2]",
      "\"Scheduled Event\"",
      R"({"source":"aws.s3","detail-type":"Object Created","id":"x","time":"t"})",
      R"({"source":"aws.events","detail-type":"Scheduled Event","time":"t"})",
      R"({"source":"aws.events","detail-type":"Scheduled Event","id":7,"time":"t"})",
      // Otherwise valid: only the depth (or, below, the size) is wrong.
      R"({"source":"aws.events","detail-type":"Scheduled Event","id":"x","time":"t","detail":)" +
          std::string(100000, '[') + std::string(100000, ']') + "}",
      R"({"source":"aws.events","detail-type":"Scheduled Event","id":"x","time":"t","p":")" +
          std::string(kMaxEventBytes, 'a') + "\"}",
  };
  for (const auto& body : bad) {
    auto e = parse_scheduled_event(body);
    EXPECT_FALSE(e) << body.substr(0, 80);
    if (!e) {
      EXPECT_FALSE(e.error().empty());
    }
  }
  // Brackets inside strings are not nesting.
  auto quoted = kScheduled;
  quoted.insert(quoted.size() - 1, R"(,"note":")" + std::string(100, '[') + "\"");
  EXPECT_TRUE(parse_scheduled_event(quoted));
}

// A fake clock: sleeping advances it, and each tick takes `tick_ms`.
struct FakeTime {
  int64_t now = 1'764'702'000'000;
  int64_t tick_ms = 50;
  std::vector<int64_t> sleeps;
  std::vector<std::string> lines;
  HandlerEnv env() {
    return {[this] { return now; },
            [this](std::chrono::milliseconds d) {
              sleeps.push_back(d.count());
              now += d.count();
            },
            [this](const std::string& l) { lines.push_back(l); }};
  }
};

Invocation invocation(int64_t deadline_ms, std::string body = kScheduled) {
  return {"8476a536-e9f4-11e8-9739-2dfe598c3fcd", deadline_ms, "Root=1-abc", "arn:f",
          std::move(body)};
}

TEST(LambdaHandler, TicksEveryIntervalUntilTheDeadlineMinusTheMargin) {
  FakeTime t;
  std::vector<int64_t> tick_times;
  Handler h(
      [&]() -> std::expected<TickOutcome, std::string> {
        tick_times.push_back(t.now);
        t.now += t.tick_ms;
        return TickOutcome{"none", "primary healthy", {{"PrimaryAppHealthy", "Count", {1, 1}}}};
      },
      {std::chrono::seconds(10), std::chrono::seconds(5), {{"Region", "us-west-2"}}}, t.env());
  const int64_t start = t.now;
  auto r = h.handle(invocation(start + 55'000));
  ASSERT_TRUE(r) << r.error().message;
  // Ticks at 0, 10, 20, 30, 40 s; one at 50 s would start inside the 5 s margin.
  ASSERT_EQ(tick_times.size(), 5u);
  for (size_t i = 0; i < tick_times.size(); ++i)
    EXPECT_EQ(tick_times[i], start + static_cast<int64_t>(i) * 10'000);
  EXPECT_LE(t.now, start + 50'000);
  auto body = nlohmann::json::parse(*r);
  EXPECT_EQ(body["ticks"], 5);
  EXPECT_EQ(body["decision"], "none: primary healthy");
  // One decision line (no change after the first tick) and the invocation's summary.
  ASSERT_EQ(t.lines.size(), 2u);
  auto decision = nlohmann::json::parse(t.lines[0]);
  EXPECT_EQ(decision["action"], "none");
  EXPECT_EQ(decision["reason"], "primary healthy");
  EXPECT_EQ(decision["DecisionChanges"], 1.0);
  EXPECT_EQ(emf_problems(decision), std::vector<std::string>{});
  auto summary = nlohmann::json::parse(t.lines[1]);
  EXPECT_EQ(emf_problems(summary), std::vector<std::string>{});
  EXPECT_EQ(summary["Ticks"], 5.0);
  EXPECT_EQ(summary["TickDuration"].size(), 5u);
  EXPECT_EQ(summary["PrimaryAppHealthy"].size(), 10u);
  // A warm environment's next invocation logs no decision line while nothing changes.
  t.lines.clear();
  ASSERT_TRUE(h.handle(invocation(t.now + 12'000)));
  EXPECT_EQ(t.lines.size(), 1u);
}

TEST(LambdaHandler, LogsEachChangeOfDecision) {
  FakeTime t;
  int n = 0;
  Handler h(
      [&]() -> std::expected<TickOutcome, std::string> {
        ++n;
        if (n == 2) return std::unexpected(std::string("observe: timeout"));
        if (n == 3) throw std::runtime_error("boom");
        return TickOutcome{n < 4 ? "none" : "wait", n < 4 ? "healthy" : "evidence pending", {}};
      },
      {std::chrono::seconds(1), std::chrono::seconds(1), {}}, t.env());
  auto r = h.handle(invocation(t.now + 5'500));
  ASSERT_TRUE(r);
  EXPECT_EQ(n, 5);  // ticks at 0..4 s; 5 s is inside the margin
  std::vector<std::string> messages;
  for (const auto& l : t.lines) messages.push_back(nlohmann::json::parse(l)["message"]);
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "decision none: healthy", "tick failed: observe: timeout",
                          "tick failed: exception: boom", "decision wait: evidence pending",
                          "invocation done: 5 ticks"}));
  EXPECT_EQ(nlohmann::json::parse(t.lines.back())["TickFailures"], 2.0);
}

TEST(LambdaHandler, DeadlineAlmostReachedRunsNoTickAndAnswers) {
  FakeTime t;
  int ticks = 0;
  Handler h(
      [&]() -> std::expected<TickOutcome, std::string> {
        ++ticks;
        return TickOutcome{"none", "x", {}};
      },
      {std::chrono::seconds(10), std::chrono::seconds(5), {}}, t.env());
  auto r = h.handle(invocation(t.now + 4'000));
  ASSERT_TRUE(r);
  EXPECT_EQ(ticks, 0);
  EXPECT_TRUE(t.sleeps.empty());
  EXPECT_EQ(nlohmann::json::parse(*r)["ticks"], 0);
}

TEST(LambdaHandler, MalformedEventIsAnErrorNotATick) {
  FakeTime t;
  int ticks = 0;
  Handler h(
      [&]() -> std::expected<TickOutcome, std::string> {
        ++ticks;
        return TickOutcome{"none", "x", {}};
      },
      {}, t.env());
  auto r = h.handle(invocation(t.now + 55'000, "{\"source\":"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type, "Runtime.InvalidEvent");
  EXPECT_EQ(r.error().message, "event is not JSON");
  EXPECT_EQ(ticks, 0);
  auto err = nlohmann::json::parse(r.error().to_json());
  EXPECT_EQ(err["errorType"], "Runtime.InvalidEvent");
  EXPECT_EQ(err["errorMessage"], "event is not JSON");
}

}  // namespace
}  // namespace dr::lambda
