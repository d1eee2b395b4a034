// IMDSv2: a session token first (PUT), then the instance profile's role name and its temporary
// credentials, each GET carrying the token.
#include <algorithm>

#include "aws/credential_chain.h"
#include "aws/credential_util.h"

namespace dr::aws {

namespace {

constexpr const char* kTokenPath = "/latest/api/token";
constexpr const char* kRolePath = "/latest/meta-data/iam/security-credentials/";
constexpr const char* kTokenHeader = "X-aws-ec2-metadata-token";
constexpr const char* kTtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";

Result<std::string> imds_endpoint() {
  if (auto endpoint = detail::env("AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
    std::string url = *endpoint;
    while (url.ends_with('/')) url.pop_back();
    if (!url.starts_with("http://") && !url.starts_with("https://"))
      return std::unexpected(Error::credentials(
          "imds: AWS_EC2_METADATA_SERVICE_ENDPOINT must be an http(s) URL: " + *endpoint));
    return url;
  }
  auto mode = detail::env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
  if (mode && iequals(*mode, "IPv6")) return std::string("http://[fd00:ec2::254]");
  return std::string("http://169.254.169.254");
}

HttpRequest metadata_request(const std::string& endpoint, std::string method, std::string path) {
  HttpRequest request;
  request.method = std::move(method);
  size_t sep = endpoint.find("://");
  request.scheme = endpoint.substr(0, sep);
  std::string rest = endpoint.substr(sep + 3);
  size_t slash = rest.find('/');
  request.host = rest.substr(0, slash);
  // An endpoint with a base path keeps it (proxies in tests and sidecars use that).
  request.path = (slash == std::string::npos ? "" : rest.substr(slash)) + path;
  return request;
}

}  // namespace

ImdsCredentialsProvider::ImdsCredentialsProvider(ImdsOptions options)
    : options_(std::move(options)) {
  if (!options_.transport)
    options_.transport = detail::metadata_transport(std::chrono::milliseconds(1000));
  if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
}

Result<std::string> ImdsCredentialsProvider::token(const std::string& endpoint,
                                                   bool force_refresh) {
  // Held across the PUT: concurrent callers wait for one token instead of each fetching one.
  std::lock_guard lock(mu_);
  SystemTime now = options_.clock();
  if (!force_refresh && !token_.empty() && token_endpoint_ == endpoint && now < token_expires_)
    return token_;
  token_.clear();
  HttpRequest request = metadata_request(endpoint, "PUT", kTokenPath);
  request.set_header(kTtlHeader, std::to_string(options_.token_ttl.count()));
  std::string what = "imds: PUT " + request.url();
  auto response = detail::send_with_retry(*options_.transport, request, options_.attempts);
  if (!response) {
    // Nothing answered at the address: not on EC2 (or IMDS turned off at the network level).
    if (response.error().kind == ErrorKind::kNotSent)
      return std::unexpected(
          credentials_not_found(what + ": no metadata service (" + response.error().message + ")"));
    return std::unexpected(Error::credentials(what + ": " + response.error().message));
  }
  if (response->status != 200) {
    std::string hint;
    if (response->status == 403) hint = " (IMDS disabled for this instance?)";
    if (response->status == 404 || response->status == 405)
      hint = " (this endpoint does not support IMDSv2 tokens)";
    return std::unexpected(Error::credentials(what + " returned HTTP " +
                                              std::to_string(response->status) + hint + ": " +
                                              detail::snippet(response->body)));
  }
  std::string fresh = detail::trim(response->body);
  if (fresh.empty() || fresh.find_first_of("\r\n") != std::string::npos)
    return std::unexpected(Error::credentials(what + " returned an unusable token: '" +
                                              detail::snippet(response->body) + "'"));
  // Renew a little before the service forgets it, so a GET never races the token's end.
  auto margin = std::min<std::chrono::seconds>(std::chrono::seconds(60), options_.token_ttl / 2);
  token_ = fresh;
  token_endpoint_ = endpoint;
  token_expires_ = now + options_.token_ttl - margin;
  return token_;
}

Result<HttpResponse> ImdsCredentialsProvider::get(const std::string& endpoint,
                                                  const std::string& path) {
  HttpRequest request = metadata_request(endpoint, "GET", path);
  std::string what = "imds: GET " + request.url();
  // A 401 means the service no longer knows our token (expired early, instance restarted):
  // fetch a new one once.
  for (int round = 1;; ++round) {
    auto token_value = token(endpoint, round > 1);
    if (!token_value) return std::unexpected(token_value.error());
    request.set_header(kTokenHeader, *token_value);
    auto response = detail::send_with_retry(*options_.transport, request, options_.attempts);
    if (!response)
      return std::unexpected(Error::credentials(what + ": " + response.error().message));
    if (response->status == 401 && round == 1) continue;
    if (response->status == 401)
      return std::unexpected(Error::credentials(what + " returned HTTP 401 with a fresh token"));
    return response;
  }
}

Result<Credentials> ImdsCredentialsProvider::credentials() {
  if (auto disabled = detail::env("AWS_EC2_METADATA_DISABLED");
      disabled && iequals(*disabled, "true"))
    return std::unexpected(credentials_not_found("imds: disabled by AWS_EC2_METADATA_DISABLED"));
  auto endpoint = imds_endpoint();
  if (!endpoint) return std::unexpected(endpoint.error());

  auto roles = get(*endpoint, kRolePath);
  if (!roles) return std::unexpected(roles.error());
  if (roles->status == 404)
    return std::unexpected(
        Error::credentials("imds: no instance profile attached to this instance (GET " +
                           std::string(kRolePath) + " returned HTTP 404)"));
  if (roles->status != 200)
    return std::unexpected(Error::credentials("imds: GET " + std::string(kRolePath) +
                                              " returned HTTP " + std::to_string(roles->status) +
                                              ": " + detail::snippet(roles->body)));
  // One role per instance profile; the listing is one name per line.
  std::string role = detail::trim(roles->body.substr(0, roles->body.find('\n')));
  if (role.empty())
    return std::unexpected(Error::credentials("imds: instance profile lists no role"));
  if (role.find_first_of("/?#% ") != std::string::npos)
    return std::unexpected(
        Error::credentials("imds: unexpected role name '" + detail::snippet(role) + "'"));

  auto creds = get(*endpoint, kRolePath + role);
  if (!creds) return std::unexpected(creds.error());
  if (creds->status != 200)
    return std::unexpected(Error::credentials("imds: GET " + std::string(kRolePath) + role +
                                              " returned HTTP " + std::to_string(creds->status) +
                                              ": " + detail::snippet(creds->body)));
  return detail::parse_credentials_json(creds->body, "imds (role " + role + ")");
}

}  // namespace dr::aws
