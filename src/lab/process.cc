#include "lab/process.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "lab/wait.h"

extern char** environ;

namespace dr::lab {
namespace {

namespace fs = std::filesystem;

// Resolved before fork: after fork only async-signal-safe calls are allowed in the child.
Result<std::string> resolve_program(const std::string& name) {
  if (name.empty()) return fail(ErrorKind::kSpawn, "empty argv[0]");
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) != 0)
      return fail(ErrorKind::kNotFound, name + ": not executable");
    return name;
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  // sbin is not on every PATH (mariadbd and haproxy live there).
  for (const char* sbin : {"/usr/sbin", "/sbin", "/usr/local/sbin"}) {
    std::string candidate = std::string(sbin) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return fail(ErrorKind::kNotFound, name + ": not found in PATH");
}

std::vector<std::string> build_env(const std::vector<std::pair<std::string, std::string>>& extra,
                                   bool clear) {
  std::vector<std::string> out;
  for (char** e = clear ? nullptr : environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    const auto eq = entry.find('=');
    const auto key = entry.substr(0, eq);
    bool overridden = false;
    for (const auto& [k, v] : extra) overridden = overridden || k == key;
    if (!overridden) out.emplace_back(entry);
  }
  for (const auto& [k, v] : extra) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Runs in the forked child: only async-signal-safe calls until execve.
[[noreturn]] void exec_child(const char* program, char* const* argv, char* const* envp,
                             const char* working_dir, int log_fd, int null_fd, int status_fd,
                             bool die_with_parent, pid_t parent) {
  auto die = [status_fd](int err) {
    [[maybe_unused]] auto n = ::write(status_fd, &err, sizeof err);
    ::_exit(127);
  };
  ::setpgid(0, 0);
  if (die_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
  }
  // Dispositions set to "ignore" and blocked signals survive exec; servers expect defaults.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (working_dir != nullptr && ::chdir(working_dir) != 0) die(errno);
  if (::dup2(null_fd, STDIN_FILENO) < 0) die(errno);
  if (::dup2(log_fd, STDOUT_FILENO) < 0) die(errno);
  if (::dup2(log_fd, STDERR_FILENO) < 0) die(errno);
  // Descriptors the parent opened without O_CLOEXEC (listening sockets of a test server, say)
  // must not leak into the child and outlive their owner.
  ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  ::execve(program, argv, envp);
  die(errno);
  ::_exit(127);
}

}  // namespace

Result<Process> Process::spawn(SpawnOptions options) {
  if (options.argv.empty()) return fail(ErrorKind::kSpawn, "no argv");
  auto program = resolve_program(options.argv.front());
  if (!program) return std::unexpected(program.error());
  if (!options.working_dir.empty() && !fs::is_directory(options.working_dir)) {
    return fail(ErrorKind::kSpawn, "working dir " + options.working_dir.string() + " is missing");
  }

  std::vector<std::string> argv_strings = options.argv;
  std::vector<std::string> env_strings = build_env(options.env, options.clear_env);
  auto argv = c_strings(argv_strings);
  auto envp = c_strings(env_strings);
  const std::string working_dir = options.working_dir.string();
  const std::string log_path = options.log_file.empty() ? "/dev/null" : options.log_file.string();

  Fd log_fd(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (log_fd.get() < 0) return std::unexpected(Error::system("open " + log_path, errno));
  Fd null_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (null_fd.get() < 0) return std::unexpected(Error::system("open /dev/null", errno));
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return std::unexpected(Error::system("pipe2", errno));
  Fd status_read(pipe_fds[0]);
  Fd status_write(pipe_fds[1]);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return std::unexpected(Error::system("fork", errno));
  if (pid == 0) {
    exec_child(program->c_str(), argv.data(), envp.data(),
               working_dir.empty() ? nullptr : working_dir.c_str(), log_fd.get(), null_fd.get(),
               status_write.get(), options.die_with_parent, parent);
  }
  // Both sides set the group, so that signalling -pid works whichever runs first.
  ::setpgid(pid, pid);
  status_write.reset();

  // The pipe closes on a successful exec (O_CLOEXEC); otherwise the child sends its errno.
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(status_read.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return fail(ErrorKind::kSpawn, "exec " + *program + ": " + std::strerror(child_errno));
  }

  Process process(pid, std::move(options));
  if (!process.options_.pid_file.empty()) {
    if (auto written = write_pid_file(process.options_.pid_file, pid); !written) {
      return std::unexpected(written.error());  // ~Process kills the child
    }
  }
  if (process.options_.on_spawn) {
    process.options_.on_spawn(PidRecord{pid, process_start_time(pid).value_or(0)});
  }
  return process;
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, 0)),
      reaped_(other.reaped_),
      exit_code_(other.exit_code_),
      options_(std::move(other.options_)) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    if (pid_ != 0 && !reaped_) (void)kill();
    pid_ = std::exchange(other.pid_, 0);
    reaped_ = other.reaped_;
    exit_code_ = other.exit_code_;
    options_ = std::move(other.options_);
  }
  return *this;
}

