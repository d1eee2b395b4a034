#include "lab/process.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "lab/process_probe.h"
#include "lab/temp_dir.h"
#include "lab/wait.h"

namespace dr::lab {
namespace {

using dr::testing::TempDir;
using namespace std::chrono_literals;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<void> wait_for_text(const std::filesystem::path& path, const std::string& text) {
  return wait_until(text + " in " + path.string(),
                    [&] { return slurp(path).find(text) != std::string::npos; }, {.timeout = 5s});
}

class ProcessTest : public ::testing::Test {
 protected:
  void TearDown() override {
    EXPECT_TRUE(dr::testing::zombie_children().empty()) << "a test left a zombie";
    EXPECT_TRUE(dr::testing::live_children().empty()) << "a test left a child running";
  }

  SpawnOptions shell(const std::string& script) {
    SpawnOptions options;
    options.argv = {"sh", "-c", script};
    options.working_dir = dir_.path();
    options.log_file = dir_ / "child.log";
    options.die_with_parent = true;
    return options;
  }

  TempDir dir_{"dr-process-test"};
};

TEST_F(ProcessTest, RunsTheChildInItsOwnGroupWithItsEnvWorkingDirAndLog) {
  auto options = shell("echo out; echo err >&2; echo \"x=$DR_X\"; pwd; exec sleep 30");
  options.env = {{"DR_X", "42"}};
  auto child = Process::spawn(options);
  ASSERT_TRUE(child) << child.error();
  EXPECT_EQ(::getpgid(child->pid()), child->pid());
  ASSERT_TRUE(wait_for_text(dir_ / "child.log", dir_.path().string() + "\n"));
  const std::string log = slurp(dir_ / "child.log");
  EXPECT_NE(log.find("out\n"), std::string::npos);
  EXPECT_NE(log.find("err\n"), std::string::npos);
  EXPECT_NE(log.find("x=42\n"), std::string::npos);
  EXPECT_TRUE(child->running());
  ASSERT_TRUE(child->stop(2s));
  EXPECT_EQ(child->exit_code(), 128 + SIGTERM);
}

TEST_F(ProcessTest, ReportsTheExitCodeOfAChildThatExitsByItself) {
  auto child = Process::spawn(shell("exit 3"));
  ASSERT_TRUE(child) << child.error();
  ASSERT_TRUE(wait_until("child exits", [&] { return !child->running(); }, {.timeout = 5s}));
  EXPECT_EQ(child->exit_code(), 3);
  EXPECT_FALSE(process_state(child->pid()).has_value()) << "reaped: gone from /proc";
}

TEST_F(ProcessTest, AMissingProgramIsAnErrorAndLeavesNothing) {
  SpawnOptions options;
  options.argv = {"/nonexistent/dr-no-such-binary"};
  auto child = Process::spawn(options);
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().kind, ErrorKind::kNotFound);

  options.argv = {"dr-no-such-binary-on-path"};
  EXPECT_EQ(Process::spawn(options).error().kind, ErrorKind::kNotFound);
}

TEST_F(ProcessTest, AnExecFailureIsReportedBySpawnNotAsAnExitCode) {
  const auto bogus = dir_ / "not-a-program";
  std::ofstream(bogus) << "\x7f"
                       << "ELF garbage";
  ::chmod(bogus.c_str(), 0755);
  SpawnOptions options;
  options.argv = {bogus.string()};
  auto child = Process::spawn(options);
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().kind, ErrorKind::kSpawn);
  EXPECT_NE(child.error().message.find("Exec format error"), std::string::npos) << child.error();
}

TEST_F(ProcessTest, StopEscalatesToSigkillWhenTheChildIgnoresSigterm) {
  auto child = Process::spawn(shell("trap '' TERM; echo ready; exec sleep 30"));
  ASSERT_TRUE(child) << child.error();
  ASSERT_TRUE(wait_for_text(dir_ / "child.log", "ready"));
  ASSERT_TRUE(child->stop(100ms));
  EXPECT_EQ(child->exit_code(), 128 + SIGKILL);
  EXPECT_FALSE(is_alive(child->pid()));
}

