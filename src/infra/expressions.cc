#include "infra/expressions.h"

namespace dr::infra {

namespace {

bool ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool ident_char(char c) {
  return ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

class Scanner {
 public:
  explicit Scanner(const std::string& s) : s_(s) {}

  // A template: literal text with ${...} / %{...} holes. Stops at the end, or at an unescaped
  // quote when `quoted` (a string literal inside an expression).
  void template_(bool quoted) {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (quoted && c == '\\') {
        i_ += 2;
      } else if (quoted && c == '"') {
        ++i_;
        return;
      } else if ((c == '$' || c == '%') && i_ + 1 < s_.size() && s_[i_ + 1] == '{') {
        if (i_ > 0 && s_[i_ - 1] == c) {  // "$${" is an escaped literal
          ++i_;
          continue;
        }
        i_ += 2;
        expression();
      } else {
        ++i_;
      }
    }
  }

  std::vector<Reference> refs;

 private:
  // Until the brace that closes the hole.
  void expression() {
    int depth = 0;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '"') {
        ++i_;
        template_(true);
      } else if (c == '{' || c == '(' || c == '[') {
        ++depth;
        ++i_;
      } else if (c == '}' || c == ')' || c == ']') {
        ++i_;
        if (c == '}' && depth == 0) return;
        --depth;
      } else if (ident_start(c) && (i_ == 0 || (!ident_char(s_[i_ - 1]) && s_[i_ - 1] != '.'))) {
        traversal();
      } else {
        ++i_;
      }
    }
  }

  void traversal() {
    Reference r;
    while (true) {
      std::size_t start = i_;
      while (i_ < s_.size() && ident_char(s_[i_])) ++i_;
      r.parts.emplace_back(s_.substr(start, i_ - start));
      // index steps ([0], ["k"], [*]) end the part we care about
      if (i_ + 1 < s_.size() && s_[i_] == '.' && ident_start(s_[i_ + 1])) {
        ++i_;
        continue;
      }
      break;
    }
    std::size_t j = i_;
    while (j < s_.size() && s_[j] == ' ') ++j;
    bool is_call = j < s_.size() && s_[j] == '(';
    bool is_key = j < s_.size() && (s_[j] == '=' || s_[j] == ':') && r.parts.size() == 1 &&
                  !(j + 1 < s_.size() && s_[j + 1] == '=');
    if (!is_call && !is_key && r.parts.size() > 1) refs.push_back(std::move(r));
  }

  const std::string& s_;
  std::size_t i_ = 0;
};

void collect(const nlohmann::json& v, std::vector<Reference>& out) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.find("{") == std::string::npos) return;
    Scanner sc(s);
    sc.template_(false);
    for (auto& r : sc.refs) out.push_back(std::move(r));
  } else if (v.is_array() || v.is_object()) {
    for (const auto& [key, item] : v.items()) {
      // object keys in hcl2json can be expressions too: "${var.k}" = ...
      if (v.is_object() && key.starts_with("${")) collect(nlohmann::json(key), out);
      collect(item, out);
    }
  }
}

std::vector<Resolved> resolve_in(const Stack& stack, const Module& module,
                                 const nlohmann::json& value, int depth) {
  if (depth > 16) return {std::nullopt};
  if (!value.is_string()) return {value};
  const auto& s = value.get_ref<const std::string&>();
  if (s.find("${") == std::string::npos) return {value};
  if (!is_pure_expression(s)) return {std::nullopt};
  std::string inner = s.substr(2, s.size() - 3);
  if (inner == "true") return {nlohmann::json(true)};
  if (inner == "false") return {nlohmann::json(false)};
  if (inner == "null") return {nlohmann::json(nullptr)};
  if (!inner.starts_with("var.")) return {std::nullopt};
  std::string name = inner.substr(4);
  for (char c : name)
    if (!ident_char(c)) return {std::nullopt};
  const Block* var = module.find("variable", "", name);
  if (var == nullptr) return {std::nullopt};
  nlohmann::json fallback = var->body->contains("default") ? (*var->body)["default"] : nullptr;
  auto calls = stack.calls_of(module);
  if (calls.empty()) {
    if (!var->body->contains("default")) return {std::nullopt};
    return resolve_in(stack, module, fallback, depth + 1);
  }
  std::vector<Resolved> out;
  for (const ModuleCall* call : calls) {
    const nlohmann::json& args = *call->block->body;
    std::vector<Resolved> r = args.contains(name)
                                  ? resolve_in(stack, *call->caller, args[name], depth + 1)
                                  : std::vector<Resolved>{fallback};
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

}  // namespace

std::string Reference::text() const {
  std::string t;
  for (const auto& p : parts) t += (t.empty() ? "" : ".") + p;
  return t;
}

std::vector<Reference> references_in(const nlohmann::json& value) {
  std::vector<Reference> out;
  collect(value, out);
  return out;
}

bool is_pure_expression(const std::string& s) {
  if (!s.starts_with("${") || !s.ends_with("}")) return false;
  // The first hole must close at the very end.
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 2; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '{')
      ++depth;
    else if (c == '}') {
      if (depth == 0) return i == s.size() - 1;
      --depth;
    }
  }
  return false;
}

std::vector<Resolved> resolve(const Stack& stack, const Module& module,
                              const nlohmann::json& value) {
  return resolve_in(stack, module, value, 0);
}

std::vector<Resolved> resolve_attr(const Stack& stack, const Module& module,
                                   const nlohmann::json& body, const std::string& name) {
  if (!body.contains(name)) return {nlohmann::json(nullptr)};
  return resolve(stack, module, body[name]);
}

}  // namespace dr::infra
