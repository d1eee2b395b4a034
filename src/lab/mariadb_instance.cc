#include "lab/mariadb_instance.h"

#include <sys/un.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "lab/partition.h"
#include "lab/ports.h"
#include "lab/wait.h"

namespace dr::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

Result<void> write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) return fail(ErrorKind::kSystem, "cannot write " + path.string());
  return {};
}

std::string tail_of(const fs::path& path, std::size_t max_chars = 600) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.size() > max_chars) text = "..." + text.substr(text.size() - max_chars);
  return text;
}

bool bind_conflict(const fs::path& log) {
  const std::string text = tail_of(log, 4000);
  return text.find("Address already in use") != std::string::npos ||
         text.find("Do you already have another server running") != std::string::npos;
}

// Runs mariadb-install-db once into a staging dir and renames it into place, so a concurrent
// caller sees either no template or a complete one. The template is disposable, so the install
// skips fsync (it halves the time); instances made from it run with their own durable settings.
Result<void> install_template(const fs::path& tmpl, const MariaDbConfig& config) {
  if (fs::exists(tmpl / "mysql")) return {};
  const fs::path staging = tmpl.string() + ".staging." + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) return fail(ErrorKind::kSystem, "mkdir " + staging.string() + ": " + ec.message());
  // Its own tmpdir: bootstraps running at once (ctest -j) must not share /tmp's temp tables.
  fs::create_directories(staging / "tmp", ec);
  std::string cnf = "[mysqld]\n";
  if (::geteuid() == 0) cnf += "user=root\n";
  cnf += "tmpdir=" + (staging / "tmp").string() + "\n";
  cnf += "datadir=" + (staging / "data").string() +
         "\ninnodb_buffer_pool_size=" + std::to_string(config.buffer_pool_mb) +
         "M\ninnodb_log_file_size=16M\nperformance_schema=OFF\nskip_name_resolve=ON\n";
  if (auto w = write_text(staging / "my.cnf", cnf); !w) return w;

  const fs::path log = tmpl.string() + ".install.log";
  SpawnOptions install;
  install.argv = {"mariadb-install-db", "--defaults-file=" + (staging / "my.cnf").string(),
                  "--skip-test-db", "--innodb-flush-method=nosync",
                  "--innodb-flush-log-at-trx-commit=0"};
  install.log_file = log;
  install.working_dir = staging;
  install.die_with_parent = config.die_with_parent;
  auto process = Process::spawn(std::move(install));
  if (!process) return std::unexpected(process.error());
  auto code = process->wait(config.start_timeout);
  if (!code || *code != 0) {
    fs::remove_all(staging, ec);
    return fail(ErrorKind::kSpawn,
                "mariadb-install-db failed (" +
                    (code ? "exit " + std::to_string(*code) : code.error().describe()) + "); see " +
                    log.string());
  }
  fs::rename(staging / "data", tmpl, ec);
  const bool lost_race = ec && fs::exists(tmpl / "mysql");
  fs::remove_all(staging, ec);
  if (!fs::exists(tmpl / "mysql") && !lost_race) {
    return fail(ErrorKind::kSystem, "cannot move the MariaDB template into " + tmpl.string());
  }
  return {};
}

// A failed bootstrap leaves nothing behind (the staging dir is removed), so it is tried once
// more before the error reaches the caller: under load mariadb-install-db fails now and then.
Result<void> ensure_template(const fs::path& tmpl, const MariaDbConfig& config) {
  auto first = install_template(tmpl, config);
  if (first) return first;
  return install_template(tmpl, config);
}

}  // namespace

Result<MariaDbInstance> MariaDbInstance::create(MariaDbConfig config) {
  if (config.name.empty() || config.name.find('/') != std::string::npos) {
    return fail(ErrorKind::kConfig, "bad MariaDB instance name '" + config.name + "'");
  }
  if (config.server_id == 0)
    return fail(ErrorKind::kConfig, config.name + ": server_id must be > 0");
  if (!is_loopback(config.address)) {
    return fail(ErrorKind::kConfig, config.name + ": " + config.address + " is not loopback");
  }
  MariaDbPaths paths = MariaDbPaths::of(config);
  if (paths.socket.string().size() >= sizeof(sockaddr_un{}.sun_path)) {
    return fail(ErrorKind::kConfig,
                "socket path too long for a unix socket: " + paths.socket.string());
  }
  std::error_code ec;
  fs::create_directories(paths.dir, ec);
  if (ec) return fail(ErrorKind::kSystem, "mkdir " + paths.dir.string() + ": " + ec.message());
  auto credentials = LabCredentials::load_or_create(config.root_dir);
  if (!credentials) return std::unexpected(credentials.error());

  const bool pick_port = config.port == 0;
  if (pick_port) {
    auto port = pick_free_port(config.address);
    if (!port) return std::unexpected(port.error());
    config.port = *port;
  }
  MariaDbInstance instance(std::move(config), std::move(paths), std::move(*credentials));
  instance.port_picked_ = pick_port;
  if (auto w =
          write_text(instance.paths_.cnf, render_mariadb_cnf(instance.config_, instance.paths_));
      !w) {
    return std::unexpected(w.error());
  }

  if (!fs::exists(instance.paths_.datadir / "mysql")) {
    const fs::path tmpl = instance.config_.datadir_template.empty()
                              ? instance.config_.root_dir / "mariadb-template"
                              : instance.config_.datadir_template;
    if (auto made = ensure_template(tmpl, instance.config_); !made) {
      return std::unexpected(made.error());
    }
    fs::copy(tmpl, instance.paths_.datadir, fs::copy_options::recursive, ec);
    if (ec) {
      return fail(ErrorKind::kSystem, "copy " + tmpl.string() + " to " +
                                          instance.paths_.datadir.string() + ": " + ec.message());
    }
  }
  return instance;
}

