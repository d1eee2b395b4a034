// Credentials from the container agent: the ECS task role (relative URI on 169.254.170.2) or a
// full URI (EKS pod identity, other containers), with an optional authorization token.
#include <fstream>
#include <sstream>

#include "aws/credential_chain.h"
#include "aws/credential_util.h"
#include "aws/encoding.h"

namespace dr::aws {

namespace {

constexpr const char* kEcsHost = "169.254.170.2";

struct SplitUrl {
  std::string scheme;
  std::string host;  // host[:port]
  std::string hostname;
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
};

std::optional<SplitUrl> split_url(std::string_view url) {
  SplitUrl out;
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  out.scheme = std::string(url.substr(0, sep));
  url.remove_prefix(sep + 3);
  size_t end = url.find_first_of("/?#");
  out.host = std::string(url.substr(0, end));
  url = end == std::string_view::npos ? std::string_view{} : url.substr(end);
  if (out.host.empty() || out.host.find('@') != std::string::npos) return std::nullopt;
  if (out.host.front() == '[') {
    size_t close = out.host.find(']');
    if (close == std::string::npos) return std::nullopt;
    out.hostname = out.host.substr(0, close + 1);
  } else {
    out.hostname = out.host.substr(0, out.host.find(':'));
  }
  if (size_t hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  size_t q = url.find('?');
  out.path = std::string(url.substr(0, q));
  if (out.path.empty()) out.path = "/";
  if (q != std::string_view::npos) {
    std::string_view query = url.substr(q + 1);
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      size_t eq = pair.find('=');
      if (!pair.empty())
        out.query.emplace_back(uri_decode(pair.substr(0, eq)),
                               eq == std::string_view::npos ? "" : uri_decode(pair.substr(eq + 1)));
      query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    }
  }
  return out;
}

bool is_loopback_v4(std::string_view host) {
  // 127.0.0.0/8, written as four dotted decimals.
  if (!host.starts_with("127.")) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

// Plain http is acceptable only where the traffic cannot leave the host (or the ECS/EKS agents'
// link-local addresses, which the SDKs also allow).
bool allowed_http_host(std::string_view hostname) {
  return hostname == "localhost" || is_loopback_v4(hostname) || hostname == "[::1]" ||
         hostname == kEcsHost || hostname == "169.254.170.23" || hostname == "[fd00:ec2::23]";
}

Result<std::string> authorization_token() {
  if (auto path = detail::env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
    // Read on every call: EKS rotates the token file.
    std::ifstream in(*path, std::ios::binary);
    if (!in)
      return std::unexpected(Error::credentials(
          "container: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *path + " cannot be read"));
    std::ostringstream text;
    text << in.rdbuf();
    std::string token = detail::trim(text.str());
    if (token.find_first_of("\r\n") != std::string::npos)
      return std::unexpected(
          Error::credentials("container: token in " + *path + " spans several lines"));
    return token;
  }
  std::string token = detail::env("AWS_CONTAINER_AUTHORIZATION_TOKEN").value_or("");
  if (token.find_first_of("\r\n") != std::string::npos)
    return std::unexpected(
        Error::credentials("container: AWS_CONTAINER_AUTHORIZATION_TOKEN contains a line break"));
  return token;
}

}  // namespace

Result<std::string> validate_container_uri(const std::string& uri) {
  auto url = split_url(uri);
  if (!url) return std::unexpected(Error::credentials("container: '" + uri + "' is not a URL"));
  if (url->scheme == "https") return uri;
  if (url->scheme != "http")
    return std::unexpected(Error::credentials("container: '" + uri + "' must use http or https"));
  if (!allowed_http_host(url->hostname))
    return std::unexpected(Error::credentials(
        "container: '" + uri +
        "' uses plain http to a host that is not loopback or the ECS/EKS agent; use https"));
  return uri;
}

ContainerCredentialsProvider::ContainerCredentialsProvider(std::shared_ptr<HttpTransport> transport)
    : transport_(transport ? std::move(transport)
                           : detail::metadata_transport(std::chrono::milliseconds(2000))) {}

Result<Credentials> ContainerCredentialsProvider::credentials() {
  std::string uri;
  if (auto relative = detail::env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    if (!relative->starts_with("/"))
      return std::unexpected(Error::credentials(
          "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/': " + *relative));
    uri = std::string("http://") + kEcsHost + *relative;
  } else if (auto full = detail::env("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    auto valid = validate_container_uri(*full);
    if (!valid) return std::unexpected(valid.error());
    uri = *valid;
  } else {
    return std::unexpected(
        credentials_not_found("container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
                              "AWS_CONTAINER_CREDENTIALS_FULL_URI not set"));
  }
  auto url = split_url(uri);
  if (!url) return std::unexpected(Error::credentials("container: '" + uri + "' is not a URL"));

  HttpRequest request;
  request.method = "GET";
  request.scheme = url->scheme;
  request.host = url->host;
  request.path = url->path;
  request.query = url->query;
  request.set_header("Accept", "application/json");
  auto token = authorization_token();
  if (!token) return std::unexpected(token.error());
  if (!token->empty()) request.set_header("Authorization", *token);

  auto response = detail::send_with_retry(*transport_, request, 2);
  if (!response)
    return std::unexpected(
        Error::credentials("container: GET " + uri + ": " + response.error().message));
  if (response->status != 200)
    return std::unexpected(Error::credentials("container: GET " + uri + " returned HTTP " +
                                              std::to_string(response->status) + ": " +
                                              detail::snippet(response->body)));
  return detail::parse_credentials_json(response->body, "container (" + uri + ")");
}

}  // namespace dr::aws
