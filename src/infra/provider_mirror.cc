#include "infra/provider_mirror.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "infra/process.h"

namespace dr::infra {

namespace fs = std::filesystem;

namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

// "5.100.0" -> {5, 100, 0}; empty for anything else (pre-releases included).
std::vector<int> parse_version(const std::string& v) {
  static const std::regex release(R"((\d+)\.(\d+)\.(\d+))");
  std::smatch m;
  if (!std::regex_match(v, m, release)) return {};
  return {std::stoi(m[1].str()), std::stoi(m[2].str()), std::stoi(m[3].str())};
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);  // follows symlinks: mirrors may link their binaries
}

// Owned by root or by us, and not writable by everyone (a sticky directory like /tmp may be,
// above the mirror: nobody can rename what is ours inside it). Above the mirror a group may write
// (Debian's /usr/local is root:staff 2775); from the mirror down, no group may: a member could
// plant a package there.
bool owned_safely(const fs::path& p, bool above_mirror) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return false;
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) return false;
  if (!above_mirror && (st.st_mode & S_IWGRP) != 0) return false;
  if ((st.st_mode & S_IWOTH) == 0) return true;
  return above_mirror && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) != 0;
}

// terraform runs the provider it installs: a mirror another local user could have written into
// (planted a newer version, swapped the binary) must not be used. Checks the mirror's ancestors,
// and every directory from the mirror down to the package.
bool trusted(const fs::path& mirror, const fs::path& package) {
  std::error_code ec;
  const fs::path root = fs::absolute(mirror, ec);
  if (ec) return false;
  for (fs::path a = root.parent_path();; a = a.parent_path()) {
    if (!owned_safely(a, true)) return false;
    if (a == a.parent_path()) break;
  }
  fs::path at = root;
  if (!owned_safely(at, false)) return false;
  for (const auto& part : package.lexically_relative(mirror)) {
    at /= part;
    if (!owned_safely(at, false)) return false;
  }
  return true;
}

// What a mirror's packages for the platform are worth: terraform installs the newest in range,
// whichever that is, so one untrusted package spoils the mirror however many trusted ones it has.
enum class Packages { kNone, kTrusted, kUntrusted };

Packages worst(Packages a, Packages b) {
  return a == Packages::kUntrusted || b == Packages::kUntrusted ? Packages::kUntrusted
         : a == Packages::kTrusted || b == Packages::kTrusted   ? Packages::kTrusted
                                                                : Packages::kNone;
}

Packages package(const fs::path& mirror, const fs::path& file) {
  if (!is_file(file)) return Packages::kNone;
  return trusted(mirror, file) ? Packages::kTrusted : Packages::kUntrusted;
}

