#include "lab/mariadb_config.h"
#include "lab/mariadb_instance.h"

#include <gtest/gtest.h>

namespace dr::lab {
namespace {

TEST(MariaDbCnf, EveryServerCanTakeAnyRoleAndBootsFenced) {
  MariaDbConfig config;
  config.name = "a2";
  config.root_dir = "/tmp/lab";
  config.address = "127.0.1.12";
  config.port = 40123;
  config.server_id = 2;
  const std::string cnf = render_mariadb_cnf(config, MariaDbPaths::of(config));
  for (const char* line :
       {"[mysqld]\n", "datadir=/tmp/lab/a2/data\n", "socket=/tmp/lab/a2/mariadbd.sock\n",
        "bind-address=127.0.1.12\n", "port=40123\n", "server_id=2\n", "log_bin=binlog\n",
        "log_slave_updates=ON\n", "binlog_format=ROW\n", "gtid_strict_mode=ON\n", "read_only=ON\n",
        "rpl_semi_sync_master_enabled=OFF\n", "rpl_semi_sync_master_wait_point=AFTER_SYNC\n",
        "rpl_semi_sync_master_timeout=1000\n", "sync_binlog=1\n", "performance_schema=OFF\n",
        "innodb_buffer_pool_size=32M\n", "skip_name_resolve=ON\n"}) {
    EXPECT_NE(cnf.find(line), std::string::npos) << "missing: " << line;
  }
}

// What waiting for a replica gives up on at once: an error the server will not retry. A lost
// connection keeps the IO thread "Connecting" (it retries); a stale error with both threads
// running is history.
TEST(ReplicaStatus, StoppedOnErrorOnlyWhenAThreadStoppedWithAnError) {
  auto status = [](const char* io, bool sql, unsigned io_errno, unsigned sql_errno) {
    ReplicaStatus s;
    s.configured = true;
    s.io_running = io;
    s.sql_running = sql;
    s.last_io_errno = io_errno;
    s.last_sql_errno = sql_errno;
    return s;
  };
  EXPECT_TRUE(status("No", true, 1236, 0).stopped_on_error());           // "slave has diverged"
  EXPECT_TRUE(status("Yes", false, 0, 1062).stopped_on_error());         // a duplicate key
  EXPECT_FALSE(status("Connecting", true, 2003, 0).stopped_on_error());  // retries
  EXPECT_FALSE(status("Yes", true, 1236, 0).stopped_on_error());
  EXPECT_FALSE(status("No", false, 0, 0).stopped_on_error());  // stopped by STOP SLAVE
  EXPECT_FALSE(ReplicaStatus{}.stopped_on_error());            // not a replica
}

}  // namespace
}  // namespace dr::lab
