// Finds the pinned Node tools (scripts/bootstrap.sh installs them into tools/node) and runs the
// thin Node step: HCL -> JSON, formatting differences, and the compact provider schema.
#pragma once

#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dr::infra {

struct Toolchain {
  std::filesystem::path tools_dir;  // the repo's tools/: hcl/*.mjs and node/node_modules
  std::string node;                 // the node executable found on PATH
  std::filesystem::path cache_dir;  // the compact schema cache (never tracked)

  std::filesystem::path node_modules() const { return tools_dir / "node" / "node_modules"; }
};

// Order: the explicit override (--tools-dir), $DR_TOOLS_DIR, then the first tools/ found walking
// up from this executable, then from the working directory. $DR_INFRA_CACHE overrides the cache.
std::expected<Toolchain, std::string> find_toolchain(
    const std::optional<std::filesystem::path>& tools_dir_override);

// One HCL file as HashiCorp's parser and formatter see it.
struct ParsedFile {
  std::string text;
  std::optional<nlohmann::json> body;  // absent when the file does not parse
  std::string error;                   // the parser's message when it does not
  int error_line = 0;                  // 1-based line of the parse error, 0 when unknown
  bool formatted = true;               // unchanged by `terraform fmt`'s formatter
  int first_unformatted_line = 0;
};

using ParsedTree = std::map<std::filesystem::path, ParsedFile>;  // keyed by absolute path

// Every *.tf file under dir (recursively, skipping .terraform), parsed in one Node run.
std::expected<ParsedTree, std::string> parse_tree(const Toolchain& tools,
                                                  const std::filesystem::path& dir);

// "parse config: [main.tf:2,7-3,1: Invalid expression; ...]" -> 2 (0 when absent).
int parse_error_line(const std::string& message);

// The compact AWS provider schema, extracted from @cdktf/provider-aws's .jsii once per package
// version and cached.
std::expected<nlohmann::json, std::string> load_provider_schema(const Toolchain& tools);

}  // namespace dr::infra
