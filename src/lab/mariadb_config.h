// The cnf of one lab MariaDB server. Every server is configured to be able to take any role
// (primary, semi-sync replica, async replica): binlog with GTIDs, log_slave_updates, and it boots
// read_only, because a crashed old primary that restarts must not take writes until the
// controller says so.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "lab/process.h"

namespace dr::lab {

struct MariaDbConfig {
  std::string name;                // "a1": also the instance's directory under root_dir
  std::filesystem::path root_dir;  // the lab root
  std::string address;             // the loopback address it binds
  std::uint16_t port = 0;          // 0: pick a free port on `address`
  std::uint32_t server_id = 0;     // unique in the topology, > 0
  unsigned buffer_pool_mb = 32;
  // How long a commit waits for a semi-sync ACK before the primary falls back to async.
  std::chrono::milliseconds semi_sync_timeout{1000};
  // sync_binlog=1 and innodb_flush_log_at_trx_commit=1: an acknowledged commit survives a crash,
  // which is what RPO measurements assume.
  bool durable = true;
  // How soon a replica notices a silent primary (heartbeats come every half of it). The secondary's
  // view of replication is evidence the controller waits for: 5 s made a cut take ~9.5 s to detect
  // (docs/partitions.md); 2 s keeps a second's heartbeat under load, and the probes' threshold,
  // not this, is what rides out a blip (the blip drill guards it).
  std::chrono::seconds replica_net_timeout{2};
  std::string app_database = "dr";
  // An initialised, never started datadir that new instances copy (100 ms) instead of running
  // mariadb-install-db each (0.6-4 s). Made on first use; empty: root_dir/mariadb-template.
  std::filesystem::path datadir_template;
  bool die_with_parent = false;  // see SpawnOptions::die_with_parent
  // See SpawnOptions::on_spawn: called with the server's PID as soon as it runs.
  std::function<void(const PidRecord&)> on_spawn;
  std::chrono::milliseconds start_timeout{30'000};
};

struct MariaDbPaths {
  std::filesystem::path dir;       // root_dir/name
  std::filesystem::path datadir;   // dir/data
  std::filesystem::path cnf;       // dir/my.cnf
  std::filesystem::path socket;    // dir/mariadbd.sock
  std::filesystem::path log;       // dir/mariadbd.log: the server's stderr (its error log)
  std::filesystem::path pid_file;  // dir/process.pid: ours, with the start time
  std::filesystem::path install_log;

  static MariaDbPaths of(const MariaDbConfig& config);
};

// The cnf text (a [mysqld] group, read with --defaults-file so /etc/mysql is never consulted).
std::string render_mariadb_cnf(const MariaDbConfig& config, const MariaDbPaths& paths);

}  // namespace dr::lab
