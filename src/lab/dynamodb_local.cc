#include "lab/dynamodb_local.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "lab/net.h"
#include "lab/ports.h"
#include "lab/wait.h"

namespace dr::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool has_jar(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "DynamoDBLocal.jar", ec) &&
         fs::is_directory(dir / "DynamoDBLocal_lib", ec);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Any HTTP answer means the server is up. Without an Authorization header DynamoDB Local
// answers 400, which is enough.
bool answers_http(std::uint16_t port) {
  auto status = http_status("127.0.0.1", port, "POST", "/",
                            "Content-Type: application/x-amz-json-1.0\r\n"
                            "X-Amz-Target: DynamoDB_20120810.ListTables\r\n",
                            "{}", 1s);
  return status.has_value();
}

}  // namespace

Result<fs::path> find_dynamodb_local_dir() {
  if (const char* env = std::getenv("DR_DYNAMODB_LOCAL_DIR"); env != nullptr && *env != '\0') {
    if (has_jar(env)) return fs::path(env);
    return fail(ErrorKind::kNotFound, std::string("DR_DYNAMODB_LOCAL_DIR=") + env +
                                          " has no DynamoDBLocal.jar and DynamoDBLocal_lib/");
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
      if (has_jar(dir / "tools" / "dynamodb-local")) return dir / "tools" / "dynamodb-local";
      if (dir == dir.root_path()) break;
    }
  }
#ifdef DR_LAB_SOURCE_DIR
  if (const fs::path source = fs::path(DR_LAB_SOURCE_DIR) / "tools" / "dynamodb-local";
      has_jar(source)) {
    return source;
  }
#endif
  return fail(ErrorKind::kNotFound,
              "DynamoDB Local not found: run scripts/bootstrap.sh (it unpacks it into "
              "tools/dynamodb-local) or set DR_DYNAMODB_LOCAL_DIR");
}

Result<DynamoDbLocal> DynamoDbLocal::start_on_port(const fs::path& dir, const fs::path& install,
                                                   const DynamoDbLocalOptions& options,
                                                   std::uint16_t port) {
  SpawnOptions spawn;
  spawn.argv = {"java",
                "-Djava.library.path=" + (install / "DynamoDBLocal_lib").string(),
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",  // C1 only: starts faster, fast enough for a lab
                "-jar",
                (install / "DynamoDBLocal.jar").string(),
                "-inMemory",
                "-disableTelemetry",
                "-port",
                std::to_string(port)};
  spawn.working_dir = dir;
  spawn.log_file = dir / "dynamodb-local.log";
  spawn.pid_file = dir / "process.pid";
  spawn.die_with_parent = options.die_with_parent;
  spawn.on_spawn = options.on_spawn;
  auto process = Process::spawn(std::move(spawn));
  if (!process) return std::unexpected(process.error());

  auto ready = wait_until_or_fail(
      "DynamoDB Local answers on port " + std::to_string(port),
      [&]() -> Result<bool> {
        if (!process->running()) {
          return fail(ErrorKind::kExited, "DynamoDB Local exited with code " +
                                              std::to_string(process->exit_code().value_or(-1)) +
                                              "; see " + (dir / "dynamodb-local.log").string());
        }
        return answers_http(port);
      },
      {.timeout = options.start_timeout, .poll = 25ms});
  if (!ready) return std::unexpected(ready.error());
  return DynamoDbLocal(std::move(*process), port);
}

Result<DynamoDbLocal> DynamoDbLocal::start(const fs::path& root_dir, DynamoDbLocalOptions options) {
  fs::path install = options.install_dir;
  if (install.empty()) {
    auto found = find_dynamodb_local_dir();
    if (!found) return std::unexpected(found.error());
    install = *found;
  } else if (!has_jar(install)) {
    return fail(ErrorKind::kNotFound, install.string() + " has no DynamoDBLocal.jar");
  }
  const fs::path dir = root_dir / options.name;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(ErrorKind::kSystem, "mkdir " + dir.string() + ": " + ec.message());

  // A picked port can be taken before Java binds it; then pick another (a fixed one, never).
  const int attempts = options.port == 0 ? 3 : 1;
  Result<DynamoDbLocal> started = fail(ErrorKind::kSpawn, "not started");
  for (int i = 0; i < attempts; ++i) {
    std::uint16_t port = options.port;
    if (port == 0) {
      // It binds every interface, so the port must be free on all of them.
      auto picked = pick_free_port("0.0.0.0");
      if (!picked) return std::unexpected(picked.error());
      port = *picked;
    }
    started = start_on_port(dir, install, options, port);
    if (started ||
        read_text(dir / "dynamodb-local.log").find("BindException") == std::string::npos) {
      break;
    }
  }
  return started;
}

}  // namespace dr::lab
