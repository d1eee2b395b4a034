#include "infra/check_wiring.h"

#include <set>

#include "infra/expressions.h"

namespace dr::infra {

namespace {

// Meta-arguments of a module block: not variables of the called module.
const std::set<std::string> kModuleMeta{"source", "version",  "providers",
                                        "count",  "for_each", "depends_on"};

// Resource types are named <provider>_<kind>; we only resolve the providers this stack uses.
bool looks_like_resource_type(const std::string& s) {
  for (const char* prefix : {"aws_", "random_", "archive_", "tls_", "time_", "null_", "local_"})
    if (s.starts_with(prefix)) return true;
  return false;
}

Finding at(const Block& b, std::string check, std::string message) {
  return {std::move(check), b.file->display, b.lines.first, b.address(), std::move(message)};
}

std::string strip_interpolation(const nlohmann::json& v) {
  if (!v.is_string()) return {};
  std::string s = v.get<std::string>();
  if (s.starts_with("${") && s.ends_with("}")) s = s.substr(2, s.size() - 3);
  return s;
}

// "aws" and "aws.<alias>" for every alias a module may use: configured provider blocks (root)
// and configuration_aliases (child modules).
std::set<std::string> providers_available(const Module& m) {
  std::set<std::string> out{"aws"};
  for (const Block* p : m.all("provider")) {
    if (p->body->contains("alias"))
      out.insert(p->type + "." + (*p->body)["alias"].get<std::string>());
    else
      out.insert(p->type);
  }
  for (const Block* t : m.all("terraform")) {
    if (!t->body->contains("required_providers")) continue;
    for (const auto& rp : (*t->body)["required_providers"])
      for (const auto& [name, spec] : rp.items()) {
        out.insert(name);
        if (spec.is_object() && spec.contains("configuration_aliases"))
          for (const auto& a : spec["configuration_aliases"]) out.insert(strip_interpolation(a));
      }
  }
  return out;
}

std::set<std::string> configuration_aliases(const Module& m) {
  std::set<std::string> out;
  for (const Block* t : m.all("terraform")) {
    if (!t->body->contains("required_providers")) continue;
    for (const auto& rp : (*t->body)["required_providers"])
      for (const auto& [name, spec] : rp.items())
        if (spec.is_object() && spec.contains("configuration_aliases"))
          for (const auto& a : spec["configuration_aliases"]) out.insert(strip_interpolation(a));
  }
  return out;
}

void check_call(const Stack& stack, const ModuleCall& call, std::vector<Finding>& out) {
  const Block& b = *call.block;
  if (call.callee == nullptr) {
    std::string source = b.body->value("source", "");
    if (source.starts_with("./") || source.starts_with("../"))
      out.push_back(at(b, "WIRING_REF", "module source " + source + " is not a directory"));
    return;
  }
  const Module& callee = *call.callee;
  for (const auto& [arg, value] : b.body->items()) {
    (void)value;
    if (kModuleMeta.contains(arg)) continue;
    if (!callee.has_variable(arg))
      out.push_back(at(b, "WIRING_ARG",
                       "passes " + arg + ", which " + callee.display_dir + " does not declare"));
  }
  for (const Block* var : callee.all("variable")) {
    if (var->body->contains("default") || b.body->contains(var->name)) continue;
    out.push_back(at(b, "WIRING_REQUIRED",
                     "does not pass " + var->name + ", a variable of " + callee.display_dir +
                         " without a default"));
  }
  // Providers: what the call passes must be what the module asks for, and exist here.
  std::set<std::string> wanted = configuration_aliases(callee);
  std::set<std::string> available = providers_available(*call.caller);
  std::set<std::string> passed;
  if (b.body->contains("providers")) {
    for (const auto& [key, value] : (*b.body)["providers"].items()) {
      std::string k = strip_interpolation(nlohmann::json(key));
      std::string v = strip_interpolation(value);
      passed.insert(k);
      if (k.find('.') != std::string::npos && !wanted.contains(k))
        out.push_back(at(b, "WIRING_PROVIDER",
                         "passes provider " + k + ", which " + callee.display_dir +
                             " does not list in configuration_aliases"));
      if (!available.contains(v))
        out.push_back(
            at(b, "WIRING_PROVIDER", "passes provider " + v + ", which is not configured here"));
    }
  }
  for (const auto& alias : wanted)
    if (!passed.contains(alias))
      out.push_back(at(b, "WIRING_PROVIDER",
                       "does not pass provider " + alias + ", which " + callee.display_dir +
                           " requires (configuration_aliases)"));
  (void)stack;
}

std::set<std::string> local_names(const Module& m) {
  std::set<std::string> out;
  for (const Block* l : m.all("locals"))
    for (const auto& [k, v] : l->body->items()) {
      (void)v;
      out.insert(k);
    }
  return out;
}

void check_references(const Stack& stack, const Module& m, std::vector<Finding>& out) {
  std::set<std::string> locals = local_names(m);
  for (const Block& b : m.blocks) {
    if (b.kind == "terraform") continue;
    std::set<std::string> reported;
    for (const Reference& r : references_in(*b.body)) {
      const auto& p = r.parts;
      std::string problem;
      if (p[0] == "var") {
        if (!m.has_variable(p[1])) problem = "var." + p[1] + " is not a declared variable";
      } else if (p[0] == "local") {
        if (!locals.contains(p[1])) problem = "local." + p[1] + " is not defined";
      } else if (p[0] == "module") {
        const Block* call = m.find("module", "", p[1]);
        if (call == nullptr) {
          problem = "module." + p[1] + " is not a module call here";
        } else if (p.size() > 2) {
          for (const ModuleCall* c : stack.calls_from(m))
            if (c->block == call && c->callee != nullptr &&
                c->callee->find("output", "", p[2]) == nullptr)
              problem =
                  "module." + p[1] + "." + p[2] + " is not an output of " + c->callee->display_dir;
        }
      } else if (p[0] == "data" && p.size() > 2) {
        if (m.find("data", p[1], p[2]) == nullptr)
          problem = "data." + p[1] + "." + p[2] + " is not declared";
      } else if (looks_like_resource_type(p[0])) {
        if (m.find("resource", p[0], p[1]) == nullptr)
          problem = p[0] + "." + p[1] + " is not declared";
      }
      if (!problem.empty() && reported.insert(problem).second)
        out.push_back(at(b, "WIRING_REF", problem));
    }
  }
}

}  // namespace

std::vector<Finding> check_wiring(const Stack& stack) {
  std::vector<Finding> out;
  for (const auto& call : stack.calls) check_call(stack, call, out);
  for (const auto& m : stack.modules) check_references(stack, *m, out);
  return out;
}

}  // namespace dr::infra
