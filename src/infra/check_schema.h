// Schema: every resource and data source type, argument and nested block exists in the AWS
// provider schema (from @cdktf/provider-aws's .jsii), and required arguments are present.
//   SCHEMA_TYPE      unknown resource or data source type
//   SCHEMA_ARG       unknown argument or nested block
//   SCHEMA_REQUIRED  a required argument or block is missing
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "infra/finding.h"
#include "infra/stack.h"

namespace dr::infra {

// schema: the compact form written by tools/hcl/extract-schema.mjs.
std::vector<Finding> check_schema(const Stack& stack, const nlohmann::json& schema);

}  // namespace dr::infra
