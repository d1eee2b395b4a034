// MariaDbInstance::clone_from: a fresh server rebuilt from a logical copy of another's app
// database. The admin password goes to the dump tool in a 0600 defaults file, never on a command
// line (any local user can read those in /proc).
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "lab/mariadb_instance.h"
#include "lab/process.h"

namespace dr::lab {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// "-- SET GLOBAL gtid_slave_pos='0-3-5';" (mariadb-dump --gtid --master-data=2): the position
// the copy is consistent with.
std::optional<std::string> dump_gtid_position(const fs::path& dump) {
  std::ifstream in(dump);
  std::string line;
  const std::string marker = "gtid_slave_pos='";
  while (std::getline(in, line)) {
    const auto at = line.find(marker);
    if (at == std::string::npos) continue;
    const auto start = at + marker.size();
    const auto end = line.find('\'', start);
    if (end == std::string::npos) return std::nullopt;
    return line.substr(start, end - start);
  }
  return std::nullopt;
}

Result<void> run_tool(std::vector<std::string> argv, const fs::path& log, const std::string& what) {
  SpawnOptions spawn;
  spawn.argv = std::move(argv);
  spawn.log_file = log;
  auto p = Process::spawn(spawn);
  if (!p) return fail(p.error().kind, what + ": " + p.error().message);
  auto code = p->wait(120s);
  if (!code) return fail(code.error().kind, what + ": " + code.error().message);
  if (*code != 0)
    return fail(ErrorKind::kDatabase,
                what + " exited with " + std::to_string(*code) + " (see " + log.string() + ")");
  return {};
}

}  // namespace

Result<void> MariaDbInstance::clone_from(const MariaDbInstance& source, bool semi_sync) {
  const fs::path client_cnf = paths_.dir / "clone-client.cnf";
  const fs::path dump = paths_.dir / "clone.sql";
  const fs::path log = paths_.dir / "clone.log";
  {
    std::ofstream out(client_cnf, std::ios::trunc);
    ::chmod(client_cnf.c_str(), 0600);
    out << "[client]\nuser=" << credentials_.admin.name
        << "\npassword=" << credentials_.admin.password << "\n";
    if (!out) return fail(ErrorKind::kSystem, "cannot write " + client_cnf.string());
  }
  struct Cleanup {
    fs::path a, b;
    ~Cleanup() {
      std::error_code ec;
      fs::remove(a, ec);
      fs::remove(b, ec);
    }
  } cleanup{client_cnf, dump};
  const std::string database = app_options().database;
  if (auto d = run_tool({"mariadb-dump", "--defaults-extra-file=" + client_cnf.string(),
                         "--host=" + source.address(), "--port=" + std::to_string(source.port()),
                         "--single-transaction", "--gtid", "--master-data=2", "--routines",
                         "--databases", database, "--result-file=" + dump.string()},
                        log, "copy " + database + " from " + source.name());
      !d) {
    return d;
  }
  const auto position = dump_gtid_position(dump);
  if (!position)
    return fail(ErrorKind::kProtocol, "the copy from " + source.name() +
                                          " names no GTID position (see " + dump.string() + ")");
  // sql_log_bin=0: the import must not become transactions of this server's own (errant for
  // every other server); the data arrives as of `position`, replication goes on from there.
  if (auto i = run_tool(
          {"mariadb", "--no-defaults", "--socket=" + paths_.socket.string(), "--user=root",
           "--init-command=SET SESSION sql_log_bin=0", "--execute=SOURCE " + dump.string()},
          log, "load the copy into " + name());
      !i) {
    return i;
  }
  auto c = connect_root();
  if (!c) return std::unexpected(c.error());
  return replicate_from(source.address(), source.port(), semi_sync, c->quote(*position));
}

}  // namespace dr::lab
