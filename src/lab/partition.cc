#include "lab/partition.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
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

}  // namespace

Result<void> check_can_partition() {
  // Resolved the way Process::spawn resolves it, so that "missing" means what spawn would say.
  SpawnOptions options;
  options.argv = {"nft", "--version"};
  auto nft = Process::spawn(std::move(options));
  if (!nft) {
    return fail(
        ErrorKind::kNotFound,
        "cannot cut the lab's network: nft (nftables) is not installed: " + nft.error().message);
  }
  (void)nft->wait(std::chrono::seconds(5));
  if (::geteuid() != 0) {
    return fail(ErrorKind::kRefused, "cannot cut the lab's network: nftables needs root");
  }
  return {};
}

Result<std::string> render_cut(Site region, const std::vector<Site>& from, std::string_view table) {
  if (auto ok = check_table(table); !ok) return std::unexpected(ok.error());
  std::vector<Site> others;
  for (Site site :
       (from.empty() ? std::vector<Site>(std::begin(kAllSites), std::end(kAllSites)) : from)) {
    if (site != region && std::find(others.begin(), others.end(), site) == others.end()) {
      others.push_back(site);
    }
  }
  if (others.empty()) {
    return fail(ErrorKind::kConfig,
                std::string(site_name(region)) + " cannot be cut from itself: name another site");
  }
  std::string set = "{ ";
  for (std::size_t i = 0; i < others.size(); ++i) {
    set += (i == 0 ? "" : ", ") + site_cidr(others[i]);
  }
  set += " }";
  const std::string t = "inet " + std::string(table);
  const std::string chain = t + " " + chain_of(region);
  const std::string cidr = site_cidr(region);
  // prerouting: every packet on lo passes it on its way in, with the addresses it carries on the
  // wire (after a source NAT on its way out, before a reply is un-NATed at priority -100).
  return "add table " + t + "\n" + "add chain " + chain +
         " { type filter hook prerouting priority -150; policy accept; }\n" + "flush chain " +
         chain + "\n" + "add rule " + chain + " ip saddr " + cidr + " ip daddr " + set + " drop\n" +
         "add rule " + chain + " ip saddr " + set + " ip daddr " + cidr + " drop\n";
}

Result<std::string> render_heal(std::string_view table) {
  if (auto ok = check_table(table); !ok) return std::unexpected(ok.error());
  // nft 1.0.6 has no `destroy`: adding the table first makes deleting it succeed when it is
  // absent, in the same transaction.
  const std::string t = "inet " + std::string(table);
  return "add table " + t + "\ndelete table " + t + "\n";
}

Result<void> cut(Site region, const std::vector<Site>& from, std::string_view table) {
  auto script = render_cut(region, from, table);
  if (!script) return std::unexpected(script.error());
  return run_nft(*script, "cut " + std::string(site_name(region)));
}

Result<void> heal(std::string_view table) {
  auto script = render_heal(table);
  if (!script) return std::unexpected(script.error());
  return run_nft(*script, "heal");
}

}  // namespace dr::lab
