// The lab's failover function configuration: the variables infra/modules/lambda gives the
// controller on AWS (every DR_* of src/lambda/config.cc), filled in for one running lab as the
// lab's AWS endpoint names its resources (docs/lab-aws-endpoint.md, "The mapping"), plus where
// AWS is (AWS_ENDPOINT_URL) and the lab's keys, standing in for the execution role. What `drctl
// lab env --function` prints and the drills give the lab's Lambda (`drctl lab lambda run
// --env-file`). Pure: the lab's state and keys in, the variables out.
#pragma once

#include <nlohmann/json.hpp>

#include <expected>
#include <string>
#include <utility>
#include <vector>

#include "aws/credentials.h"
#include "lab/lab_state.h"

namespace dr::lab_aws {

// The controller's state table in the lab: the one `drctl controller` and the operator's commands
// (ack, automatic-failover, failback) use, so both control paths read the same guards.
inline constexpr const char* kLabStateTable = "dr-controller";

using FunctionEnv = std::vector<std::pair<std::string, std::string>>;

// In the order of infra/modules/lambda's block. An error when the lab does not serve its AWS
// endpoint yet or names no ALB for a region.
std::expected<FunctionEnv, std::string> lab_function_env(const lab::LabState& state,
                                                         const aws::Credentials& keys);

// The variables as one JSON object (name -> value), what a `--env-file` holds.
nlohmann::json to_json(const FunctionEnv& env);

}  // namespace dr::lab_aws
