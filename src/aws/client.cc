#include "aws/client.h"

#include <chrono>

namespace dr::aws {

Result<std::string> validate_endpoint_url(const std::string& url) {
  std::string_view rest = url;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else {
    return std::unexpected(
        Error::invalid_argument("endpoint URL must start with http:// or https://: " + url));
  }
  std::string_view host = rest.substr(0, rest.find('/'));
  if (host.empty())
    return std::unexpected(Error::invalid_argument("endpoint URL has no host: " + url));
  for (char c : rest) {
    if (c == '?' || c == '#' || c == ' ' || c == '@')
      return std::unexpected(Error::invalid_argument(
          "endpoint URL may hold only scheme, host, port and path: " + url));
  }
  std::string out = url;
  while (out.ends_with('/')) out.pop_back();
  return out;
}

ServiceClient::ServiceClient(ServiceInfo service, ClientConfig config)
    : service_(std::move(service)), config_(std::move(config)) {
  if (!config_.transport) config_.transport = make_default_transport();
  if (!config_.clock) config_.clock = [] { return std::chrono::system_clock::now(); };
  if (!config_.retry_hooks.random || !config_.retry_hooks.sleep)
    config_.retry_hooks = default_retry_hooks();
  quota_ = std::make_shared<RetryQuota>(config_.retry);
  std::string url;
  if (config_.endpoint_url) {
    // A bad override is a configuration error: fail at start-up, not on the first call.
    auto valid = validate_endpoint_url(*config_.endpoint_url);
    if (!valid) throw std::invalid_argument(valid.error().message);
    url = *valid;
  } else if (service_.global) {
    url = "https://" + service_.endpoint_prefix + ".amazonaws.com";
  } else {
    url = "https://" + service_.endpoint_prefix + "." + config_.region + ".amazonaws.com";
  }
  size_t scheme_end = url.find("://");
  scheme_ = url.substr(0, scheme_end);
  std::string rest = url.substr(scheme_end + 3);
  size_t slash = rest.find('/');
  host_ = rest.substr(0, slash);
  base_path_ = slash == std::string::npos ? "" : rest.substr(slash);
}

std::string ServiceClient::endpoint() const {
  return scheme_ + "://" + host_ + base_path_;
}

Result<HttpResponse> ServiceClient::attempt(const HttpRequest& request,
                                            const ErrorParser& parse_error) {
  if (!config_.credentials)
    return std::unexpected(Error::credentials("no credentials provider configured"));
  auto creds = config_.credentials->credentials();
  if (!creds) return std::unexpected(creds.error());

  HttpRequest signed_request = request;
  signed_request.scheme = scheme_;
  signed_request.host = host_;
  signed_request.path = base_path_ + request.path;
  signed_request.set_header("Host", host_);
  SigningConfig signing{
      .region = service_.global ? "us-east-1" : config_.region,
      .service = service_.signing_name,
      .time = config_.clock(),
  };
  sign_request(signed_request, *creds, signing);
  // Not signed (like every SDK): proxies may rewrite it.
  signed_request.set_header("User-Agent", config_.user_agent);

  auto response = config_.transport->send(signed_request);
  if (!response) return std::unexpected(response.error());
  if (response->status >= 200 && response->status < 300) return response;
  Error error = parse_error(*response);
  error.kind = ErrorKind::kServiceError;
  error.http_status = response->status;
  if (error.raw_body.empty()) error.raw_body = response->body;
  return std::unexpected(std::move(error));
}

Result<HttpResponse> ServiceClient::send(HttpRequest request, const ErrorParser& parse_error) {
  std::function<Result<HttpResponse>(int)> once = [&](int) {
    return attempt(request, parse_error);
  };
  return with_retries<HttpResponse>(config_.retry, *quota_, config_.retry_hooks, once);
}

}  // namespace dr::aws
