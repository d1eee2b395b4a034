#include "lab_aws/dynamodb_passthrough.h"

#include "aws/sigv4.h"

namespace dr::lab_aws {

DynamoDbPassThrough::DynamoDbPassThrough(EndpointFor endpoints,
                                         std::shared_ptr<aws::HttpTransport> transport,
                                         aws::Credentials local_keys, Clock clock)
    : endpoints_(std::move(endpoints)),
      transport_(std::move(transport)),
      keys_(std::move(local_keys)),
      clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
}

WireResponse DynamoDbPassThrough::forward(const aws::HttpRequest& request,
                                          const Caller& caller) const {
  auto error = [&](const AwsError& e) { return render_error(e, Protocol::kJson, "", ""); };
  auto endpoint = endpoints_(caller.region);
  if (!endpoint)
    return error({400, "UnrecognizedClientException",
                  "The lab runs no DynamoDB in " + caller.region + ": " + endpoint.error()});
  aws::HttpRequest out;
  out.method = request.method;
  out.scheme = "http";
  out.host = *endpoint;
  out.path = request.path;
  out.query = request.query;
  out.body = request.body;
  // What DynamoDB reads; the caller's signature and its date go, ours replace them.
  for (const char* name : {"Content-Type", "X-Amz-Target", "Accept-Encoding"})
    if (const auto* v = request.header(name)) out.set_header(name, *v);
  aws::sign_request(out, keys_, {.region = caller.region, .service = "dynamodb", .time = clock_()});
  auto answer = transport_->send(out);
  if (!answer)
    return error(
        {503, "ServiceUnavailable",
         "The lab's DynamoDB in " + caller.region + " did not answer: " + answer.error().message,
         false});
  const auto* type = answer->header("Content-Type");
  return {answer->status, type ? *type : "application/x-amz-json-1.0", answer->body};
}

}  // namespace dr::lab_aws
