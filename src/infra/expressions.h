// Reads Terraform expressions in hcl2json's form, where an expression is a "${...}" string:
// which names they reference, and what value an argument has where that is knowable offline.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "infra/stack.h"

namespace dr::infra {

// A traversal such as var.x, local.y, module.m.out, aws_lb.this.arn, data.aws_x.y.id.
struct Reference {
  std::vector<std::string> parts;  // {"module", "m", "out"}
  std::string text() const;
};

// Every traversal in the templates of a value (recursively through arrays and objects).
// Function names, object keys and bare single names are left out.
std::vector<Reference> references_in(const nlohmann::json& value);

// True when s is a single interpolation "${...}" and nothing else.
bool is_pure_expression(const std::string& s);

// The values an argument can take in each instantiation of its module, following
// `var.x` through module calls to a literal or a variable default. nullopt = not knowable
// offline (a computed attribute, a function call, ...).
using Resolved = std::optional<nlohmann::json>;
std::vector<Resolved> resolve(const Stack& stack, const Module& module,
                              const nlohmann::json& value);

// Same, for a named attribute of a block; an absent attribute resolves to null.
std::vector<Resolved> resolve_attr(const Stack& stack, const Module& module,
                                   const nlohmann::json& body, const std::string& name);

}  // namespace dr::infra
