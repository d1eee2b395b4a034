#include "cli/drill_faults.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "lab/partition_record.h"

namespace dr::cli {

namespace {

// In a guard process, right after fork(): out of drctl's session and process group (a Ctrl-C or
// a kill of the group must not reach it) and deaf to the terminating signals it could still get.
// Async-signal-safe calls only: drctl's threads were running when it forked.
void detach_guard() {
  (void)::setsid();
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  for (int signo : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE})
    (void)::sigaction(signo, &ignore, nullptr);
}

int wait_child(pid_t pid) {
  int status = 0;
  pid_t r;
  while ((r = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  if (r < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// nft's full path, looked up before any fork (execvp's PATH search is not async-signal-safe).
std::string find_nft() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
  dirs += ":/usr/sbin:/sbin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/nft";
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

}  // namespace

std::expected<std::unique_ptr<Blip>, std::string> Blip::start(const lab::PidRecord& target,
                                                              std::chrono::milliseconds length) {
  // The recorded PID, checked against its start time: never a stranger that reused the number.
  if (target.pid <= 0 || !lab::is_alive(target))
    return std::unexpected("the writer (pid " + std::to_string(target.pid) + ") is not running");
  const timespec pause{static_cast<time_t>(length.count() / 1000),
                       static_cast<long>(length.count() % 1000) * 1'000'000};
  const pid_t child = ::fork();
  if (child < 0) return std::unexpected(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    detach_guard();
    if (::kill(target.pid, SIGSTOP) != 0) ::_exit(1);
    timespec left = pause;
    while (::clock_nanosleep(CLOCK_MONOTONIC, 0, &left, &left) == EINTR) {
    }
    ::_exit(::kill(target.pid, SIGCONT) == 0 ? 0 : 2);
  }
  return std::unique_ptr<Blip>(new Blip(target.pid, child));
}

Blip::~Blip() {
  if (child_ > 0) {
    ::kill(child_, SIGKILL);
    (void)wait();
  }
  ::kill(target_, SIGCONT);  // idempotent: a running process ignores it
}

std::expected<void, std::string> Blip::wait() {
  const int code = wait_child(child_);
  child_ = -1;
  if (code == 0) return {};
  if (code == 1) return std::unexpected("cannot SIGSTOP pid " + std::to_string(target_));
  return std::unexpected("cannot SIGCONT pid " + std::to_string(target_) +
                         " (the blip was cut short or the writer died)");
}

std::string describe_cut(const Cut& c) {
  std::string from;
  for (lab::Site s : c.from) from += (from.empty() ? "" : ", ") + std::string(lab::site_name(s));
  return std::string(lab::site_name(c.region)) + " cut off from " +
         (from.empty() ? std::string("every other site") : from);
}

DrillCut::DrillCut(std::filesystem::path dir)
    : dir_(std::move(dir)), scope_(std::string(lab::kPartitionTable)) {}

DrillCut::~DrillCut() {
  (void)heal();
  release_guard();
}

std::expected<void, std::string> DrillCut::start_guard() {
  const std::string nft = find_nft();
  if (nft.empty()) return std::unexpected("nft is not on PATH");
  // Everything the guard needs is built before the fork.
  const std::string table(scope_.table());
  const std::string record = lab::partition_record_file(dir_).string();
  const char* argv[] = {nft.c_str(), "delete", "table", "inet", table.c_str(), nullptr};
  const char* envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", nullptr};
  int fds[2];
  // O_CLOEXEC: the processes drctl starts later (controller, witness) must not hold the write end,
  // or drctl's death would not reach the guard.
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return std::unexpected(std::string("pipe: ") + std::strerror(errno));
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return std::unexpected(std::string("fork: ") + std::strerror(errno));
  }
  if (child == 0) {
    detach_guard();
    ::close(fds[1]);
    char byte = 0;
    ssize_t n;
    while ((n = ::read(fds[0], &byte, 1)) < 0 && errno == EINTR) {
    }
    if (n == 1) ::_exit(0);  // healed by the drill itself
    // EOF: drctl died with its cut on.
    const pid_t nft_pid = ::fork();
    if (nft_pid == 0) {
      ::execve(argv[0], const_cast<char* const*>(argv), const_cast<char* const*>(envp));
      ::_exit(127);
    }
    if (nft_pid > 0 && wait_child(nft_pid) == 0) (void)::unlink(record.c_str());
    ::_exit(0);
  }
  ::close(fds[0]);
  guard_ = child;
  guard_pipe_ = fds[1];
  return {};
}

void DrillCut::release_guard() {
  if (guard_pipe_ >= 0) {
    const char healed = 1;
    (void)!::write(guard_pipe_, &healed, 1);
    ::close(guard_pipe_);
    guard_pipe_ = -1;
  }
  if (guard_ > 0) {
    (void)wait_child(guard_);
    guard_ = -1;
  }
}

std::expected<lab::CutResult, std::string> DrillCut::cut(const Cut& c, const std::string& by) {
  // Recorded first: a drill killed between the two still leaves `lab down` something to heal.
  lab::PartitionRecord record{std::string(scope_.table()), c.region, c.from, by};
  if (record.from.empty())
    for (lab::Site s : {lab::Site::kUsEast1, lab::Site::kUsWest2, lab::Site::kGlobal})
      if (s != c.region) record.from.push_back(s);
  if (auto r = lab::record_partition(dir_, record); !r) return std::unexpected(r.error().message);
  if (auto g = start_guard(); !g) return std::unexpected("cannot guard the cut: " + g.error());
  auto done = scope_.cut(c.region, c.from);
  if (!done) return std::unexpected(done.error().message);
  return *done;
}

std::expected<void, std::string> DrillCut::heal() {
  auto healed = scope_.heal();
  if (!healed) return std::unexpected(healed.error().message);
  lab::forget_partition(dir_);
  release_guard();
  return {};
}

}  // namespace dr::cli
