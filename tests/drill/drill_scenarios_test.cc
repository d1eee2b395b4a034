// Every drill scenario end to end at a short duration, each on a fresh lab: `drctl lab up`,
// `drctl drill <scenario>` (workload, fault, the controller and witness acting, read-back,
// promises), `drctl lab down`. Asserts the scenario's promises from the JSON report.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "lab/lab_state.h"
#include "lab/mariadb_helpers.h"
#include "lab/process.h"
#include "lab/temp_dir.h"

namespace dr::drill {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class DrillScenario : public ::testing::TestWithParam<std::string> {
 protected:
  int drctl(std::vector<std::string> args, const std::string& log_name,
            std::chrono::milliseconds timeout = 180s) {
    lab::SpawnOptions spawn;
    spawn.argv = {DRCTL_BINARY};
    spawn.argv.insert(spawn.argv.end(), args.begin(), args.end());
    spawn.argv.insert(spawn.argv.end(), {"--dir", dir_.string()});
    spawn.env = {{"DR_APP_BINARY", DR_APP_BINARY},
                 {"DR_MARIADB_TEMPLATE", dr::testing::shared_datadir_template().string()}};
    spawn.log_file = tmp_ / log_name;
    spawn.die_with_parent = true;
    auto p = lab::Process::spawn(spawn);
    if (!p) return -1;
    return p->wait(timeout).value_or(-1);
  }

  std::string log(const std::string& name) {
    std::ifstream in(tmp_ / name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  void TearDown() override {
    auto state = lab::load_lab_state(dir_);
    (void)drctl({"lab", "down"}, "down.log");
    // Whatever the lab recorded must be gone, even if `down` failed.
    if (state) {
      (void)lab::stop_pid(state->supervisor, 2s);
      for (const auto& c : state->components)
        if (c.pid.pid != 0) (void)lab::stop_pid(c.pid, 2s);
    }
  }

  dr::testing::TempDir tmp_{"dr-drill-scenario"};
  std::filesystem::path dir_ = tmp_ / "lab";
};

TEST_P(DrillScenario, KeepsItsPromises) {
  const std::string scenario = GetParam();
  ASSERT_EQ(drctl({"lab", "up"}, "up.log"), 0) << log("up.log");
  const auto report_path = tmp_ / "report.json";
  int code = drctl({"drill", scenario, "--duration-s", "8", "--fault-at-s", "2.5", "--json",
                    report_path.string(), "--html", (tmp_ / "report.html").string()},
                   "drill.log");
  std::string output = log("drill.log");
  std::ifstream in(report_path);
  ASSERT_TRUE(in) << "no report; drill exited " << code << ":\n" << output;
  json report = json::parse(in, nullptr, false);
  ASSERT_TRUE(report.is_object()) << output;
  EXPECT_EQ(code, 0) << output;
  EXPECT_EQ(report["scenario"], scenario);
  EXPECT_TRUE(report["passed"].get<bool>()) << report.dump(2);
  EXPECT_EQ(report["split_brain_writes"], 0) << output;
  EXPECT_GT(report["acked"].get<int>(), 0) << output;
  ASSERT_FALSE(report["rto_ms"].is_null()) << "writes never came back:\n" << output;
  if (scenario != "region-outage" && scenario != "db-outage") {
    EXPECT_EQ(report["lost_acked"], 0) << output;
  }
  EXPECT_TRUE(std::filesystem::exists(tmp_ / "report.html"));
}

INSTANTIATE_TEST_SUITE_P(AllScenarios, DrillScenario,
                         ::testing::Values("az-outage", "db-outage", "app-region-outage",
                                           "region-outage", "switchover", "controller-crash"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace dr::drill
