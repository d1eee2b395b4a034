// DynamoDB and DynamoDB Streams (JSON 1.0; both sign as "dynamodb") passed through to the
// region's DynamoDB Local, the region being the caller's credential scope. The request is
// re-signed with the lab's DynamoDB key (lab/lab_topology.h kLabAccessKeyId): DynamoDB Local
// checks no signature, but keeps one database per access key and region unless -sharedDb, so
// only under the lab's key do the controller's state table and dr-app's tables through this
// endpoint be the very tables dr-app and the lab's replicator use. The answer (status, body,
// errors) is DynamoDB Local's own. A region without a DynamoDB Local is 400
// UnrecognizedClientException; one that does not answer 503 ServiceUnavailable, in the JSON
// protocol's error shape.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "aws/credentials.h"
#include "aws/http.h"
#include "aws/transport.h"
#include "lab_aws/aws_error.h"
#include "lab_aws/sigv4_verifier.h"

namespace dr::lab_aws {

class DynamoDbPassThrough {
 public:
  // region -> "host:port" of its DynamoDB Local, or why there is none.
  using EndpointFor = std::function<std::expected<std::string, std::string>(const std::string&)>;
  using Clock = std::function<aws::SystemTime()>;

  DynamoDbPassThrough(EndpointFor endpoints, std::shared_ptr<aws::HttpTransport> transport,
                      aws::Credentials local_keys, Clock clock = {});

  WireResponse forward(const aws::HttpRequest& request, const Caller& caller) const;

 private:
  EndpointFor endpoints_;
  std::shared_ptr<aws::HttpTransport> transport_;
  aws::Credentials keys_;
  Clock clock_;
};

}  // namespace dr::lab_aws
