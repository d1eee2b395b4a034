// The AWS JSON protocol (1.0: DynamoDB, DynamoDB Streams; 1.1: Secrets Manager): POST / with
// X-Amz-Target "<prefix>.<Operation>", a JSON body, JSON responses, errors as {"__type",
// "message"}.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "aws/client.h"

namespace dr::aws {

// Requests keep the caller's key order (botocore serializes in the order it is given), so they
// are ordered_json; responses are plain json.
using JsonRequest = nlohmann::ordered_json;

struct JsonProtocol {
  std::string target_prefix;  // "DynamoDB_20120810", "DynamoDBStreams_20120810", "secretsmanager"
  std::string json_version;   // "1.0" or "1.1"
};

// Serializes exactly like Python's json.dumps with default arguments (", " and ": " separators,
// non-ASCII escaped as \uXXXX), which is what botocore sends.
std::string dump_like_botocore(const JsonRequest& body);

// Builds the unsigned HTTP request for `operation` (exposed for the botocore comparison).
HttpRequest json_request(const JsonProtocol& protocol, std::string_view operation,
                         const JsonRequest& input);

Result<nlohmann::json> json_call(ServiceClient& client, const JsonProtocol& protocol,
                                 std::string_view operation, const JsonRequest& input);

// Error body -> Error: "__type" ("com.amazonaws...#Code" or "Code"), "message"/"Message"; the
// x-amzn-ErrorType header wins when present.
Error parse_json_error(const HttpResponse& response);

// Parses a response body; any malformed input is a kParseError, never an exception.
Result<nlohmann::json> parse_json_body(std::string_view body);

}  // namespace dr::aws