TEST_F(ProcessTest, StopLeavesNoGrandchildBehindEvenOneThatIgnoresSigterm) {
  auto child = Process::spawn(
      shell("(trap '' TERM; exec sleep 30) & echo $! > grandchild.pid; echo ready; wait"));
  ASSERT_TRUE(child) << child.error();
  ASSERT_TRUE(wait_for_text(dir_ / "child.log", "ready"));
  const pid_t group = child->pid();
  pid_t grandchild = 0;
  std::ifstream(dir_ / "grandchild.pid") >> grandchild;
  ASSERT_GT(grandchild, 0);
  ASSERT_TRUE(is_alive(grandchild));

  ASSERT_TRUE(child->stop(2s));
  // The grandchild was reparented; whoever reaps it now, it must not be running.
  ASSERT_TRUE(
      wait_until("grandchild gone", [&] { return !is_alive(grandchild); }, {.timeout = 5s}));
  EXPECT_TRUE(dr::testing::members_of_group(group).empty());
}

TEST_F(ProcessTest, DestroyingAProcessKillsAndReapsIt) {
  pid_t pid = 0;
  {
    auto child = Process::spawn(shell("exec sleep 30"));
    ASSERT_TRUE(child) << child.error();
    pid = child->pid();
    ASSERT_TRUE(is_alive(pid));
  }
  EXPECT_FALSE(process_state(pid).has_value());
}

TEST_F(ProcessTest, FreezeStopsTheChildAndThawResumesIt) {
  auto child = Process::spawn(shell("exec sleep 30"));
  ASSERT_TRUE(child) << child.error();
  ASSERT_TRUE(child->freeze());
  ASSERT_TRUE(wait_until("frozen", [&] { return process_state(child->pid()) == 'T'; }));
  ASSERT_TRUE(child->thaw());
  ASSERT_TRUE(wait_until("thawed", [&] { return process_state(child->pid()) != 'T'; }));
  // A frozen child still stops promptly: stop sends SIGCONT along with SIGTERM.
  ASSERT_TRUE(child->freeze());
  ASSERT_TRUE(child->stop(2s));
  EXPECT_EQ(child->exit_code(), 128 + SIGTERM);
}

TEST_F(ProcessTest, ThePidFileNamesTheLiveChildAndIsRemovedWhenItIsReaped) {
  auto options = shell("exec sleep 30");
  options.pid_file = dir_ / "child.pid";
  auto child = Process::spawn(options);
  ASSERT_TRUE(child) << child.error();
  auto record = read_pid_file(dir_ / "child.pid");
  ASSERT_TRUE(record) << record.error();
  EXPECT_EQ(record->pid, child->pid());
  EXPECT_TRUE(is_alive(*record));

  PidRecord recycled = *record;
  recycled.start_time += 1;  // same PID, another process: must not be touched
  EXPECT_FALSE(is_alive(recycled));
  ASSERT_TRUE(stop_pid(recycled, 100ms));
  EXPECT_TRUE(child->running());

  ASSERT_TRUE(child->stop(2s));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "child.pid"));
  EXPECT_FALSE(is_alive(*record));
}

TEST_F(ProcessTest, StopPidStopsAProcessKnownOnlyByItsPidFile) {
  auto options = shell("exec sleep 30");
  options.pid_file = dir_ / "child.pid";
  auto child = Process::spawn(options);
  ASSERT_TRUE(child) << child.error();
  const pid_t pid = child->release();  // as if a previous `lab up` had started it
  auto record = read_pid_file(dir_ / "child.pid");
  ASSERT_TRUE(record) << record.error();
  ASSERT_TRUE(stop_pid(*record, 2s));
  EXPECT_FALSE(process_state(pid).has_value()) << "our child, so stop_pid reaped it";
}

// The child may die between stop_pid's two looks at it (reap, then check): that must still
// reap it. One try rarely hits the window, so this tries many; it failed under ASan in CI.
TEST_F(ProcessTest, StopPidReapsAChildThatDiesWhileItLooks) {
  for (int i = 0; i < 150; ++i) {
    auto options = shell("exec sleep 30");
    options.pid_file = dir_ / "child.pid";
    auto child = Process::spawn(options);
    ASSERT_TRUE(child) << child.error();
    const pid_t pid = child->release();
    auto record = read_pid_file(dir_ / "child.pid");
    ASSERT_TRUE(record) << record.error();
    ASSERT_TRUE(stop_pid(*record, 2s));
    ASSERT_FALSE(process_state(pid).has_value()) << "try " << i << " left a zombie";
  }
}

