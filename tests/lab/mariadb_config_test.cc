#include "lab/mariadb_config.h"

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

}  // namespace
}  // namespace dr::lab
