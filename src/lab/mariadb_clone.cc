// MariaDbInstance::clone_from: a fresh server rebuilt from a logical copy of another's app
// database. The copy and the admin password live in a private (0700) directory while it runs:
// the dump holds every row, and a password on a command line is readable by any local user.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <optional>

#include "lab/mariadb_instance.h"
#include "lab/process.h"

namespace dr::lab {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// "-- SET GLOBAL gtid_slave_pos='0-3-5';" (mariadb-dump --gtid --master-data=2): the position
// the copy is consistent with. mariadb-dump prints it at the end of the file ("deferred"); only
// a line that starts with it counts (the dump escapes newlines in data, so no row starts a line).
Result<GtidList> dump_gtid_position(const fs::path& dump) {
  std::ifstream in(dump);
  std::string line;
  const std::string marker = "-- SET GLOBAL gtid_slave_pos='";
  std::optional<std::string> found;
  while (std::getline(in, line)) {
    if (!line.starts_with(marker)) continue;
    const auto end = line.find('\'', marker.size());
    if (end != std::string::npos) found = line.substr(marker.size(), end - marker.size());
  }
  if (!found)
    return fail(ErrorKind::kProtocol, "the copy names no GTID position (" + dump.string() + ")");
  return parse_gtid_list(*found);
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

// The source's binlog state as of the copy: the copy's position stands for the writer's own
// entry (the state read after the dump may already be ahead of it); every other server's last
// GTID is older than the position (strict mode: one writer at a time), so it is kept.
GtidList state_at(const GtidList& source_state, const GtidList& position) {
  GtidList out;
  for (const auto& g : source_state) {
    bool replaced = false;
    for (const auto& p : position)
      replaced = replaced || (p.domain == g.domain && p.server_id == g.server_id);
    if (!replaced) out.push_back(g);
  }
  out.insert(out.end(), position.begin(), position.end());
  return out;
}

}  // namespace

Result<void> MariaDbInstance::clone_from(const MariaDbInstance& source, bool semi_sync) {
  std::string pattern = (paths_.dir / "clone.XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    return std::unexpected(Error::system("mkdtemp " + pattern, errno));
  const fs::path work = pattern;  // mkdtemp makes it 0700
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{work};
  const fs::path client_cnf = work / "client.cnf";
  const fs::path dump = work / "copy.sql";
  const fs::path log = paths_.dir / "clone.log";
  {
    const std::string text = "[client]\nuser=" + credentials_.admin.name +
                             "\npassword=" + credentials_.admin.password + "\n";
    const int fd =
        ::open(client_cnf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return std::unexpected(Error::system("create " + client_cnf.string(), errno));
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!written) return fail(ErrorKind::kSystem, "cannot write " + client_cnf.string());
  }
  auto source_state_before = source.gtid_positions();
  if (!source_state_before) return std::unexpected(source_state_before.error());
  const std::string database = app_options().database;
  // --defaults-file (first, and only it): /etc/mysql and ~/.my.cnf must not change the copy.
  if (auto d = run_tool({"mariadb-dump", "--defaults-file=" + client_cnf.string(),
                         "--host=" + source.address(), "--port=" + std::to_string(source.port()),
                         "--single-transaction", "--gtid", "--master-data=2", "--routines",
                         "--databases", database, "--result-file=" + dump.string()},
                        log, "copy " + database + " from " + source.name());
      !d) {
    return d;
  }
  auto position = dump_gtid_position(dump);
  if (!position) return std::unexpected(position.error());
  auto source_state = parse_gtid_list(source_state_before->binlog_state);
  if (!source_state) return std::unexpected(source_state.error());
  // sql_log_bin=0: the import must not become transactions of this server's own (errant for
  // every other server); the data arrives as of `position`.
  if (auto i = run_tool(
          {"mariadb", "--no-defaults", "--socket=" + paths_.socket.string(), "--user=root",
           "--init-command=SET SESSION sql_log_bin=0", "--execute=SOURCE " + dump.string()},
          log, "load the copy into " + name());
      !i) {
    return i;
  }
  // The copy's history as this server's own binlog state: its position is then the copy's, and
  // every later rejoin or errant check sees the transactions it holds (an empty state would
  // make the next rejoin replay the source's binlog from its start over the copy).
  auto c = connect_root();
  if (!c) return std::unexpected(c.error());
  for (const std::string& sql :
       {std::string("RESET MASTER"), "SET GLOBAL gtid_binlog_state=" +
                                         c->quote(to_string(state_at(*source_state, *position)))}) {
    if (auto r = c->exec(sql); !r) return std::unexpected(db_error(r.error(), "clone: " + sql));
  }
  return make_replica_of(source, semi_sync);
}

}  // namespace dr::lab
