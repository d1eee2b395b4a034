// AWS's DynamoDB Local (the real emulator, a Java program) as a lab process. A standalone piece
// (library dr_lab_dynamodb) so the DynamoDB client's tests can run it without the rest of the lab.
//
// It listens on every interface: the jar has no bind option. The port is picked free on all
// addresses, and clients should use endpoint_url() (127.0.0.1). It runs in memory with telemetry
// off; without -sharedDb, the access key id and region of a request select separate databases.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "lab/error.h"
#include "lab/process.h"

namespace dr::lab {

struct DynamoDbLocalOptions {
  std::string name = "dynamodb-local";  // its directory (cwd, log) under the root dir
  // Where DynamoDBLocal.jar and DynamoDBLocal_lib/ are; empty: find_dynamodb_local_dir().
  std::filesystem::path install_dir;
  std::uint16_t port = 0;        // 0: pick a free one
  bool die_with_parent = false;  // see SpawnOptions::die_with_parent; tests want true
  // See SpawnOptions::on_spawn: called with the server's PID as soon as it runs.
  std::function<void(const PidRecord&)> on_spawn;
  std::chrono::milliseconds start_timeout{30'000};
};

class DynamoDbLocal {
 public:
  // Starts it and returns once it answers HTTP; the process is stopped when the handle goes.
  static Result<DynamoDbLocal> start(const std::filesystem::path& root_dir,
                                     DynamoDbLocalOptions options = {});

  std::uint16_t port() const { return port_; }
  const std::string& endpoint_url() const { return endpoint_url_; }  // "http://127.0.0.1:PORT"
  pid_t pid() const { return process_.pid(); }
  const std::filesystem::path& log_file() const { return process_.log_file(); }
  bool running() { return process_.running(); }

  Result<void> stop() { return process_.stop(std::chrono::seconds(5)); }
  Result<void> kill() { return process_.kill(); }
  Result<void> freeze() { return process_.freeze(); }
  Result<void> thaw() { return process_.thaw(); }

 private:
  static Result<DynamoDbLocal> start_on_port(const std::filesystem::path& dir,
                                             const std::filesystem::path& install,
                                             const DynamoDbLocalOptions& options,
                                             std::uint16_t port);
  DynamoDbLocal(Process process, std::uint16_t port)
      : process_(std::move(process)),
        port_(port),
        endpoint_url_("http://127.0.0.1:" + std::to_string(port)) {}

  Process process_;
  std::uint16_t port_;
  std::string endpoint_url_;
};

// The directory holding DynamoDBLocal.jar: $DR_DYNAMODB_LOCAL_DIR if set; else tools/dynamodb-local
// in the nearest ancestor of the running executable (a build dir inside the repository); else in
// the source tree this library was built from. scripts/bootstrap.sh unpacks it there.
Result<std::filesystem::path> find_dynamodb_local_dir();

}  // namespace dr::lab