TEST_F(ProcessTest, OnSpawnGetsThePidOfTheRunningChildBeforeSpawnReturns) {
  auto options = shell("exec sleep 30");
  options.pid_file = dir_ / "child.pid";
  std::optional<PidRecord> seen;
  bool pid_file_written = false;
  options.on_spawn = [&](const PidRecord& r) {
    seen = r;
    pid_file_written = std::filesystem::exists(dir_ / "child.pid");
  };
  auto child = Process::spawn(options);
  ASSERT_TRUE(child) << child.error();
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->pid, child->pid());
  EXPECT_TRUE(is_alive(*seen)) << "the record names the child, start time included";
  EXPECT_TRUE(pid_file_written);

  bool called = false;
  SpawnOptions missing;
  missing.argv = {"/nonexistent/program"};
  missing.on_spawn = [&](const PidRecord&) { called = true; };
  EXPECT_FALSE(Process::spawn(missing));
  EXPECT_FALSE(called) << "nothing ran, so nothing to record";
}

// How `lab down` checks that nothing is left: by program name and by the directory a process
// runs in or names, not by any record.
TEST_F(ProcessTest, ChildrenNamedFindsTheChildrenOfAParentByCommEvenWithParenthesesInIt) {
  // A comm with a space and parentheses: /proc/<pid>/stat's fields count from the last ')'.
  const auto program = dir_ / "sl (e) p";
  std::filesystem::copy_file("/bin/sleep", program);
  SpawnOptions options;
  options.argv = {program.string(), "30"};
  options.log_file = dir_ / "child.log";
  options.die_with_parent = true;
  auto child = Process::spawn(options);
  ASSERT_TRUE(child) << child.error();
  // spawn returns once the child runs, but it may not have exec'd the new comm yet.
  ASSERT_TRUE(wait_until("the child to be named after its program",
                         [&] { return !children_named(::getpid(), "sl (e) p").empty(); },
                         {.timeout = 5s}));
  EXPECT_EQ(children_named(::getpid(), "sl (e) p"), std::vector<pid_t>{child->pid()});
  EXPECT_TRUE(children_named(::getpid(), "sl (e)").empty()) << "the whole comm, not a prefix";
  EXPECT_TRUE(children_named(child->pid(), "sl (e) p").empty()) << "its parent, not itself";
  ASSERT_TRUE(child->stop(2s));
  EXPECT_TRUE(children_named(::getpid(), "sl (e) p").empty()) << "a reaped child is gone";
}

TEST_F(ProcessTest, ProcessesUnderFindsTheLabsServersByDirectoryAndProgram) {
  const auto lab = dir_ / "lab";
  const auto other = dir_ / "lab2";  // a sibling whose name starts the same: not ours
  std::filesystem::create_directories(lab / "a1");
  std::filesystem::create_directories(other);
  // comm is the name the program was exec'd under: "mariadbd", as far as /proc can tell (a shell
  // that waits for its sleep, so that it can take any arguments).
  std::filesystem::create_symlink("/bin/sh", dir_ / "mariadbd");
  auto server = [&](const std::filesystem::path& cwd, std::vector<std::string> args) {
    SpawnOptions o;
    o.argv = {(dir_ / "mariadbd").string(), "-c", "sleep 30; true"};
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.working_dir = cwd;
    o.die_with_parent = true;
    return Process::spawn(o);
  };
  auto in_lab = server(lab / "a1", {});
  auto names_lab = server(dir_.path(), {(lab / "a1" / "my.cnf").string()});
  auto in_other = server(other, {(other / "x").string()});
  auto plain = shell("exec sleep 30");  // "sleep": not a server, even in the lab directory
  plain.working_dir = lab;
  auto not_a_server = Process::spawn(plain);
  ASSERT_TRUE(in_lab && names_lab && in_other && not_a_server);

  // A shell forks before it execs sleep: for that moment the child is a "mariadbd" in the lab too
  // (a real one, as /proc sees it). Look again, within a deadline, until the forks have exec'd.
  const std::set<pid_t> expected{in_lab->pid(), names_lab->pid()};
  std::set<pid_t> found;
  auto settled = wait_until("only the two lab servers to be found", [&] {
    found.clear();
    for (const auto& p : processes_under(lab, {"mariadbd", "haproxy"})) {
      EXPECT_EQ(p.program, "mariadbd");
      found.insert(p.pid.pid);
    }
    return found == expected;
  });
  EXPECT_TRUE(settled) << settled.error().describe();
  EXPECT_EQ(found, expected);

  ASSERT_TRUE(in_lab->stop(2s));
  ASSERT_TRUE(names_lab->stop(2s));
  EXPECT_TRUE(processes_under(lab, {"mariadbd"}).empty());
  ASSERT_TRUE(in_other->stop(2s));
  ASSERT_TRUE(not_a_server->stop(2s));
}

}  // namespace
}  // namespace dr::lab
