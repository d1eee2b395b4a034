// What /proc says about our children: used to prove that the lab leaves no zombies and no
// stray processes behind.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace dr::testing {

struct ProcInfo {
  pid_t pid = 0;
  char state = '?';
  pid_t ppid = 0;
  pid_t pgrp = 0;
};

inline std::vector<ProcInfo> all_processes() {
  std::vector<ProcInfo> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string line;
    if (!std::getline(in, line)) continue;
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    ProcInfo info;
    info.pid = static_cast<pid_t>(std::stol(name));
    rest >> info.state >> info.ppid >> info.pgrp;
    out.push_back(info);
  }
  return out;
}

inline std::vector<pid_t> zombie_children() {
  std::vector<pid_t> out;
  for (const auto& p : all_processes()) {
    if (p.ppid == ::getpid() && p.state == 'Z') out.push_back(p.pid);
  }
  return out;
}

inline std::vector<pid_t> live_children() {
  std::vector<pid_t> out;
  for (const auto& p : all_processes()) {
    if (p.ppid == ::getpid() && p.state != 'Z') out.push_back(p.pid);
  }
  return out;
}

inline std::vector<pid_t> members_of_group(pid_t pgrp) {
  std::vector<pid_t> out;
  for (const auto& p : all_processes()) {
    if (p.pgrp == pgrp && p.state != 'Z') out.push_back(p.pid);
  }
  return out;
}

}  // namespace dr::testing
