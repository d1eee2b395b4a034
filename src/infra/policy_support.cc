#include "infra/policy_support.h"

namespace dr::infra::policy {

void each(const Stack& s, std::string_view kind, std::string_view type, const Visit& fn) {
  for (const auto& m : s.modules)
    for (const Block* b : m->all(kind, type)) fn(*m, *b);
}

bool any(const Stack& s, std::string_view kind, std::string_view type) {
  for (const auto& m : s.modules)
    if (!m->all(kind, type).empty()) return true;
  return false;
}

const nlohmann::json* sub(const nlohmann::json* body, const std::string& name) {
  auto all = subs(body, name);
  return all.empty() ? nullptr : all.front();
}

std::vector<const nlohmann::json*> subs(const nlohmann::json* body, const std::string& name) {
  std::vector<const nlohmann::json*> out;
  if (body == nullptr || !body->contains(name)) return out;
  const auto& v = (*body)[name];
  if (v.is_object()) out.push_back(&v);
  if (v.is_array())
    for (const auto& item : v)
      if (item.is_object()) out.push_back(&item);
  // dynamic "name" { content { ... } } counts too
  if (body->contains("dynamic") && (*body)["dynamic"].contains(name))
    for (const auto& use : (*body)["dynamic"][name])
      if (use.contains("content"))
        for (const auto& c : use["content"]) out.push_back(&c);
  return out;
}

bool always(const Stack& s, const Module& m, const nlohmann::json* body, const std::string& name,
            const nlohmann::json& expected) {
  if (body == nullptr) return false;
  for (const Resolved& r : resolve_attr(s, m, *body, name))
    if (!r || *r != expected) return false;
  return true;
}

bool set(const Stack& s, const Module& m, const nlohmann::json* body, const std::string& name) {
  if (body == nullptr || !body->contains(name)) return false;
  for (const Resolved& r : resolve_attr(s, m, *body, name)) {
    if (!r) continue;  // computed: e.g. a key ARN from another module
    if (r->is_null() || *r == false || (r->is_string() && r->get<std::string>().empty()) ||
        ((r->is_array() || r->is_object()) && r->empty()))
      return false;
  }
  return true;
}

bool sometimes(const Stack& s, const Module& m, const nlohmann::json* body, const std::string& name,
               const nlohmann::json& value) {
  if (body == nullptr) return false;
  for (const Resolved& r : resolve_attr(s, m, *body, name))
    if (r && *r == value) return true;
  return false;
}

bool mentions(const nlohmann::json& value, const std::string& needle) {
  if (value.is_string()) return value.get<std::string>().find(needle) != std::string::npos;
  if (value.is_array() || value.is_object())
    for (const auto& [k, v] : value.items())
      if (k.find(needle) != std::string::npos || mentions(v, needle)) return true;
  return false;
}

bool references_block(const nlohmann::json& value, const Block& target) {
  for (const Reference& r : references_in(value)) {
    const auto& p = r.parts;
    if (target.kind == "resource" && p.size() >= 2 && p[0] == target.type && p[1] == target.name)
      return true;
    if (target.kind == "data" && p.size() >= 3 && p[0] == "data" && p[1] == target.type &&
        p[2] == target.name)
      return true;
  }
  return false;
}

void violation(std::vector<Violation>& out, const Module& m, const Block& b, std::string msg) {
  out.push_back({&m, &b, std::move(msg)});
}

}  // namespace dr::infra::policy
