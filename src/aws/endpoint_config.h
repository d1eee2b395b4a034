// Where a client sends its requests, resolved as the AWS CLI and SDKs do it ("service-specific
// endpoints"): an explicit endpoint (drctl's --endpoint-url) wins; then AWS_ENDPOINT_URL_<SERVICE>
// (the service id upper-cased, spaces as underscores: AWS_ENDPOINT_URL_AUTO_SCALING); then
// AWS_ENDPOINT_URL; otherwise AWS's own endpoint for the region.
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS =true ignores the two variables, as it does for the CLI. The
// shared config file's endpoint_url and `[services]` sections are not read (say so rather than
// half-support them). This is how one binary talks to AWS, to the lab's AWS endpoint and to moto
// alike.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "aws/client.h"
#include "aws/error.h"

namespace dr::aws {

// "RDS", "AUTO_SCALING", "CLOUDWATCH", "ELASTIC_LOAD_BALANCING_V2", ... from the service's
// endpoint prefix (botocore's serviceId, which names the variable).
std::string endpoint_env_suffix(const ServiceInfo& service);

// The endpoint for `service`, or nullopt for AWS's own. A value that is not an http(s) URL with a
// host is an invalid-argument error naming where it came from (nothing is sent to a typo).
Result<std::optional<std::string>> resolve_endpoint_url(
    const ServiceInfo& service, const std::optional<std::string>& explicit_url = std::nullopt);

// What drctl's AWS commands and the Lambda share: the region and endpoint flags, the credentials
// (the default chain unless given).
struct AwsClientOptions {
  std::optional<std::string> endpoint_url;  // --endpoint-url: every service
  std::optional<std::string> profile;       // --profile (else AWS_PROFILE, then "default")
  std::shared_ptr<CredentialsProvider> credentials;
};

// A ClientConfig for `service` in `region` with the endpoint resolved as above.
Result<ClientConfig> client_config(const ServiceInfo& service, const std::string& region,
                                   const AwsClientOptions& options);

}  // namespace dr::aws
