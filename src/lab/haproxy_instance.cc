#include "lab/haproxy_instance.h"

#include <fstream>
#include <sstream>

#include "lab/ports.h"
#include "lab/wait.h"

namespace dr::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::uint16_t HaproxyInstance::port_of(std::string_view listener) const {
  for (const auto& l : config_.listeners) {
    if (l.name == listener) return l.bind_port;
  }
  return 0;
}

Result<HaproxyInstance> HaproxyInstance::start(HaproxyOptions options, HaproxyConfig config) {
  const fs::path dir = options.root_dir / options.name;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(ErrorKind::kSystem, "mkdir " + dir.string() + ": " + ec.message());
  if (config.stats_socket.empty()) config.stats_socket = dir / "admin.sock";
  for (auto& l : config.listeners) {
    if (l.bind_port != 0) continue;
    auto port = pick_free_port(l.bind_address);
    if (!port) return std::unexpected(port.error());
    l.bind_port = *port;
  }
  if (auto valid = validate(config); !valid) return std::unexpected(valid.error());

  const fs::path cfg = dir / "haproxy.cfg";
  {
    std::ofstream out(cfg, std::ios::trunc);
    out << render_haproxy_config(config);
    if (!out) return fail(ErrorKind::kSystem, "cannot write " + cfg.string());
  }

  const fs::path check_log = dir / "check.log";
  fs::remove(check_log, ec);
  SpawnOptions check;
  check.argv = {"haproxy", "-c", "-f", cfg.string()};
  check.log_file = check_log;
  check.die_with_parent = options.die_with_parent;
  auto checker = Process::spawn(std::move(check));
  if (!checker) return std::unexpected(checker.error());
  auto code = checker->wait(options.start_timeout);
  if (!code) return std::unexpected(code.error());
  if (*code != 0) {
    return fail(ErrorKind::kConfig, "haproxy " + options.name + ": config " + cfg.string() +
                                        " refused:\n" + read_text(check_log));
  }

  const fs::path log = dir / "haproxy.log";
  SpawnOptions run;
  run.argv = {"haproxy", "-f", cfg.string(), "-db"};
  run.log_file = log;
  run.pid_file = dir / "process.pid";
  run.working_dir = dir;
  run.die_with_parent = options.die_with_parent;
  run.on_spawn = options.on_spawn;
  auto process = Process::spawn(std::move(run));
  if (!process) return std::unexpected(process.error());

  HaproxyInstance instance(std::move(config), cfg, log, std::move(*process));
  // The runtime API is served once the listeners are bound, so an answer means ready.
  const HaproxyRuntime runtime(instance.config_.stats_socket, 500ms);
  auto ready = wait_until_or_fail(
      "haproxy " + options.name + " answers on " + instance.config_.stats_socket.string(),
      [&]() -> Result<bool> {
        if (!instance.process_.running()) {
          return fail(ErrorKind::kExited,
                      "haproxy " + options.name + " exited with code " +
                          std::to_string(instance.process_.exit_code().value_or(-1)) + "; see " +
                          log.string() + ":\n" + read_text(log));
        }
        auto info = runtime.command("show info");
        return info.has_value() && info->find("Pid:") != std::string::npos;
      },
      {.timeout = options.start_timeout, .poll = 10ms});
  if (!ready) return std::unexpected(ready.error());
  return instance;
}

}  // namespace dr::lab
