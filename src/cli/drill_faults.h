// The faults the drills inject themselves rather than through the lab's control API: a blip (the
// writer frozen with SIGSTOP) and a network cut (src/lab/partition.h). Each is undone on every way
// out of the drill, including the ones no destructor sees: SIGKILL, Ctrl-C, a kill of the drill's
// process group. A guard process of its own, outside that group, undoes the fault if drctl dies.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "lab/partition.h"
#include "lab/process.h"

namespace dr::cli {

// The writer frozen for `length`, then resumed. The guard process sleeps and resumes it; the
// destructor resumes it too when the drill unwinds early.
class Blip {
 public:
  static std::expected<std::unique_ptr<Blip>, std::string> start(const lab::PidRecord& target,
                                                                 std::chrono::milliseconds length);
  Blip(const Blip&) = delete;
  Blip& operator=(const Blip&) = delete;
  ~Blip();
  // Waits for the end of the blip; an error when the writer could not be stopped or resumed.
  std::expected<void, std::string> wait();

 private:
  Blip(pid_t target, pid_t child) : target_(target), child_(child) {}
  pid_t target_;
  pid_t child_;
};

// A network cut from the fault to the end of the workload.
struct Cut {
  lab::Site region;
  std::vector<lab::Site> from;  // empty: every other site
};

// "us-east-1 cut off from every other site"
std::string describe_cut(const Cut& c);

// A drill's cut: the lab's own nft table, recorded as the lab's (so `drctl lab down` heals it and
// `drctl lab status` shows it) and healed however the drill ends: by heal(), by the destructor,
// or by the guard process when drctl dies without either.
class DrillCut {
 public:
  explicit DrillCut(std::filesystem::path dir);
  DrillCut(const DrillCut&) = delete;
  DrillCut& operator=(const DrillCut&) = delete;
  ~DrillCut();
  std::expected<lab::CutResult, std::string> cut(const Cut& c, const std::string& by);
  std::expected<void, std::string> heal();

 private:
  std::expected<void, std::string> start_guard();
  void release_guard();

  std::filesystem::path dir_;
  lab::ScopedPartition scope_;
  pid_t guard_ = -1;
  int guard_pipe_ = -1;  // its write end: a byte says "healed"; EOF (drctl died) says "heal"
};

}  // namespace dr::cli
