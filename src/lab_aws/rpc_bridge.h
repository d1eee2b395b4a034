// CloudWatch's newer protocols over its query-protocol actions. Its botocore model now lists
// "protocols": ["smithy-rpc-v2-cbor", "json", "query"] with awsQueryCompatible (error codes
// stay the query protocol's): botocore >= 1.40 and the aws CLI on it pick JSON 1.0
// (X-Amz-Target <ServiceName>.<Operation>), other SDKs Smithy RPC v2 CBOR (POST
// /service/<ServiceName>/operation/<Operation>, header smithy-protocol: rpc-v2-cbor). The lab
// runs the very query action: the input is flattened into the query parameters (lists as
// Name.member.N, timestamps, epoch seconds (in CBOR under tag 1), as ISO 8601), the XML result
// turned back into JSON or CBOR by the bridge's type hints (timestamps as epoch seconds,
// numbers, booleans; an element of <member>s or an empty one is a list). Errors are
// {"__type": code, "message"} with the query protocol's status and code.
#pragma once

#include <pugixml.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>

#include "aws/http.h"
#include "lab_aws/query_service.h"

namespace dr::lab_aws {

// The leaf types a CBOR answer needs that XML text does not say.
enum class BridgeType { kInteger, kDouble, kBoolean, kTimestamp };
using BridgeTypes = std::map<std::string, BridgeType>;  // element name -> type; others are text

struct RpcBridge {
  std::string service_name;  // the path's <ServiceName>: "GraniteServiceVersion20100801"
  BridgeTypes types;
};

// The JSON 1.0 form of the same bridge (botocore >= 1.40 picks "json" from the model's
// protocols before CBOR): X-Amz-Target <ServiceName>.<Operation>, timestamps as epoch seconds.
bool is_json_bridge(const aws::HttpRequest& request, const RpcBridge& bridge);
WireResponse answer_json_bridge(const QueryService& service, const RpcBridge& bridge,
                                const aws::HttpRequest& request, const Caller& caller,
                                const std::string& request_id);

// True for a request in Smithy RPC v2 CBOR (its smithy-protocol header).
bool is_rpc_v2_cbor(const aws::HttpRequest& request);

WireResponse answer_cbor(const QueryService& service, const RpcBridge& cbor,
                         const aws::HttpRequest& request, const Caller& caller,
                         const std::string& request_id);

// Exposed for tests.
std::expected<FormParams, AwsError> cbor_to_form(std::string_view body, const std::string& action,
                                                 const BridgeTypes& types);
std::string xml_to_cbor(pugi::xml_node element, const BridgeTypes& types);

}  // namespace dr::lab_aws
