#include "infra/stack.h"

#include <map>

namespace dr::infra {

namespace fs = std::filesystem;

std::string Block::address() const {
  if (kind == "resource") return type + "." + name;
  if (kind == "data") return "data." + type + "." + name;
  if (kind == "locals" || kind == "terraform") return kind;
  if (kind == "provider") return "provider." + type + (name.empty() ? "" : "." + name);
  return kind + "." + name;
}

std::vector<const Block*> Module::all(std::string_view kind, std::string_view type) const {
  std::vector<const Block*> out;
  for (const auto& b : blocks)
    if (b.kind == kind && (type.empty() || b.type == type)) out.push_back(&b);
  return out;
}

const Block* Module::find(std::string_view kind, std::string_view type,
                          std::string_view name) const {
  for (const auto& b : blocks)
    if (b.kind == kind && b.type == type && b.name == name) return &b;
  return nullptr;
}

std::vector<const ModuleCall*> Stack::calls_of(const Module& callee) const {
  std::vector<const ModuleCall*> out;
  for (const auto& c : calls)
    if (c.callee == &callee) out.push_back(&c);
  return out;
}

std::vector<const ModuleCall*> Stack::calls_from(const Module& caller) const {
  std::vector<const ModuleCall*> out;
  for (const auto& c : calls)
    if (c.caller == &caller) out.push_back(&c);
  return out;
}

int Stack::resource_count() const {
  int n = 0;
  for (const auto& m : modules) n += static_cast<int>(m->all("resource").size());
  return n;
}

namespace {

// Occurrence counters so the second `locals {}` in a file maps to the second header.
using Occurrences = std::map<std::vector<std::string>, int>;

void add_block(Module& m, const SourceFile& f, Occurrences& seen, std::string kind,
               std::string type, std::string name, const nlohmann::json& body) {
  Block b;
  b.kind = std::move(kind);
  b.type = std::move(type);
  b.name = std::move(name);
  b.body = &body;
  b.file = &f;
  std::vector<std::string> header{b.kind};
  if (!b.type.empty()) header.push_back(b.type);
  if (!b.name.empty()) header.push_back(b.name);
  b.lines = find_block(f.text(), header, seen[header]++);
  m.blocks.push_back(std::move(b));
}

void index_file(Module& m, const SourceFile& f) {
  const nlohmann::json& j = *f.parsed->body;
  Occurrences seen;
  for (const char* kind : {"resource", "data"}) {
    if (!j.contains(kind)) continue;
    for (const auto& [type, by_name] : j[kind].items())
      for (const auto& [name, bodies] : by_name.items())
        for (const auto& body : bodies) add_block(m, f, seen, kind, type, name, body);
  }
  for (const char* kind : {"module", "variable", "output"}) {
    if (!j.contains(kind)) continue;
    for (const auto& [name, bodies] : j[kind].items())
      for (const auto& body : bodies) add_block(m, f, seen, kind, "", name, body);
  }
  if (j.contains("provider"))
    for (const auto& [type, bodies] : j["provider"].items())
      for (const auto& body : bodies) add_block(m, f, seen, "provider", type, "", body);
  for (const char* kind : {"locals", "terraform"}) {
    if (!j.contains(kind)) continue;
    for (const auto& body : j[kind]) add_block(m, f, seen, kind, "", "", body);
  }
}

std::string display_of(const fs::path& p, const fs::path& root, const std::string& display_root) {
  fs::path rel = p.lexically_relative(root);
  if (rel.empty() || rel == ".") return display_root;
  return (fs::path(display_root) / rel).lexically_normal().string();
}

Module& load_module(Stack& stack, const ParsedTree& tree, const fs::path& dir, const fs::path& root,
                    const std::string& display_root) {
  for (auto& m : stack.modules)
    if (m->dir == dir) return *m;
  auto m = std::make_unique<Module>();
  m->dir = dir;
  m->display_dir = display_of(dir, root, display_root);
  for (const auto& [path, parsed] : tree) {
    if (path.parent_path() != dir) continue;
    auto f = std::make_unique<SourceFile>();
    f->display = display_of(path, root, display_root);
    f->parsed = &parsed;
    ++stack.file_count;
    if (!parsed.body) {
      stack.findings.push_back(
          {"HCL_PARSE", f->display, parsed.error_line, "", "does not parse: " + parsed.error});
    } else {
      if (!parsed.formatted)
        stack.findings.push_back({"HCL_FORMAT", f->display, parsed.first_unformatted_line, "",
                                  "is not formatted as `terraform fmt` would (first difference "
                                  "here)"});
      index_file(*m, *f);
    }
    m->files.push_back(std::move(f));
  }
  stack.modules.push_back(std::move(m));
  Module& added = *stack.modules.back();
  // Follow local module sources; registry sources cannot be checked offline.
  std::vector<const Block*> calls = added.all("module");
  for (const Block* call : calls) {
    std::string source = call->body->value("source", "");
    ModuleCall mc{&added, call, nullptr};
    if (source.starts_with("./") || source.starts_with("../")) {
      fs::path sub = (dir / source).lexically_normal();
      if (fs::is_directory(sub)) mc.callee = &load_module(stack, tree, sub, root, display_root);
    }
    stack.calls.push_back(mc);
  }
  return added;
}

}  // namespace

Stack build_stack(const ParsedTree& tree, const fs::path& root_dir,
                  const std::string& display_root) {
  Stack stack;
  fs::path root = fs::absolute(root_dir).lexically_normal();
  if (root.filename().empty()) root = root.parent_path();
  load_module(stack, tree, root, root, display_root);
  return stack;
}

}  // namespace dr::infra
