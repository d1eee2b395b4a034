// The lab's AWS endpoint, protocol side: every request is verified (sigv4_verifier.h), then
// handed to the service its credential scope names. Query-protocol services (rds, autoscaling)
// read their parameters from the form body (or a GET's query string); JSON-protocol ones
// (secretsmanager) their X-Amz-Target and JSON body. Whatever goes wrong, the
// answer is AWS's error shape with AWS's code: an unknown service or action is 400 InvalidAction
// (UnknownOperationException for a JSON-protocol client), a malformed body 400, a handler that
// throws 500 InternalFailure. Independent of HTTP plumbing, so it is unit-tested on requests
// signed with src/aws/sigv4.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "aws/credentials.h"
#include "aws/http.h"
#include "lab_aws/aws_error.h"
#include "lab_aws/json_service.h"
#include "lab_aws/query_service.h"
#include "lab_aws/rpc_bridge.h"

namespace dr::lab_aws {

class Dispatcher {
 public:
  using WallClock = std::function<aws::SystemTime()>;

  explicit Dispatcher(aws::Credentials keys, WallClock clock = {});

  // `signing_name`: the service in the credential scope ("rds", "autoscaling").
  void add_query_service(const std::string& signing_name, QueryService service);
  void add_json_service(const std::string& signing_name, JsonService service);
  // A service that reads the verified request itself (rest-xml route53, the dynamodb
  // pass-through): it answers everything, errors included, in its own protocol.
  using RawService = std::function<WireResponse(const aws::HttpRequest& request,
                                                const Caller& caller, const std::string& id)>;
  void add_raw_service(const std::string& signing_name, RawService service);
  // The query service `signing_name` answers Smithy RPC v2 CBOR clients too (rpc_bridge.h).
  void add_rpc_bridge(const std::string& signing_name, RpcBridge cbor);

  WireResponse handle(const aws::HttpRequest& request) const;

 private:
  aws::Credentials keys_;
  WallClock clock_;
  std::map<std::string, QueryService> query_services_;
  std::map<std::string, JsonService> json_services_;
  std::map<std::string, RawService> raw_services_;
  std::map<std::string, RpcBridge> rpc_bridges_;
};

// A fresh request id (UUID version 4 text, like AWS's).
std::string new_request_id();

// The protocol a client expects its errors in, from its Content-Type (application/x-amz-json-*
// is the JSON protocol; everything else gets the query protocol's XML).
Protocol protocol_of(const aws::HttpRequest& request);

}  // namespace dr::lab_aws
