#include "infra/check_schema.h"

#include <set>

namespace dr::infra {

namespace {

const std::set<std::string> kMetaArguments{"count",     "for_each",   "provider",   "depends_on",
                                           "lifecycle", "connection", "provisioner"};

class SchemaChecker {
 public:
  SchemaChecker(const nlohmann::json& schema, std::vector<Finding>& out)
      : structs_(schema.at("structs")), out_(out) {}

  void block(const Block& b, const std::string& struct_id) {
    block_ = &b;
    body(*b.body, struct_id, "");
  }

 private:
  void report(const std::string& check, const std::string& message) {
    out_.push_back({check, block_->file->display, block_->lines.first, block_->address(), message});
  }

  // path: where in the block we are, e.g. "rule.statement" (empty at the top).
  void body(const nlohmann::json& b, const std::string& struct_id, const std::string& path) {
    const nlohmann::json& s = structs_.at(struct_id);
    const auto& attrs = s.at("attrs");
    const auto& blocks = s.at("blocks");
    std::set<std::string> dynamic_names;
    if (b.contains("dynamic")) {
      for (const auto& [name, uses] : b["dynamic"].items()) {
        dynamic_names.insert(name);
        if (!blocks.contains(name)) {
          if (!attrs.contains(name))
            report("SCHEMA_ARG", where(path, name) + " is not a block of this type");
          continue;
        }
        for (const auto& use : uses)
          if (use.contains("content"))
            for (const auto& c : use["content"])
              body(c, blocks[name]["struct"].get<std::string>(), where(path, name));
      }
    }
    for (const auto& [name, value] : b.items()) {
      if (name == "dynamic" || (path.empty() && kMetaArguments.contains(name))) continue;
      if (attrs.contains(name)) continue;  // attributes of object type may use block syntax too
      if (!blocks.contains(name)) {
        report("SCHEMA_ARG", where(path, name) + " is not an argument or block of this type");
        continue;
      }
      const std::string sub = blocks[name]["struct"].get<std::string>();
      if (value.is_array()) {
        for (const auto& item : value)
          if (item.is_object()) body(item, sub, where(path, name));
      } else if (value.is_object()) {
        body(value, sub, where(path, name));
      }
    }
    for (const auto& [name, required] : attrs.items())
      if (required.get<int>() == 1 && !b.contains(name) && !dynamic_names.contains(name))
        report("SCHEMA_REQUIRED", "required argument " + where(path, name) + " is missing");
    for (const auto& [name, spec] : blocks.items())
      if (spec["required"].get<int>() == 1 && !b.contains(name) && !dynamic_names.contains(name))
        report("SCHEMA_REQUIRED", "required block " + where(path, name) + " is missing");
  }

  static std::string where(const std::string& path, const std::string& name) {
    return path.empty() ? name : path + "." + name;
  }

  const nlohmann::json& structs_;
  std::vector<Finding>& out_;
  const Block* block_ = nullptr;
};

}  // namespace

std::vector<Finding> check_schema(const Stack& stack, const nlohmann::json& schema) {
  std::vector<Finding> out;
  SchemaChecker checker(schema, out);
  for (const auto& m : stack.modules) {
    for (const Block& b : m->blocks) {
      if (b.kind != "resource" && b.kind != "data") continue;
      const char* table = b.kind == "resource" ? "resource" : "data";
      // Only the AWS provider's schema ships offline; other providers' types are not judged.
      if (!b.type.starts_with("aws_")) continue;
      if (!schema.at(table).contains(b.type)) {
        out.push_back({"SCHEMA_TYPE", b.file->display, b.lines.first, b.address(),
                       b.type + " is not a " + (b.kind == "resource" ? "resource" : "data source") +
                           " of the AWS provider " + schema.value("provider_version", "")});
        continue;
      }
      checker.block(b, schema[table][b.type].get<std::string>());
    }
  }
  return out;
}

}  // namespace dr::infra