Process::~Process() {
  if (pid_ != 0 && !reaped_) (void)kill();
}

pid_t Process::release() {
  const pid_t pid = pid_;
  pid_ = 0;
  return pid;
}

// Looks without reaping: while the leader is an unreaped zombie its PID (the group id) cannot
// be recycled, so sweeping the group with a signal cannot hit an unrelated process.
bool Process::exited_unreaped() const {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return errno == ECHILD;  // not ours to wait for any more: treat as gone
  }
  return info.si_pid == pid_;
}

void Process::reap_blocking() {
  ::kill(-pid_, SIGKILL);  // leftovers in the group (grandchildren) die with the leader
  ::kill(-pid_, SIGCONT);
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  exit_code_ = r == pid_ ? std::optional<int>(decode_status(status)) : std::nullopt;
  reaped_ = true;
  if (!options_.pid_file.empty()) {
    std::error_code ignored;
    fs::remove(options_.pid_file, ignored);
  }
}

bool Process::running() {
  if (pid_ == 0 || reaped_) return false;
  if (!exited_unreaped()) return true;
  reap_blocking();
  return false;
}

Result<void> Process::signal_group(int signo) const {
  if (pid_ == 0 || reaped_) return fail(ErrorKind::kSystem, "process is not running");
  if (::kill(-pid_, signo) != 0 && errno != ESRCH) {
    return std::unexpected(Error::system("kill -" + std::to_string(signo), errno));
  }
  return {};
}

Result<void> Process::stop(std::chrono::milliseconds grace, Clock* clock) {
  if (pid_ == 0 || reaped_) return {};
  ::kill(-pid_, SIGTERM);
  ::kill(-pid_, SIGCONT);
  // A child still running at the deadline is not an error: SIGKILL is the plan for that case.
  (void)wait_until("exit after SIGTERM", [&] { return exited_unreaped(); },
                   {.timeout = grace, .poll = std::chrono::milliseconds(5), .clock = clock});
  reap_blocking();  // SIGKILLs whatever is left, then reaps
  return {};
}

Result<int> Process::wait(std::chrono::milliseconds timeout, Clock* clock) {
  if (pid_ == 0) return fail(ErrorKind::kSystem, "no process");
  auto exited =
      wait_until("pid " + std::to_string(pid_) + " exits", [&] { return !running(); },
                 {.timeout = timeout, .poll = std::chrono::milliseconds(5), .clock = clock});
  if (!exited) return std::unexpected(exited.error());
  return exit_code_.value_or(-1);
}

Result<void> Process::kill() {
  if (pid_ == 0 || reaped_) return {};
  reap_blocking();
  return {};
}

bool all_threads_stopped(pid_t pid) {
  std::error_code ec;
  const fs::path tasks = "/proc/" + std::to_string(pid) + "/task";
  bool any = false;
  for (const auto& entry : fs::directory_iterator(tasks, ec)) {
    std::ifstream in(entry.path() / "stat");
    std::string line;
    if (!std::getline(in, line)) continue;  // the thread just exited
    const auto close = line.rfind(')');
    if (close == std::string::npos || close + 2 >= line.size()) return false;
    const char state = line[close + 2];
    if (state != 'T' && state != 't') return false;
    any = true;
  }
  return any && !ec;
}

Result<void> Process::freeze() {
  if (auto r = signal_group(SIGSTOP); !r) return r;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!all_threads_stopped(pid_)) {
    if (std::chrono::steady_clock::now() > deadline)
      return fail(ErrorKind::kTimeout, "pid " + std::to_string(pid_) +
                                           ": not every thread stopped within 2 s of SIGSTOP");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling /proc, bounded above
  }
  return {};
}
Result<void> Process::thaw() {
  return signal_group(SIGCONT);
}

// ---- PID files and processes we did not spawn ----

namespace {

// /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces and parentheses, so
// fields are counted from the last ')'.
struct Stat {
  std::string comm;
  std::vector<std::string> fields;  // fields[0] is field 3 (state)
};

std::optional<Stat> read_stat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  const auto open = line.find('(');
  const auto close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  Stat out{line.substr(open + 1, close - open - 1), {}};
  std::istringstream rest(line.substr(close + 1));
  for (std::string f; rest >> f;) out.fields.push_back(f);
  return out;
}

std::optional<std::vector<std::string>> stat_fields(pid_t pid) {
  auto s = read_stat(pid);
  if (!s) return std::nullopt;
  return std::move(s->fields);
}

}  // namespace

std::optional<char> process_state(pid_t pid) {
  auto fields = stat_fields(pid);
  if (!fields || fields->empty() || (*fields)[0].empty()) return std::nullopt;
  return (*fields)[0][0];
}

