// Shared by the infra tests: the real toolchain (tools/ of this checkout), every fixture under
// tests/infra/fixtures parsed in one Node run, and the provider schema, each loaded once.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "infra/lint.h"
#include "infra/stack.h"
#include "infra/toolchain.h"

namespace dr::infra::testing {

inline std::filesystem::path fixtures_dir() {
  return std::filesystem::path(DR_SOURCE_DIR) / "tests" / "infra" / "fixtures";
}

inline const Toolchain& tools() {
  static const Toolchain t = [] {
    auto r = find_toolchain(std::filesystem::path(DR_SOURCE_DIR) / "tools");
    if (!r) throw std::runtime_error(r.error() + " (run scripts/bootstrap.sh)");
    return *r;
  }();
  return t;
}

// The files under fixtures/<root>, parsed in one Node run and kept for the whole binary (a
// Node start costs ~0.5 s, so each test parses only the fixtures it needs).
inline const ParsedTree& parsed_fixtures(const std::string& root) {
  static std::map<std::string, ParsedTree> cache;
  auto it = cache.find(root);
  if (it != cache.end()) return it->second;
  auto r = parse_tree(tools(), fixtures_dir() / root);
  if (!r) throw std::runtime_error(r.error());
  return cache.emplace(root, std::move(*r)).first->second;
}

inline const nlohmann::json& schema() {
  static const nlohmann::json s = [] {
    auto r = load_provider_schema(tools());
    if (!r) throw std::runtime_error(r.error());
    return *r;
  }();
  return s;
}

// The stack rooted at fixtures/<parse_root>/<rel>, shown as "<parse_root>/<rel>" in findings.
inline LintReport lint_fixture(const std::string& parse_root, const std::string& rel = "") {
  std::string shown = rel.empty() ? parse_root : parse_root + "/" + rel;
  Stack s = build_stack(parsed_fixtures(parse_root), fixtures_dir() / shown, shown);
  return lint_stack(s, &schema());
}

inline std::vector<Finding> findings_of(const LintReport& r, const std::string& check) {
  std::vector<Finding> out;
  std::copy_if(r.findings.begin(), r.findings.end(), std::back_inserter(out),
               [&](const Finding& f) { return f.check == check; });
  return out;
}

inline std::string all_findings(const LintReport& r) {
  std::string s;
  for (const auto& f : r.findings) s += f.to_string() + "\n";
  return s;
}

}  // namespace dr::infra::testing
