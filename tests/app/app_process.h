// Starts a real dr-app process against a real MariaDB server for a test: the server is promoted
// (lab servers boot read-only), its app database created, dr-app started on a lab app address
// with free ports (public and admin), and both host:ports read from the ready file. Used by the
// app's and the drills' integration tests.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "lab/mariadb_helpers.h"
#include "lab/process.h"
#include "lab/wait.h"

namespace dr::testing {

// Call with ASSERT_NO_FATAL_FAILURE; `app`, `host_port` (public) and `admin_host_port` are set on
// success. `extra_args` go to dr-app's command line; without `with_sessions` it runs with
// --no-sessions (no DynamoDB).
inline void start_app_against(lab::MariaDbInstance& db, const std::filesystem::path& dir,
                              std::optional<lab::Process>& app, std::string& host_port,
                              std::string* admin_host_port = nullptr,
                              const std::vector<std::string>& extra_args = {},
                              bool with_sessions = false) {
  using namespace std::chrono_literals;
  ASSERT_TRUE(db.promote(/*semi_sync=*/false));
  // The database comes with the cluster (Terraform's database_name); the app makes its tables.
  exec_or_fail(db, "CREATE DATABASE IF NOT EXISTS " + db.app_options().database);
  auto app_addr = lab::lab_address(lab::Site::kUsEast1, lab::Component::kApp, 0);
  ASSERT_TRUE(app_addr) << app_addr.error();
  auto opts = db.app_options();
  std::string ready = (dir / "app.ready").string();
  lab::SpawnOptions spawn;
  spawn.argv = {DR_APP_BINARY,
                "--region",
                "us-east-1",
                "--listen",
                *app_addr,
                "--port",
                "0",
                "--db-writer",
                opts.host + ":" + std::to_string(opts.port),
                "--db-user",
                opts.user,
                "--db-name",
                opts.database,
                "--ready-file",
                ready,
                "--drain-ms",
                "0",
                "--admin-port",
                "0"};
  if (!with_sessions) spawn.argv.push_back("--no-sessions");
  spawn.argv.insert(spawn.argv.end(), extra_args.begin(), extra_args.end());
  spawn.env = {{"DR_DB_PASSWORD", opts.password}, {"DR_ADMIN_TOKEN", "test-token"}};
  // DynamoDB Local wants signed requests, with any keys.
  if (with_sessions)
    spawn.env.insert(spawn.env.end(),
                     {{"AWS_ACCESS_KEY_ID", "lab"}, {"AWS_SECRET_ACCESS_KEY", "lab-secret"}});
  spawn.log_file = dir / "app.log";
  spawn.die_with_parent = true;
  auto started = lab::Process::spawn(spawn);
  ASSERT_TRUE(started) << started.error();
  app.emplace(std::move(*started));
  auto up = lab::wait_until("dr-app writes its ready file",
                            [&] { return std::filesystem::exists(ready) || !app->running(); },
                            {.timeout = 20s});
  ASSERT_TRUE(up) << up.error();
  ASSERT_TRUE(app->running()) << "dr-app exited; see " << spawn.log_file;
  std::string admin;
  std::ifstream(ready) >> host_port >> admin;
  if (admin_host_port != nullptr) *admin_host_port = admin;
}

}  // namespace dr::testing
