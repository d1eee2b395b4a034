#include "lab_aws/json_service.h"

namespace dr::lab_aws {

WireResponse answer_json(const JsonService& service, const aws::HttpRequest& request,
                         const Caller& caller, const std::string& request_id) {
  auto error = [&](const AwsError& e) { return render_error(e, Protocol::kJson, request_id); };
  const std::string* target = request.header("X-Amz-Target");
  const std::string prefix = service.target_prefix + ".";
  if (target == nullptr || !target->starts_with(prefix))
    return error({400, "UnknownOperationException",
                  "X-Amz-Target must name a " + service.target_prefix + " operation"});
  const std::string operation = target->substr(prefix.size());
  const auto it = service.operations.find(operation);
  if (it == service.operations.end())
    return error({400, "UnknownOperationException",
                  "The lab does not answer " + operation +
                      " (docs/lab-aws-endpoint.md lists what it does)"});
  const auto input =
      nlohmann::json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
  if (input.is_discarded() || !input.is_object())
    return error({400, "SerializationException", "The request body must be a JSON object"});
  try {
    auto out = it->second(input, caller);
    if (!out) return error(out.error());
    return {200, "application/x-amz-json-1.1", out->dump()};
  } catch (const std::exception& e) {
    return error(internal_failure(operation + " failed: " + e.what()));
  }
}

}  // namespace dr::lab_aws
