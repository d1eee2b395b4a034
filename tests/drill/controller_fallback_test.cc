// `drctl drill --controller auto` (the default) with a drctl installed alone: no bootstrap beside
// it and no build tree's src/lambda/bootstrap relative to it. The drill must say it falls back to
// the lab controller. The real drctl, copied into an empty directory, runs against a lab
// directory whose state file names no running supervisor: the drill states its controller as
// soon as it can (after reading the lab's state), then refuses at the baseline check, before it
// starts anything, so no lab is needed.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "lab/lab_state.h"
#include "lab/process.h"
#include "lab/temp_dir.h"

namespace dr::drill {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class ControllerFallback : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(bin_);
    fs::copy_file(DRCTL_BINARY, bin_ / "drctl");
    fs::permissions(bin_ / "drctl", fs::perms::owner_all);
    // A lab that was up: its state file, with no write lease, but no supervisor (and no
    // control token) any more.
    lab::LabState state;
    state.phase = "ready";
    state.control_address = "127.0.0.1";
    state.lease_ttl_s = 0;
    fs::create_directories(lab_);
    auto saved = lab::save_lab_state(lab_, state);
    ASSERT_TRUE(saved) << saved.error().describe();
  }

  struct Run {
    int code = -1;
    std::string output;
  };
  Run drill(const std::string& scenario) {
    lab::SpawnOptions spawn;
    spawn.argv = {(bin_ / "drctl").string(), "drill", scenario, "--dir", lab_.string()};
    spawn.log_file = tmp_ / ("drill-" + std::to_string(++runs_) + ".log");
    spawn.die_with_parent = true;
    auto p = lab::Process::spawn(spawn);
    if (!p) return {-1, p.error().describe()};
    auto code = p->wait(60s);
    std::ifstream in(spawn.log_file);
    std::stringstream text;
    text << in.rdbuf();
    return {code.value_or(-1), text.str()};
  }

  dr::testing::TempDir tmp_{"dr-drill-controller"};
  fs::path bin_ = tmp_ / "install" / "bin";
  fs::path lab_ = tmp_ / "lab";
  int runs_ = 0;
};

TEST_F(ControllerFallback, ADrctlWithNoBootstrapBesideItUsesTheLabController) {
  ASSERT_FALSE(fs::exists(bin_ / "bootstrap"));
  ASSERT_FALSE(fs::exists(bin_.parent_path() / "lambda" / "bootstrap"));
  auto run = drill("region-outage");
  EXPECT_NE(run.output.find(
                "drill region-outage: controller lab (auto: no Lambda bootstrap beside drctl or "
                "in its build tree)"),
            std::string::npos)
      << run.output;
  // Refused at the baseline (no supervisor answers), with nothing started.
  EXPECT_EQ(run.code, 2) << run.output;
  EXPECT_NE(run.output.find("not at the drill's baseline"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("starting the witness"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(lab_ / "drills")) << run.output;
}

// The same copy with a bootstrap beside it: the Lambda. The check above is not blind.
TEST_F(ControllerFallback, TheSameDrctlWithABootstrapBesideItUsesTheLambda) {
  {
    std::ofstream bootstrap(bin_ / "bootstrap");
    bootstrap << "#!/bin/sh\nexit 1\n";
  }
  fs::permissions(bin_ / "bootstrap", fs::perms::owner_all);
  auto run = drill("region-outage");
  EXPECT_NE(run.output.find(
                "drill region-outage: controller lambda (auto: the Lambda's bootstrap is at hand)"),
            std::string::npos)
      << run.output;
  EXPECT_EQ(run.code, 2) << run.output;
  EXPECT_FALSE(fs::exists(lab_ / "drills")) << run.output;
}

// A bootstrap that cannot run is no Lambda: auto would pick it and the drill would wait for a
// controller that never settles.
TEST_F(ControllerFallback, ABootstrapThatIsNotExecutableIsNone) {
  {
    std::ofstream bootstrap(bin_ / "bootstrap");
    bootstrap << "#!/bin/sh\nexit 1\n";
  }
  fs::permissions(bin_ / "bootstrap", fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  auto run = drill("region-outage");
  EXPECT_NE(run.output.find("drill region-outage: controller lab (auto: no Lambda bootstrap"),
            std::string::npos)
      << run.output;
}

}  // namespace
}  // namespace dr::drill
