// Small helpers the policy groups share: iterate resources, read nested blocks, and ask
// whether an argument is known to hold a value in every instantiation of its module.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "infra/expressions.h"
#include "infra/policies.h"
#include "infra/stack.h"

namespace dr::infra::policy {

using Visit = std::function<void(const Module&, const Block&)>;
void each(const Stack& s, std::string_view kind, std::string_view type, const Visit& fn);
bool any(const Stack& s, std::string_view kind, std::string_view type);

// The first nested block `name` (block syntax is an array of objects), or null.
const nlohmann::json* sub(const nlohmann::json* body, const std::string& name);
// Every nested block `name`.
std::vector<const nlohmann::json*> subs(const nlohmann::json* body, const std::string& name);

// In every instantiation, the argument resolves to exactly `expected`.
bool always(const Stack& s, const Module& m, const nlohmann::json* body, const std::string& name,
            const nlohmann::json& expected);
// The argument is present and not known to be null/false/empty in any instantiation.
bool set(const Stack& s, const Module& m, const nlohmann::json* body, const std::string& name);
// In some instantiation the argument resolves to exactly `value`.
bool sometimes(const Stack& s, const Module& m, const nlohmann::json* body, const std::string& name,
               const nlohmann::json& value);

// Does any string in value contain needle?
bool mentions(const nlohmann::json& value, const std::string& needle);

// Names referenced from the given argument of blocks of a type, e.g. which documents feed
// aws_kms_key.policy: {"data.aws_iam_policy_document.rds"}.
bool references_block(const nlohmann::json& value, const Block& target);

void violation(std::vector<Violation>& out, const Module& m, const Block& b, std::string msg);

}  // namespace dr::infra::policy