Result<void> MariaDbInstance::launch() {
  if (process_.running()) return {};
  if (auto w = write_text(paths_.cnf, render_mariadb_cnf(config_, paths_)); !w) return w;
  SpawnOptions options;
  // --defaults-file must come first; it keeps /etc/mysql out of the lab.
  options.argv = {"mariadbd", "--defaults-file=" + paths_.cnf.string()};
  options.log_file = paths_.log;
  options.pid_file = paths_.pid_file;
  options.working_dir = paths_.dir;
  options.die_with_parent = config_.die_with_parent;
  options.on_spawn = config_.on_spawn;
  auto process = Process::spawn(std::move(options));
  if (!process) return std::unexpected(process.error());
  process_ = std::move(*process);
  // Into its site's cgroup before it opens a socket: a partition then cuts its replication too,
  // which leaves from 127.0.0.1 (MariaDB cannot bind it; docs/partitions.md). Best effort: a lab
  // without cgroup v2, or not run as root, cannot be partitioned anyway.
  if (auto site = site_of_address(config_.address)) (void)join_site_cgroup(process_.pid(), *site);
  return {};
}

Result<void> MariaDbInstance::wait_ready() {
  auto ready = wait_until_or_fail(
      "MariaDB " + name() + " answers on " + paths_.socket.string(),
      [&]() -> Result<bool> {
        if (!process_.running()) {
          return fail(ErrorKind::kExited, "MariaDB " + name() + " exited with code " +
                                              std::to_string(process_.exit_code().value_or(-1)) +
                                              "; see " + paths_.log.string() + ":\n" +
                                              tail_of(paths_.log));
        }
        return connect_root(1s).has_value();
      },
      {.timeout = config_.start_timeout, .poll = 20ms});
  if (!ready) {
    (void)process_.kill();
    return ready;
  }
  if (!fs::exists(paths_.dir / "users-created")) {
    if (auto users = create_users(); !users) return users;
    if (auto w = write_text(paths_.dir / "users-created", "yes\n"); !w) return w;
  }
  return {};
}

Result<void> MariaDbInstance::start() {
  if (process_.running()) return {};
  auto boot = [&]() -> Result<void> {
    if (auto launched = launch(); !launched) return launched;
    return wait_ready();
  };
  auto started = boot();
  // A port picked free can be taken before the server binds it; pick another and try again.
  for (int attempt = 0; !started && port_picked_ && attempt < 3 && bind_conflict(paths_.log);
       ++attempt) {
    auto port = pick_free_port(config_.address);
    if (!port) return std::unexpected(port.error());
    config_.port = *port;
    started = boot();
  }
  return started;
}

Result<void> MariaDbInstance::stop() {
  return process_.stop(std::chrono::seconds(20));
}

Result<void> MariaDbInstance::crash() {
  return process_.kill();
}

db::ConnectOptions MariaDbInstance::admin_options() const {
  db::ConnectOptions o;
  o.host = config_.address;
  o.port = config_.port;
  o.user = credentials_.admin.name;
  o.password = credentials_.admin.password;
  o.connect_timeout = 2s;
  o.read_timeout = 10s;
  o.write_timeout = 10s;
  return o;
}

db::ConnectOptions MariaDbInstance::app_options() const {
  db::ConnectOptions o = admin_options();
  o.user = credentials_.app.name;
  o.password = credentials_.app.password;
  o.database = config_.app_database;
  return o;
}

Result<db::Connection> MariaDbInstance::connect_root(std::chrono::milliseconds read_timeout) const {
  db::ConnectOptions o;
  o.unix_socket = paths_.socket.string();
  o.user = "root";
  o.connect_timeout = 2s;
  o.read_timeout = read_timeout;
  o.write_timeout = 10s;
  auto connection = db::Connection::connect(o);
  if (!connection) return std::unexpected(db_error(connection.error(), "connect as root"));
  return std::move(*connection);
}

Error MariaDbInstance::db_error(const db::Error& error, std::string_view what) const {
  return Error::make(ErrorKind::kDatabase,
                     "MariaDB " + name() + ": " + std::string(what) + ": " + error.describe());
}

// Users are created on every server with the binlog off for the session: were they logged, each
// server would start with GTIDs of its own, errant for all the others.
Result<void> MariaDbInstance::create_users() {
  auto c = connect_root();
  if (!c) return std::unexpected(c.error());
  const auto& creds = credentials_;
  const std::string host = "'127.%'";
  const std::string db = "`" + config_.app_database + "`";
  const std::vector<std::string> statements = {
      "SET SESSION sql_log_bin=0",
      "CREATE USER IF NOT EXISTS '" + creds.admin.name + "'@" + host + " IDENTIFIED BY " +
          c->quote(creds.admin.password),
      "GRANT ALL PRIVILEGES ON *.* TO '" + creds.admin.name + "'@" + host + " WITH GRANT OPTION",
      "CREATE USER IF NOT EXISTS '" + creds.replication.name + "'@" + host + " IDENTIFIED BY " +
          c->quote(creds.replication.password),
      "GRANT REPLICATION SLAVE ON *.* TO '" + creds.replication.name + "'@" + host,
      "CREATE USER IF NOT EXISTS '" + creds.app.name + "'@" + host + " IDENTIFIED BY " +
          c->quote(creds.app.password),
      "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES ON " + db +
          ".* TO '" + creds.app.name + "'@" + host,
  };
  for (const auto& sql : statements) {
    // The statement text holds passwords: name the step, not the SQL.
    if (auto r = c->exec(sql); !r) return std::unexpected(db_error(r.error(), "create lab users"));
  }
  return {};
}

}  // namespace dr::lab
