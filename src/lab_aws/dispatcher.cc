#include "lab_aws/dispatcher.h"

#include <cstdio>
#include <random>

#include "lab_aws/form.h"
#include "lab_aws/sigv4_verifier.h"

namespace dr::lab_aws {

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::uint64_t hi = rng();
  const std::uint64_t lo = rng();
  char out[37];
  std::snprintf(out, sizeof out, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0x0fff),
                static_cast<unsigned>(0x8000 | ((lo >> 48) & 0x3fff)),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return out;
}

Protocol protocol_of(const aws::HttpRequest& request) {
  const std::string* type = request.header("Content-Type");
  return type != nullptr && type->starts_with("application/x-amz-json") ? Protocol::kJson
                                                                        : Protocol::kQuery;
}

Dispatcher::Dispatcher(aws::Credentials keys, WallClock clock)
    : keys_(std::move(keys)), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
}

void Dispatcher::add_json_service(const std::string& signing_name, JsonService service) {
  json_services_[signing_name] = std::move(service);
}

void Dispatcher::add_raw_service(const std::string& signing_name, RawService service) {
  raw_services_[signing_name] = std::move(service);
}

void Dispatcher::add_rpc_bridge(const std::string& signing_name, RpcBridge cbor) {
  rpc_bridges_[signing_name] = std::move(cbor);
}

void Dispatcher::add_query_service(const std::string& signing_name, QueryService service) {
  query_services_[signing_name] = std::move(service);
}

WireResponse Dispatcher::handle(const aws::HttpRequest& request) const {
  const std::string request_id = new_request_id();
  const Protocol protocol = protocol_of(request);
  auto caller = verify_signature(request, keys_, clock_());
  if (!caller) {
    // The service is known only when the scope parses; its namespace then goes on the error.
    std::string ns;
    if (const auto* a = request.header("Authorization")) {
      if (auto parsed = parse_authorization(*a)) {
        if (auto it = query_services_.find(parsed->service); it != query_services_.end())
          ns = it->second.xml_namespace;
      }
    }
    return render_error(caller.error(), protocol, request_id, ns);
  }
  if (const auto raw = raw_services_.find(caller->service); raw != raw_services_.end()) {
    try {
      return raw->second(request, *caller, request_id);
    } catch (const std::exception& e) {
      return render_error(internal_failure(caller->service + " failed: " + e.what()), protocol,
                          request_id);
    }
  }
  if (const auto json = json_services_.find(caller->service); json != json_services_.end())
    return answer_json(json->second, request, *caller, request_id);
  const auto service = query_services_.find(caller->service);
  if (const auto cbor = rpc_bridges_.find(caller->service);
      cbor != rpc_bridges_.end() && service != query_services_.end()) {
    if (is_rpc_v2_cbor(request))
      return answer_cbor(service->second, cbor->second, request, *caller, request_id);
    if (protocol == Protocol::kJson && is_json_bridge(request, cbor->second))
      return answer_json_bridge(service->second, cbor->second, request, *caller, request_id);
  }
  if (service == query_services_.end() || protocol == Protocol::kJson) {
    const AwsError e =
        protocol == Protocol::kJson
            ? AwsError{400, "UnknownOperationException",
                       "The lab does not emulate " + caller->service +
                           " in the JSON protocol (docs/lab-aws-endpoint.md lists what it does)"}
            : AwsError{400, "InvalidAction",
                       "The lab does not emulate the service " + caller->service +
                           " (docs/lab-aws-endpoint.md lists what it does)"};
    return render_error(e, protocol, request_id);
  }
  // Query protocol: a POSTed form, or a GET's query string (already decoded into `query`).
  std::expected<FormParams, AwsError> params = FormParams();
  if (request.method == "POST") {
    const std::string* type = request.header("Content-Type");
    if (!request.body.empty() &&
        (type == nullptr || !type->starts_with("application/x-www-form-urlencoded")))
      return render_error({400, "InvalidQueryParameter",
                           "a query-protocol request's body must be "
                           "application/x-www-form-urlencoded"},
                          protocol, request_id, service->second.xml_namespace);
    params = FormParams::parse(request.body);
  } else if (request.method == "GET") {
    params = FormParams::from_pairs(request.query);
  } else {
    return render_error({400, "InvalidAction", request.method + " is not a query-protocol method"},
                        protocol, request_id, service->second.xml_namespace);
  }
  if (!params)
    return render_error(params.error(), protocol, request_id, service->second.xml_namespace);
  return answer_query(service->second, *params, *caller, request_id);
}

}  // namespace dr::lab_aws
