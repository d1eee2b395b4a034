// One AWS service endpoint: resolves the URL (or takes an override, like the CLI's
// --endpoint-url), signs each attempt with fresh credentials and the injected clock, sends it
// through the transport with the standard retry mode, and turns error responses into Errors
// with the protocol's error parser.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/http.h"
#include "aws/retry.h"
#include "aws/sigv4.h"
#include "aws/transport.h"

namespace dr::aws {

using Clock = std::function<SystemTime()>;

// What differs between services at the HTTP layer.
struct ServiceInfo {
  std::string endpoint_prefix;  // "dynamodb", "streams.dynamodb", "monitoring", "route53"
  std::string signing_name;     // "dynamodb", "rds", "monitoring", "route53"
  bool global = false;          // one endpoint for all regions, signed for us-east-1 (Route 53)
};

struct ClientConfig {
  std::string region = "us-east-1";
  std::optional<std::string> endpoint_url;  // e.g. "http://127.0.0.1:8000"
  std::shared_ptr<CredentialsProvider> credentials;
  std::shared_ptr<HttpTransport> transport;  // default: make_default_transport()
  Clock clock;                               // default: system_clock::now
  RetryOptions retry;
  RetryHooks retry_hooks;  // default: real random + real sleep
  std::string user_agent = "dr-app/0.1";
};

// Turns a non-2xx response into an Error (service code, message, request id).
using ErrorParser = std::function<Error(const HttpResponse&)>;

class ServiceClient {
 public:
  ServiceClient(ServiceInfo service, ClientConfig config);

  // `request` carries method, path, query, headers and body; scheme and host come from the
  // endpoint. Returns the 2xx response or an error.
  Result<HttpResponse> send(HttpRequest request, const ErrorParser& parse_error);

  const std::string& region() const { return config_.region; }
  const ServiceInfo& service() const { return service_; }
  // The endpoint this client talks to: scheme://host[:port][base path].
  std::string endpoint() const;
  const ClientConfig& config() const { return config_; }
  RetryQuota& quota() { return *quota_; }

 private:
  Result<HttpResponse> attempt(const HttpRequest& request, const ErrorParser& parse_error);

  ServiceInfo service_;
  ClientConfig config_;
  std::string scheme_;
  std::string host_;
  std::string base_path_;
  std::shared_ptr<RetryQuota> quota_;
};

// Validates an endpoint override: http(s)://host[:port][/path], nothing else.
Result<std::string> validate_endpoint_url(const std::string& url);

}  // namespace dr::aws