Packages unpacked(const fs::path& mirror, const fs::path& version_dir,
                  const std::string& platform) {
  Packages found = Packages::kNone;
  std::error_code ec;
  for (auto it = fs::directory_iterator(version_dir / platform, ec);
       !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (it->path().filename().string().starts_with("terraform-provider-aws_"))
      found = worst(found, package(mirror, it->path()));
  }
  return found;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A bounded walk for a directory named registry.terraform.io whose parent is a mirror: the
// mirror's root is at most this deep, one filesystem, no pseudo-filesystems, no symlinks, and a
// deadline so a huge tree never stalls the lint.
constexpr int kMaxDepth = 6;
constexpr auto kWalkBudget = std::chrono::seconds(10);

std::optional<fs::path> walk_for_mirror(const std::vector<fs::path>& roots,
                                        const std::string& platform) {
  const auto deadline = std::chrono::steady_clock::now() + kWalkBudget;
  for (const auto& root : roots) {
    struct stat root_st {};
    if (::lstat(root.c_str(), &root_st) != 0) continue;
    std::deque<std::pair<fs::path, int>> queue{{root, 0}};
    while (!queue.empty()) {
      if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
      auto [dir, depth] = queue.front();
      queue.pop_front();
      std::error_code ec;
      for (auto it = fs::directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::directory_iterator(); it.increment(ec)) {
        const fs::path& p = it->path();
        if (it->is_symlink(ec) || !it->is_directory(ec)) continue;
        if (p == "/proc" || p == "/sys" || p == "/dev") continue;
        struct stat st {};
        if (::lstat(p.c_str(), &st) != 0 || st.st_dev != root_st.st_dev) continue;
        if (p.filename() == "registry.terraform.io") {
          if (is_provider_mirror(dir, platform)) return dir;
          continue;
        }
        if (depth + 1 < kMaxDepth) queue.emplace_back(p, depth + 1);
      }
    }
  }
  return std::nullopt;
}

// A string literal for HCL: quotes and backslashes escaped, template sequences made literal.
std::string hcl_string(const std::string& s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"' || c == '\\') out += '\\';
    if ((c == '$' || c == '%') && i + 1 < s.size() && s[i + 1] == '{') out += c;
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string terraform_platform() {
  if (auto v = run_process({"terraform", "version", "-json"}, {}, {"CHECKPOINT_DISABLE=1"});
      v && v->exit_code == 0) {
    auto j = nlohmann::json::parse(v->out, nullptr, false);
    if (j.is_object() && j.contains("platform") && j["platform"].is_string())
      return j["platform"].get<std::string>();
  }
#if defined(__aarch64__)
  return "linux_arm64";
#else
  return "linux_amd64";
#endif
}

TerraformEnv TerraformEnv::from_process() {
  TerraformEnv e;
  e.dr_mirror = env_or_empty("DR_TF_PLUGIN_MIRROR");
  const std::string home = env_or_empty("HOME");
  e.cli_config_file = env_or_empty("TF_CLI_CONFIG_FILE");
  if (e.cli_config_file.empty() && !home.empty()) e.cli_config_file = home + "/.terraformrc";
  e.plugin_cache_dir = env_or_empty("TF_PLUGIN_CACHE_DIR");
  // Terraform's implied local mirror directories (CLI configuration docs, "Implied Local Mirror
  // Directories"), then the roots lib.sh also tries.
  if (!home.empty()) e.usual_dirs.push_back(fs::path(home) / ".terraform.d" / "plugins");
  std::string data_home = env_or_empty("XDG_DATA_HOME");
  if (data_home.empty() && !home.empty()) data_home = home + "/.local/share";
  if (!data_home.empty()) e.usual_dirs.push_back(fs::path(data_home) / "terraform" / "plugins");
  std::string data_dirs = env_or_empty("XDG_DATA_DIRS");
  if (data_dirs.empty()) data_dirs = "/usr/local/share:/usr/share";
  std::stringstream dirs(data_dirs);
  for (std::string d; std::getline(dirs, d, ':');)
    if (!d.empty()) e.usual_dirs.push_back(fs::path(d) / "terraform" / "plugins");
  e.usual_dirs.push_back("/opt/tf-plugins");
  e.usual_dirs.push_back("/opt/terraform/plugins");
  e.search_roots = {"/"};
  return e;
}

bool in_stack_range(const std::string& version) {
  std::vector<int> v = parse_version(version);
  return !v.empty() && v >= std::vector<int>{5, 100, 0} && v < std::vector<int>{7, 0, 0};
}

bool is_provider_mirror(const fs::path& dir, const std::string& platform) {
  if (dir.empty()) return false;
  const fs::path aws = dir / "registry.terraform.io" / "hashicorp" / "aws";
  static const std::regex packed(R"(terraform-provider-aws_([^_]+)_(.+)\.zip)");
  Packages found = Packages::kNone;
  std::error_code ec;
  for (auto it = fs::directory_iterator(aws, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::smatch m;
    if (std::regex_match(name, m, packed)) {
      if (m[2].str() == platform && in_stack_range(m[1].str()))
        found = worst(found, package(dir, it->path()));
    } else if (in_stack_range(name)) {
      found = worst(found, unpacked(dir, it->path(), platform));
    }
  }
  return found == Packages::kTrusted;
}

bool configures_provider_installation(const std::string& text) {
  // A block at the start of a line (HCL), or a key of an object (JSON); never inside a comment.
  static const std::regex block(R"((^|[\n{,])\s*"?provider_installation"?\s*[:{])");
  return std::regex_search(text, block);
}

std::string ProviderSource::describe() const {
  return kind == Kind::kMirror ? "providers from the local mirror " + path.string()
                               : "providers as " + path.string() + " installs them";
}

std::expected<ProviderSource, std::string> find_provider_source(const TerraformEnv& env,
                                                                const std::string& platform) {
  // Not there, or there but writable by another local user: either way not one to run.
  const std::string wanted = "registry.terraform.io/hashicorp/aws/<5.100..6.x>/" + platform +
                             " provider that only root or you can write (no directory from the "
                             "mirror down writable by its group or everyone)";
  if (!env.dr_mirror.empty()) {
    if (is_provider_mirror(env.dr_mirror, platform))
      return ProviderSource{ProviderSource::Kind::kMirror, env.dr_mirror};
    return std::unexpected("DR_TF_PLUGIN_MIRROR=" + env.dr_mirror + " holds no " + wanted);
  }
  if (!env.cli_config_file.empty() && is_file(env.cli_config_file) &&
      configures_provider_installation(read_text(env.cli_config_file)))
    return ProviderSource{ProviderSource::Kind::kUserConfig, env.cli_config_file};
  std::vector<fs::path> candidates;
  if (!env.plugin_cache_dir.empty()) candidates.emplace_back(env.plugin_cache_dir);
  candidates.insert(candidates.end(), env.usual_dirs.begin(), env.usual_dirs.end());
  for (const auto& d : candidates)
    if (is_provider_mirror(d, platform)) return ProviderSource{ProviderSource::Kind::kMirror, d};
  if (auto found = walk_for_mirror(env.search_roots, platform))
    return ProviderSource{ProviderSource::Kind::kMirror, *found};
  std::string looked;
  for (const auto& d : candidates) looked += (looked.empty() ? "" : ", ") + d.string();
  for (const auto& r : env.search_roots)
    looked += (looked.empty() ? "" : ", ") + std::string("a walk of ") + r.string();
  // A CLI config is a way out only where one is looked at (drctl infra mirror asks for a mirror).
  return std::unexpected("no local mirror of hashicorp/aws >= 5.100, < 7.0 for " + platform +
                         " (looked in " + looked + "; set DR_TF_PLUGIN_MIRROR to one" +
                         (env.cli_config_file.empty()
                              ? std::string(")")
                              : ", or TF_CLI_CONFIG_FILE to a CLI config with a "
                                "provider_installation block)"));
}

std::expected<CliConfig, std::string> CliConfig::create(const ProviderSource& source) {
  if (source.kind == ProviderSource::Kind::kUserConfig) return CliConfig(source.path, {});
  // mkdtemp makes the directory 0700: no other local user can swap the config under terraform.
  std::string pattern = (fs::temp_directory_path() / "drctl-tfrc-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    return std::unexpected("cannot create a temporary directory for terraform's CLI config");
  fs::path dir = pattern;
  fs::path file = dir / "terraformrc";
  {
    std::ofstream out(file, std::ios::trunc);
    // Only hashicorp/* from the mirror, and never from the registry: offline by design.
    out << "provider_installation {\n"
        << "  filesystem_mirror {\n"
        << "    path    = " << hcl_string(source.path.string()) << "\n"
        << "    include = [\"registry.terraform.io/hashicorp/*\"]\n"
        << "  }\n"
        << "  direct {\n"
        << "    exclude = [\"registry.terraform.io/hashicorp/*\"]\n"
        << "  }\n"
        << "}\n";
    if (!out.flush()) {
      std::error_code ec;
      fs::remove_all(dir, ec);
      return std::unexpected("cannot write " + file.string());
    }
  }
  return CliConfig(file, dir);
}

CliConfig::CliConfig(CliConfig&& other) noexcept
    : path_(std::move(other.path_)), owned_dir_(std::move(other.owned_dir_)) {
  other.owned_dir_.clear();
}

CliConfig::~CliConfig() {
  if (owned_dir_.empty()) return;
  std::error_code ec;
  fs::remove_all(owned_dir_, ec);
}

std::vector<std::string> terraform_child_env(const CliConfig& config) {
  return {"TF_CLI_CONFIG_FILE=" + config.path().string(), "TF_IN_AUTOMATION=1", "TF_INPUT=0",
          "CHECKPOINT_DISABLE=1", "TF_DATA_DIR", "TF_WORKSPACE",
          // -plugin-dir or another config in the user's arguments would bypass the mirror.
          "TF_CLI_ARGS", "TF_CLI_ARGS_init", "TF_CLI_ARGS_validate", "TF_PLUGIN_CACHE_DIR"};
}

}  // namespace dr::infra