std::optional<std::uint64_t> process_start_time(pid_t pid) {
  auto fields = stat_fields(pid);
  if (!fields || fields->size() < 20) return std::nullopt;
  return std::stoull((*fields)[19]);  // field 22: starttime
}

Result<void> write_pid_file(const fs::path& path, pid_t pid) {
  const auto start = process_start_time(pid);
  if (!start) return fail(ErrorKind::kSystem, "pid " + std::to_string(pid) + " is gone");
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << pid << ' ' << *start << '\n';
    if (!out) return fail(ErrorKind::kSystem, "cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);  // atomic: a reader never sees half a file
  if (ec) return fail(ErrorKind::kSystem, "rename " + tmp.string() + ": " + ec.message());
  return {};
}

Result<PidRecord> read_pid_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorKind::kNotFound, path.string() + ": no such PID file");
  long long pid = 0;
  std::uint64_t start = 0;
  if (!(in >> pid >> start) || pid <= 0) {
    return fail(ErrorKind::kProtocol, path.string() + ": not a PID file");
  }
  return PidRecord{static_cast<pid_t>(pid), start};
}

bool is_alive(pid_t pid) {
  if (pid <= 0) return false;
  const auto state = process_state(pid);
  return state.has_value() && *state != 'Z' && *state != 'X';
}

bool is_alive(const PidRecord& record) {
  return is_alive(record.pid) && process_start_time(record.pid) == record.start_time;
}

namespace {

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool is_under(const std::string& path, const std::vector<std::string>& roots) {
  for (const auto& root : roots) {
    if (path == root || path.starts_with(root + "/")) return true;
  }
  return false;
}

}  // namespace

std::vector<FoundProcess> processes_under(const fs::path& dir,
                                          const std::vector<std::string>& programs) {
  std::vector<std::string> roots{fs::absolute(dir).lexically_normal().string()};
  std::error_code ec;
  if (auto canonical = fs::weakly_canonical(dir, ec); !ec) roots.push_back(canonical.string());
  for (auto& r : roots) {
    while (r.size() > 1 && r.back() == '/') r.pop_back();
  }
  std::vector<FoundProcess> out;
  const pid_t self = ::getpid();
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(name));
    struct stat st {};
    if (pid == self || ::stat(entry.path().c_str(), &st) != 0 || st.st_uid != ::getuid()) continue;
    std::string comm = read_all(entry.path() / "comm");
    if (!comm.empty() && comm.back() == '\n') comm.pop_back();
    if (std::find(programs.begin(), programs.end(), comm) == programs.end()) continue;
    std::error_code cwd_ec;
    const auto cwd = fs::read_symlink(entry.path() / "cwd", cwd_ec);
    bool found = !cwd_ec && is_under(cwd.string(), roots);
    std::string command_line;
    std::stringstream args(read_all(entry.path() / "cmdline"));
    for (std::string arg; std::getline(args, arg, '\0');) {
      command_line += (command_line.empty() ? "" : " ") + arg;
      for (const auto& root : roots) found = found || arg.find(root + "/") != std::string::npos;
    }
    const auto start = process_start_time(pid);
    if (!found || !start || !is_alive(pid)) continue;
    out.push_back({{pid, *start}, comm, command_line});
  }
  return out;
}

std::vector<pid_t> children_named(pid_t parent, std::string_view comm) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(name));
    auto s = read_stat(pid);
    if (!s || s->fields.size() < 2 || s->comm != comm) continue;
    if (std::stol(s->fields[1]) == parent) out.push_back(pid);  // field 4: ppid
  }
  return out;
}

Result<void> stop_pid(const PidRecord& record, std::chrono::milliseconds grace, Clock* clock) {
  if (!is_alive(record)) return {};
  const pid_t pid = record.pid;
  const bool leader = ::getpgid(pid) == pid;
  auto send = [&](int signo) { ::kill(leader ? -pid : pid, signo); };
  // Our own child turns into a zombie until reaped; reaping it here is what "gone" means.
  // Look first, reap second: reaping first races a child that dies between the two calls,
  // which then reads as gone and stays a zombie. A recycled PID is not ours to reap.
  auto gone = [&] {
    if (is_alive(record)) return false;
    if (process_start_time(pid) == record.start_time) {
      int status = 0;
      ::waitpid(pid, &status, WNOHANG);
    }
    return true;
  };
  send(SIGTERM);
  send(SIGCONT);
  const WaitOptions wait{.timeout = grace, .poll = std::chrono::milliseconds(5), .clock = clock};
  if (wait_until("pid " + std::to_string(pid) + " exits after SIGTERM", gone, wait)) return {};
  send(SIGKILL);
  return wait_until("pid " + std::to_string(pid) + " exits after SIGKILL", gone,
                    {.timeout = std::chrono::seconds(5), .clock = clock});
}

}  // namespace dr::lab
