// Helpers for tests that run real MariaDB servers of the lab.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

#include <chrono>
#include <optional>
#include <string>

#include "lab/mariadb_instance.h"
#include "lab/ports.h"
#include "lab/wait.h"

namespace dr::testing {

// Where tests keep the MariaDB datadir template: next to the test binary (a build artifact like
// the binary itself, shared by every test process ctest starts, so mariadb-install-db runs once
// per build rather than once per test), named after the mariadbd binary so that a MariaDB
// upgrade makes a new one. DR_MARIADB_TEMPLATE overrides it.
inline std::filesystem::path shared_datadir_template() {
  if (const char* env = std::getenv("DR_MARIADB_TEMPLATE"); env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  struct stat st {};
  const bool known = ::stat("/usr/sbin/mariadbd", &st) == 0;
  const std::string key =
      known ? std::to_string(st.st_size) + "-" + std::to_string(st.st_mtime) : "unknown";
  return (ec ? std::filesystem::temp_directory_path() : exe.parent_path()) /
         ("mariadb-template-" + key);
}

// A server of the lab's address plan with a free port, not yet started; killed when the test
// ends (and by the kernel if the test binary dies). `datadir_template` can be shared by all the
// tests of a binary, so mariadb-install-db runs once.
inline lab::Result<lab::MariaDbInstance> create_mariadb(
    const std::filesystem::path& root, const std::string& name, lab::Site site, unsigned index,
    std::uint32_t server_id,
    const std::filesystem::path& datadir_template = shared_datadir_template()) {
  auto address = lab::lab_address(site, lab::Component::kDatabase, index);
  if (!address) return std::unexpected(address.error());
  lab::MariaDbConfig config;
  config.name = name;
  config.root_dir = root;
  config.address = *address;
  config.server_id = server_id;
  config.die_with_parent = true;
  config.datadir_template = datadir_template;
  return lab::MariaDbInstance::create(std::move(config));
}

inline lab::Result<lab::MariaDbInstance> start_mariadb(
    const std::filesystem::path& root, const std::string& name, lab::Site site, unsigned index,
    std::uint32_t server_id,
    const std::filesystem::path& datadir_template = shared_datadir_template()) {
  auto instance = create_mariadb(root, name, site, index, server_id, datadir_template);
  if (!instance) return instance;
  if (auto started = instance->start(); !started) return std::unexpected(started.error());
  return instance;
}

inline std::optional<std::string> query_value(const lab::MariaDbInstance& db,
                                              const std::string& sql) {
  auto c = db.connect_root();
  if (!c) return std::nullopt;
  auto v = c->query_value(sql);
  if (!v) return std::nullopt;
  return *v;
}

inline void exec_or_fail(const lab::MariaDbInstance& db, const std::string& sql) {
  auto c = db.connect_root();
  ASSERT_TRUE(c) << c.error();
  auto r = c->exec(sql);
  ASSERT_TRUE(r) << db.name() << ": " << sql << ": " << r.error();
}

// Waits until `sql` returns `expected` on `db` (replication is asynchronous).
inline lab::Result<void> wait_for_value(
    const lab::MariaDbInstance& db, const std::string& sql, const std::string& expected,
    std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  return lab::wait_until(db.name() + ": " + sql + " = " + expected,
                         [&] { return query_value(db, sql) == expected; }, {.timeout = timeout});
}

inline double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace dr::testing
