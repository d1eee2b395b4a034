// A Terraform configuration as the checks see it: modules (one per directory), their top-level
// blocks with file and line, and the module calls that link them, rooted at the linted dir.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "infra/finding.h"
#include "infra/source_map.h"
#include "infra/toolchain.h"

namespace dr::infra {

struct SourceFile {
  std::string display;  // path shown in findings, e.g. "infra/modules/rds/main.tf"
  const ParsedFile* parsed = nullptr;
  const std::string& text() const { return parsed->text; }
};

struct Block {
  std::string kind;  // resource, data, module, variable, output, locals, provider, terraform
  std::string type;  // resource / data source type, provider name; empty otherwise
  std::string name;
  const nlohmann::json* body = nullptr;  // the block's attributes and nested blocks
  const SourceFile* file = nullptr;
  LineRange lines;

  std::string address() const;  // "aws_lb.this", "data.aws_iam_policy_document.x", "module.rds"
};

struct Module {
  std::filesystem::path dir;  // absolute
  std::string display_dir;
  std::vector<std::unique_ptr<SourceFile>> files;
  std::vector<Block> blocks;

  std::vector<const Block*> all(std::string_view kind, std::string_view type = {}) const;
  const Block* find(std::string_view kind, std::string_view type, std::string_view name) const;
  bool has_variable(std::string_view name) const { return find("variable", "", name) != nullptr; }
};

struct ModuleCall {
  const Module* caller = nullptr;
  const Block* block = nullptr;    // the `module "x"` block in the caller
  const Module* callee = nullptr;  // null when the source is not a local directory
};

struct Stack {
  std::vector<std::unique_ptr<Module>> modules;  // modules[0] is the root
  std::vector<ModuleCall> calls;
  std::vector<Finding> findings;  // parse and format findings met while loading
  int file_count = 0;

  const Module& root() const { return *modules.front(); }
  std::vector<const ModuleCall*> calls_of(const Module& callee) const;
  std::vector<const ModuleCall*> calls_from(const Module& caller) const;
  int resource_count() const;
};

// Builds the stack rooted at root_dir from files parsed by parse_tree (which may hold more
// files than this stack uses). display_root is how root_dir is shown in findings.
Stack build_stack(const ParsedTree& tree, const std::filesystem::path& root_dir,
                  const std::string& display_root);

}  // namespace dr::infra
