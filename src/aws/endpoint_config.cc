#include "aws/endpoint_config.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "aws/credential_chain.h"
#include "aws/credential_util.h"

namespace dr::aws {

namespace {

// endpoint prefix -> botocore serviceId, for the services we call. Another prefix falls back to
// itself upper-cased, which is what the SDKs derive for single-word ids.
const std::map<std::string, std::string, std::less<>>& service_ids() {
  static const std::map<std::string, std::string, std::less<>> ids{
      {"autoscaling", "Auto Scaling"},
      {"dynamodb", "DynamoDB"},
      {"elasticloadbalancing", "Elastic Load Balancing v2"},
      {"lambda", "Lambda"},
      {"monitoring", "CloudWatch"},
      {"rds", "RDS"},
      {"route53", "Route 53"},
      {"secretsmanager", "Secrets Manager"},
      {"sns", "SNS"},
      {"streams.dynamodb", "DynamoDB Streams"},
      {"sts", "STS"},
  };
  return ids;
}

bool truthy(const std::optional<std::string>& value) {
  if (!value) return false;
  std::string v = *value;
  std::ranges::transform(v, v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v == "true";
}

// http(s)://host[:port][/path]: enough to catch a typo or a missing scheme before any request.
Result<std::string> checked(const std::string& url, const std::string& from) {
  const auto scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https")
    return std::unexpected(Error::invalid_argument(
        from + " is \"" + url + "\": an endpoint URL starts with http:// or https://"));
  const std::string rest = url.substr(scheme_end + 3);
  const std::string host = rest.substr(0, rest.find_first_of(":/?#"));
  if (host.empty() || std::ranges::any_of(host, [](unsigned char c) { return std::isspace(c); }))
    return std::unexpected(
        Error::invalid_argument(from + " is \"" + url + "\": an endpoint URL needs a host"));
  return url;
}

}  // namespace

std::string endpoint_env_suffix(const ServiceInfo& service) {
  auto it = service_ids().find(service.endpoint_prefix);
  std::string id = it == service_ids().end() ? service.endpoint_prefix : it->second;
  for (auto& c : id) {
    c = (c == ' ' || c == '.' || c == '-') ? '_' : static_cast<char>(std::toupper(c));
  }
  return id;
}

Result<std::optional<std::string>> resolve_endpoint_url(
    const ServiceInfo& service, const std::optional<std::string>& explicit_url) {
  if (explicit_url) {
    auto url = checked(*explicit_url, "--endpoint-url");
    if (!url) return std::unexpected(url.error());
    return *url;
  }
  if (truthy(detail::env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) return std::nullopt;
  const std::string specific = "AWS_ENDPOINT_URL_" + endpoint_env_suffix(service);
  for (const std::string& name : {specific, std::string("AWS_ENDPOINT_URL")}) {
    auto value = detail::env(name.c_str());
    if (!value || value->empty()) continue;
    auto url = checked(*value, name);
    if (!url) return std::unexpected(url.error());
    return *url;
  }
  return std::nullopt;
}

Result<ClientConfig> client_config(const ServiceInfo& service, const std::string& region,
                                   const AwsClientOptions& options) {
  if (region.empty())
    return std::unexpected(Error::invalid_argument("no region for " + endpoint_env_suffix(service) +
                                                   ": pass --region or set AWS_REGION"));
  auto endpoint = resolve_endpoint_url(service, options.endpoint_url);
  if (!endpoint) return std::unexpected(endpoint.error());
  ClientConfig config;
  config.region = region;
  config.endpoint_url = *endpoint;
  config.credentials = options.credentials;
  if (!config.credentials) {
    DefaultChainOptions chain;
    if (options.profile) chain.profile.profile = *options.profile;
    config.credentials = make_default_credentials_chain(chain);
  }
  return config;
}

}  // namespace dr::aws
