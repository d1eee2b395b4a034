// One AWS service in the JSON protocol, as the lab answers it: POST / with X-Amz-Target
// "<prefix>.<Operation>" and a JSON object body; the answer is a JSON object
// (application/x-amz-json-1.1), errors {"__type": code, "message": ...}.
#pragma once

#include <nlohmann/json.hpp>

#include <expected>
#include <functional>
#include <map>
#include <string>

#include "aws/http.h"
#include "lab_aws/aws_error.h"
#include "lab_aws/sigv4_verifier.h"

namespace dr::lab_aws {

struct JsonService {
  std::string target_prefix;  // "secretsmanager"
  std::map<std::string, std::function<std::expected<nlohmann::json, AwsError>(
                            const nlohmann::json& input, const Caller& caller)>>
      operations;
};

// Runs the request's operation: X-Amz-Target missing, of another prefix or naming an unknown
// operation is 400 UnknownOperationException; a body that is not a JSON object 400
// SerializationException; an exception in a handler 500 InternalFailure.
WireResponse answer_json(const JsonService& service, const aws::HttpRequest& request,
                         const Caller& caller, const std::string& request_id);

}  // namespace dr::lab_aws
