#include "infra/toolchain.h"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <system_error>

#include "infra/process.h"

namespace dr::infra {

namespace fs = std::filesystem;

namespace {

bool looks_like_tools_dir(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / "hcl" / "parse.mjs", ec);
}

std::optional<fs::path> walk_up_for_tools(fs::path from) {
  std::error_code ec;
  for (fs::path dir = fs::weakly_canonical(from, ec); !dir.empty(); dir = dir.parent_path()) {
    if (looks_like_tools_dir(dir / "tools")) return dir / "tools";
    if (dir == dir.parent_path()) break;
  }
  return std::nullopt;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string tail(const std::string& s, std::size_t n) {
  return s.size() <= n ? s : "..." + s.substr(s.size() - n);
}

}  // namespace

std::expected<Toolchain, std::string> find_toolchain(
    const std::optional<fs::path>& tools_dir_override) {
  Toolchain t;
  std::optional<fs::path> dir = tools_dir_override;
  if (!dir) {
    if (const char* env = std::getenv("DR_TOOLS_DIR"); env != nullptr && *env != '\0') dir = env;
  }
  if (!dir) {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) dir = walk_up_for_tools(exe.parent_path());
  }
  if (!dir) dir = walk_up_for_tools(fs::current_path());
  if (!dir)
    return std::unexpected("cannot find the repo's tools/ (pass --tools-dir or set DR_TOOLS_DIR)");
  if (!looks_like_tools_dir(*dir))
    return std::unexpected(dir->string() + " is not a tools directory (no hcl/parse.mjs)");
  t.tools_dir = fs::absolute(*dir);
  std::error_code ec;
  if (!fs::exists(t.node_modules() / "@cdktf" / "hcl2json", ec))
    return std::unexpected(t.node_modules().string() +
                           " lacks @cdktf/hcl2json: run scripts/bootstrap.sh");
  t.node = find_on_path("node");
  if (t.node.empty()) return std::unexpected("node not found on PATH: run scripts/bootstrap.sh");
  if (const char* env = std::getenv("DR_INFRA_CACHE"); env != nullptr && *env != '\0')
    t.cache_dir = env;
  else
    t.cache_dir = t.tools_dir / "node" / ".cache";
  return t;
}

int parse_error_line(const std::string& message) {
  static const std::regex where(R"(\.tf(?:vars)?:(\d+),\d+)");
  std::smatch m;
  if (std::regex_search(message, m, where)) return std::stoi(m[1].str());
  return 0;
}

std::expected<ParsedTree, std::string> parse_tree(const Toolchain& tools, const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::unexpected(dir.string() + ": not a directory");
  std::vector<std::string> argv{tools.node, (tools.tools_dir / "hcl" / "parse.mjs").string(),
                                tools.node_modules().string()};
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_directory() && it->path().filename() == ".terraform") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && it->path().extension() == ".tf")
      files.push_back(fs::absolute(it->path()).lexically_normal());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) argv.push_back(f.string());

  ParsedTree tree;
  if (files.empty()) return tree;
  auto run = run_process(argv);
  if (!run) return std::unexpected(run.error());
  if (run->exit_code != 0)
    return std::unexpected("node parse.mjs exited " + std::to_string(run->exit_code) + ": " +
                           tail(run->err, 2000));
  nlohmann::json out = nlohmann::json::parse(run->out, nullptr, false);
  if (out.is_discarded() || !out.contains("files"))
    return std::unexpected("node parse.mjs printed something that is not its JSON report");
  for (const auto& entry : out["files"]) {
    fs::path p = entry.value("path", "");
    ParsedFile f;
    f.text = read_file(p);
    if (entry.contains("error")) {
      f.error = entry["error"].get<std::string>();
      f.error_line = parse_error_line(f.error);
    } else {
      f.body = entry.value("json", nlohmann::json::object());
      f.formatted = entry.value("formatted", true);
      f.first_unformatted_line = entry.value("first_diff_line", 0);
    }
    tree.emplace(p, std::move(f));
  }
  return tree;
}

std::expected<nlohmann::json, std::string> load_provider_schema(const Toolchain& tools) {
  fs::path pkg = tools.node_modules() / "@cdktf" / "provider-aws" / "package.json";
  nlohmann::json pkg_json = nlohmann::json::parse(read_file(pkg), nullptr, false);
  if (pkg_json.is_discarded()) return std::unexpected(pkg.string() + ": missing or not JSON");
  std::string version = pkg_json.value("version", "unknown");
  // The extractor's size keys the cache too, so editing it invalidates old caches.
  std::error_code ec;
  fs::path extractor = tools.tools_dir / "hcl" / "extract-schema.mjs";
  auto extractor_size = fs::file_size(extractor, ec);
  fs::path cache = tools.cache_dir / ("provider-aws-" + version + "-" +
                                      std::to_string(ec ? 0 : extractor_size) + ".json");
  if (!fs::exists(cache, ec)) {
    fs::create_directories(tools.cache_dir, ec);
    auto run = run_process(
        {tools.node, extractor.string(), tools.node_modules().string(), cache.string()});
    if (!run) return std::unexpected(run.error());
    if (run->exit_code != 0)
      return std::unexpected("schema extraction failed: " + tail(run->err, 2000));
  }
  nlohmann::json schema = nlohmann::json::parse(read_file(cache), nullptr, false);
  if (schema.is_discarded() || !schema.contains("structs"))
    return std::unexpected(cache.string() + ": unreadable schema cache (delete it)");
  return schema;
}

}  // namespace dr::infra
