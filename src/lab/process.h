// Supervision of the lab's child processes (mariadbd, haproxy, java, dr-app). Each child runs in
// its own process group so that a stop or a freeze reaches everything it started, its output goes
// to a log file an operator can read, and it is always reaped: no zombies, no leftovers.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lab/clock.h"
#include "lab/error.h"

namespace dr::lab {

// A PID alone can be recycled by the kernel; the start time (clock ticks since boot, from
// /proc/<pid>/stat) tells whether the PID still names the process that wrote the file.
struct PidRecord {
  pid_t pid = 0;
  std::uint64_t start_time = 0;
};

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0]: a path, or a program name looked up in PATH
  std::vector<std::pair<std::string, std::string>> env;  // added to (or overriding) ours
  std::filesystem::path working_dir;                     // empty: inherit ours
  std::filesystem::path log_file;  // stdout and stderr are appended here; empty: /dev/null
  std::filesystem::path pid_file;  // written once the exec succeeded; removed when reaped
  // The kernel SIGKILLs the child when the spawning thread dies: for tests, so that even a
  // crashed test binary leaves nothing running. Not for a lab that must outlive `drctl lab up`.
  bool die_with_parent = false;
  // Start from an empty environment rather than ours: `env` is all the child sees (a Lambda's
  // runtime gets only what Lambda sets, not the launching shell's variables).
  bool clear_env = false;
  // Called once the exec succeeded and the PID file is written, before spawn() returns and
  // before the caller waits for anything: a supervisor records the PID at once, so that no
  // later failure or crash of its own can leave the child running unrecorded.
  std::function<void(const PidRecord&)> on_spawn;
};

// Owns one child process. Destroying a Process that still runs kills its whole group (SIGKILL)
// and reaps it, so an early return or a failed test assertion cannot leak servers.
class Process {
 public:
  // Fails (and leaves nothing running) when the program cannot be found or exec'd.
  static Result<Process> spawn(SpawnOptions options);

  Process() = default;
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  pid_t pid() const { return pid_; }
  const std::filesystem::path& log_file() const { return options_.log_file; }

  // True while the child has not exited. Reaps it (and sweeps its group) once it has.
  bool running();
  // The exit code once reaped: the code it passed to exit(), or 128 + signal number.
  std::optional<int> exit_code() const { return exit_code_; }

  // Waits for the child to exit by itself (a one-shot tool such as mariadb-install-db) and
  // returns its exit code; kTimeout, with the child left running, when it has not by then.
  Result<int> wait(std::chrono::milliseconds timeout, Clock* clock = nullptr);

  // SIGTERM to the group (and SIGCONT, so a frozen child can act on it), SIGKILL once `grace`
  // has passed; returns after the child is reaped. Idempotent.
  Result<void> stop(std::chrono::milliseconds grace = std::chrono::seconds(5),
                    Clock* clock = nullptr);
  // SIGKILL to the group and reap: a crash, as the failure drills need it. Idempotent.
  Result<void> kill();
  // SIGSTOP / SIGCONT to the group: a process that holds its sockets but answers nothing.
  // freeze() returns once every thread of the child is stopped, so the caller's next request
  // really meets a frozen server.
  Result<void> freeze();
  Result<void> thaw();

  // Gives up ownership: the child is no longer stopped on destruction (a lab that outlives its
  // launcher keeps PIDs in PID files instead). Returns the PID.
  pid_t release();

 private:
  Process(pid_t pid, SpawnOptions options) : pid_(pid), options_(std::move(options)) {}
  bool exited_unreaped() const;
  void reap_blocking();
  Result<void> signal_group(int signo) const;

  pid_t pid_ = 0;
  bool reaped_ = false;
  std::optional<int> exit_code_;
  SpawnOptions options_;
};

// ---- Processes we did not spawn ourselves (found through PID files) ----

Result<void> write_pid_file(const std::filesystem::path& path, pid_t pid);
Result<PidRecord> read_pid_file(const std::filesystem::path& path);

// The process state letter from /proc (R, S, D, T, Z, ...); nullopt once the PID is gone.
std::optional<char> process_state(pid_t pid);
// True once every thread of `pid` is in the stopped state. SIGSTOP is delivered to a thread
// group asynchronously: a thread busy in the kernel finishes its syscall first, and a query that
// arrives in that window is still answered (process_state reads the main thread only).
bool all_threads_stopped(pid_t pid);
std::optional<std::uint64_t> process_start_time(pid_t pid);

// Alive and not a zombie.
bool is_alive(pid_t pid);
// Alive, and still the process that the record was written for.
bool is_alive(const PidRecord& record);

// A live process of ours found by looking at /proc rather than at a record.
struct FoundProcess {
  PidRecord pid;
  std::string program;       // /proc/<pid>/comm
  std::string command_line;  // arguments joined by spaces
};

// Live processes of this user (never the caller itself) running one of `programs` (by comm) whose
// working directory is `dir` or under it, or whose arguments name a path under it. How `lab down`
// checks that nothing of a lab is left, rather than trusting its records.
std::vector<FoundProcess> processes_under(const std::filesystem::path& dir,
                                          const std::vector<std::string>& programs);

// The processes whose parent is `parent` and whose comm (/proc/<pid>/stat's, at most 15
// characters) is `comm`, in /proc's order; any state, zombies too.
std::vector<pid_t> children_named(pid_t parent, std::string_view comm);

// Stops a process by PID: SIGTERM (+SIGCONT), SIGKILL after `grace`, and waits until it is gone.
// Reaps it when it is our child; otherwise its own parent does. Does nothing when the record no
// longer names a live process.
Result<void> stop_pid(const PidRecord& record, std::chrono::milliseconds grace,
                      Clock* clock = nullptr);

}  // namespace dr::lab
