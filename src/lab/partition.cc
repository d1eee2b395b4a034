#include "lab/partition.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>

#include "lab/process.h"

namespace dr::lab {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTablePrefix = "dr_lab";
constexpr Site kAllSites[] = {Site::kUsEast1, Site::kUsWest2, Site::kGlobal};

Result<void> check_table(std::string_view table) {
  const bool ours = table.starts_with(kTablePrefix) && table.size() <= 64 &&
                    std::all_of(table.begin(), table.end(), [](char c) {
                      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                    });
  if (!ours) {
    return fail(ErrorKind::kConfig, "nftables table '" + std::string(table) +
                                        "' is not the lab's: a name must start with " +
                                        std::string(kTablePrefix) + " and use [a-z0-9_]");
  }
  return {};
}

// One chain per cut region, so that a region's cut can be replaced without touching another's.
std::string chain_of(Site region) {
  std::string name = "cut_" + std::string(site_name(region));
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

// A private directory for the script and nft's output, removed when done.
class ScratchDir {
 public:
  static Result<ScratchDir> make() {
    std::string pattern = (fs::temp_directory_path() / "dr-lab-nft.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return std::unexpected(Error::system("mkdtemp " + pattern, errno));
    }
    return ScratchDir(pattern);
  }
  ScratchDir(ScratchDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  explicit ScratchDir(fs::path path) : path_(std::move(path)) {}
  fs::path path_;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// `nft -f <script>`: one transaction, applied whole or not at all.
Result<void> run_nft(const std::string& script, std::string_view what) {
  if (auto can = check_can_partition(); !can) return can;
  auto dir = ScratchDir::make();
  if (!dir) return std::unexpected(dir.error());
  const fs::path script_file = dir->path() / "script.nft";
  const fs::path log_file = dir->path() / "nft.log";
  {
    std::ofstream out(script_file);
    out << script;
    if (!out.flush()) return fail(ErrorKind::kSystem, "cannot write " + script_file.string());
  }
  SpawnOptions options;
  options.argv = {"nft", "-f", script_file.string()};
  options.log_file = log_file;
  auto nft = Process::spawn(std::move(options));
  if (!nft) return std::unexpected(nft.error());
  auto code = nft->wait(std::chrono::seconds(10));
  if (!code) {
    (void)nft->kill();
    return std::unexpected(code.error());
  }
  if (*code != 0) {
    return fail(ErrorKind::kConfig, std::string(what) + ": nft exited with " +
                                        std::to_string(*code) + ": " + read_file(log_file));
  }
  return {};
}

// The others of a cut: `from` (empty: every site) without the region itself and duplicates.
std::vector<Site> others_of(Site region, const std::vector<Site>& from) {
  std::vector<Site> others;
  for (Site site :
       (from.empty() ? std::vector<Site>(std::begin(kAllSites), std::end(kAllSites)) : from)) {
    if (site != region && std::find(others.begin(), others.end(), site) == others.end()) {
      others.push_back(site);
    }
  }
  return others;
}

std::string set_of(const std::vector<Site>& sites) {
  std::string set = "{ ";
  for (std::size_t i = 0; i < sites.size(); ++i) set += (i == 0 ? "" : ", ") + site_cidr(sites[i]);
  return set + " }";
}

// Where cgroup v2 is mounted (/sys/fs/cgroup on most systems, /sys/fs/cgroup/unified in hybrid
// setups such as this machine's); nullopt when it is not.
std::optional<fs::path> cgroup2_mount() {
  std::ifstream mounts("/proc/self/mounts");
  std::string device, dir, type, rest;
  while (mounts >> device >> dir >> type && std::getline(mounts, rest)) {
    if (type == "cgroup2") return fs::path(dir);
  }
  return std::nullopt;
}

constexpr std::string_view kCgroupDir = "dr_lab";
// nft resolves `socket cgroupv2` paths under this directory, whatever the mount.
constexpr std::string_view kNftCgroupRoot = "/sys/fs/cgroup";

Result<fs::path> site_cgroup_dir(Site site) {
  auto mount = cgroup2_mount();
  if (!mount) return fail(ErrorKind::kNotFound, "no cgroup v2 mount (/proc/self/mounts)");
  return *mount / std::string(kCgroupDir) / std::string(site_name(site));
}

// Makes every site's cgroup (nft refuses a rule naming one that does not exist) and returns how
// nft names them; empty, with the reason in `why`, when that cannot be done here.
std::map<Site, std::string> site_cgroups_for_nft(std::string& why) {
  std::map<Site, std::string> out;
  for (Site site : kAllSites) {
    auto dir = site_cgroup_dir(site);
    if (!dir) {
      why = dir.error().message;
      return {};
    }
    const fs::path rel = dir->lexically_relative(fs::path(kNftCgroupRoot));
    if (rel.empty() || rel.string().starts_with("..")) {
      why = "cgroup v2 is mounted outside " + std::string(kNftCgroupRoot) + ", where nft looks";
      return {};
    }
    std::error_code ec;
    fs::create_directories(*dir, ec);
    if (ec) {
      why = "cannot create " + dir->string() + ": " + ec.message();
      return {};
    }
    out[site] = rel.string();
  }
  return out;
}

}  // namespace

std::optional<Site> site_from_name(std::string_view name) {
  for (Site site : kAllSites) {
    if (site_name(site) == name) return site;
  }
  return std::nullopt;
}

std::optional<Site> site_of_address(std::string_view address) {
  for (Site site : kAllSites) {
    const std::string cidr = site_cidr(site);  // "127.0.N.0/24"
    const std::string prefix = cidr.substr(0, cidr.size() - std::string_view("0/24").size());
    if (address.starts_with(prefix) && address.size() > prefix.size() &&
        address.find_first_not_of("0123456789", prefix.size()) == std::string_view::npos) {
      return site;
    }
  }
  return std::nullopt;
}

Result<void> join_site_cgroup(pid_t pid, Site site) {
  auto dir = site_cgroup_dir(site);
  if (!dir) return std::unexpected(dir.error());
  std::error_code ec;
  fs::create_directories(*dir, ec);
  if (ec) return fail(ErrorKind::kNotFound, "cannot create " + dir->string() + ": " + ec.message());
  std::ofstream procs(*dir / "cgroup.procs");
  procs << pid << "\n";
  if (!procs.flush()) {
    return fail(ErrorKind::kNotFound,
                "cannot move pid " + std::to_string(pid) + " into " + dir->string());
  }
  return {};
}

Result<void> check_can_partition() {
  // Resolved the way Process::spawn resolves it, so that "missing" means what spawn would say.
  SpawnOptions options;
  options.argv = {"nft", "--version"};
  auto nft = Process::spawn(std::move(options));
  if (!nft) {
    return fail(
        ErrorKind::kNotFound,
        "lab partitions need nft (nftables), which is not installed: " + nft.error().message);
  }
  (void)nft->wait(std::chrono::seconds(5));
  if (::geteuid() != 0) {
    return fail(ErrorKind::kRefused, "lab partitions (nftables) need root");
  }
  return {};
}

Result<std::string> render_cut(Site region, const std::vector<Site>& from, std::string_view table,
                               const std::map<Site, std::string>& site_cgroups) {
  if (auto ok = check_table(table); !ok) return std::unexpected(ok.error());
  const std::vector<Site> others = others_of(region, from);
  if (others.empty()) {
    return fail(ErrorKind::kConfig,
                std::string(site_name(region)) + " cannot be cut from itself: name another site");
  }
  const std::string set = set_of(others);
  const std::string t = "inet " + std::string(table);
  const std::string chain = t + " " + chain_of(region);
  const std::string cidr = site_cidr(region);
  std::string script = "add table " + t + "\n";
  // prerouting: every packet on lo passes it on its way in, with the addresses it carries on the
  // wire (after a source NAT on its way out, before a reply is un-NATed at priority -100).
  script +=
      "add chain " + chain + " { type filter hook prerouting priority -150; policy accept; }\n";
  script += "flush chain " + chain + "\n";
  script += "add rule " + chain + " ip saddr " + cidr + " ip daddr " + set + " drop\n";
  script += "add rule " + chain + " ip saddr " + set + " ip daddr " + cidr + " drop\n";
  // The servers' own sockets, whatever address they left from (127.0.0.1 when unbound): what
  // they send in output, what they receive in input (where nft finds the receiving socket).
  const std::string out = chain + "_out";
  const std::string in = chain + "_in";
  script += "add chain " + out + " { type filter hook output priority -150; policy accept; }\n";
  script += "flush chain " + out + "\n";
  script += "add chain " + in + " { type filter hook input priority -150; policy accept; }\n";
  script += "flush chain " + in + "\n";
  auto socket_rules = [&](Site site, const std::string& peers) {
    const auto it = site_cgroups.find(site);
    if (it == site_cgroups.end()) return;
    // Level 2: <root>/dr_lab/<site>, counted from the cgroup hierarchy's root.
    const std::string match = "socket cgroupv2 level 2 \"" + it->second + "\"";
    script += "add rule " + out + " " + match + " ip daddr " + peers + " drop\n";
    script += "add rule " + in + " " + match + " ip saddr " + peers + " drop\n";
  };
  socket_rules(region, set);
  for (Site other : others) socket_rules(other, cidr);
  return script;
}

Result<std::string> render_heal(std::string_view table) {
  if (auto ok = check_table(table); !ok) return std::unexpected(ok.error());
  // nft 1.0.6 has no `destroy`: adding the table first makes deleting it succeed when it is
  // absent, in the same transaction.
  const std::string t = "inet " + std::string(table);
  return "add table " + t + "\ndelete table " + t + "\n";
}

Result<CutResult> cut(Site region, const std::vector<Site>& from, std::string_view table) {
  if (auto ok = check_table(table); !ok) return std::unexpected(ok.error());
  if (auto can = check_can_partition(); !can) return std::unexpected(can.error());
  CutResult result;
  result.from = others_of(region, from);
  std::string why;
  const auto cgroups = site_cgroups_for_nft(why);
  result.servers_cut = !cgroups.empty();
  if (!result.servers_cut) {
    result.note = "only packets carrying the sites' addresses are cut: " + why +
                  ", so MariaDB replication (which cannot bind its address) still crosses it";
  }
  auto script = render_cut(region, from, table, cgroups);
  if (!script) return std::unexpected(script.error());
  if (auto r = run_nft(*script, "cut " + std::string(site_name(region))); !r) {
    return std::unexpected(r.error());
  }
  return result;
}

Result<bool> is_active(std::string_view table) {
  if (auto ok = check_table(table); !ok) return std::unexpected(ok.error());
  if (auto can = check_can_partition(); !can) return std::unexpected(can.error());
  auto dir = ScratchDir::make();
  if (!dir) return std::unexpected(dir.error());
  SpawnOptions options;
  options.argv = {"nft", "list", "table", "inet", std::string(table)};
  const fs::path log_file = dir->path() / "nft.log";
  options.log_file = log_file;
  auto nft = Process::spawn(std::move(options));
  if (!nft) return std::unexpected(nft.error());
  auto code = nft->wait(std::chrono::seconds(10));
  if (!code) {
    (void)nft->kill();
    return std::unexpected(code.error());
  }
  if (*code == 0) return true;
  // nft says "No such file or directory" for a table that does not exist; anything else is an
  // error we cannot read as "no cut".
  const std::string out = read_file(log_file);
  if (out.find("No such file or directory") != std::string::npos) return false;
  return fail(ErrorKind::kSystem, "nft list table " + std::string(table) + " exited with " +
                                      std::to_string(*code) + ": " + out);
}

Result<void> heal(std::string_view table) {
  auto script = render_heal(table);
  if (!script) return std::unexpected(script.error());
  return run_nft(*script, "heal");
}

}  // namespace dr::lab
