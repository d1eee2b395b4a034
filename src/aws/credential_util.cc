#include "aws/credential_util.h"

#include <nlohmann/json.hpp>

#include <cstdlib>

namespace dr::aws::detail {

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::string trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(kSpace);
  return std::string(s.substr(begin, end - begin + 1));
}

std::shared_ptr<HttpTransport> metadata_transport(std::chrono::milliseconds request_timeout) {
  TransportOptions options;
  options.connect_timeout = std::chrono::milliseconds(1000);
  options.request_timeout = request_timeout;
  options.max_response_bytes = 64 * 1024;  // a credentials document is a few hundred bytes
  return make_default_transport(options);
}

Result<HttpResponse> send_with_retry(HttpTransport& transport, const HttpRequest& request,
                                     int attempts) {
  Result<HttpResponse> response = std::unexpected(Error::not_sent("no attempt made"));
  for (int n = 1; n <= std::max(attempts, 1); ++n) {
    response = transport.send(request);
    if (response && response->status < 500) return response;
  }
  return response;
}

std::string snippet(std::string_view body, size_t max) {
  std::string out(body.substr(0, max));
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (body.size() > max) out += "...";
  return out;
}

Result<Credentials> parse_credentials_json(std::string_view body, const std::string& source) {
  auto fail = [&](const std::string& why) {
    return std::unexpected(Error::credentials(source + ": " + why));
  };
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return fail("response is not a JSON object: '" + snippet(body) + "'");
  auto field = [&](const char* name) -> std::optional<std::string> {
    auto it = doc.find(name);
    if (it == doc.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  // IMDS reports failures in-band with HTTP 200 ("Code": "AssumeRoleUnauthorizedAccess", ...).
  if (auto code = field("Code"); code && *code != "Success")
    return fail("service reported Code '" + *code + "': " + field("Message").value_or(""));
  Credentials creds;
  creds.source = source;
  auto key = field("AccessKeyId");
  if (!key || key->empty()) return fail("AccessKeyId missing from response");
  auto secret = field("SecretAccessKey");
  if (!secret || secret->empty()) return fail("SecretAccessKey missing from response");
  creds.access_key_id = *key;
  creds.secret_access_key = *secret;
  creds.session_token = field("Token").value_or("");
  if (auto expiration = field("Expiration")) {
    auto parsed = parse_iso8601(*expiration);
    if (!parsed) return fail("Expiration '" + *expiration + "' is not an ISO 8601 time");
    creds.expiration = *parsed;
  } else if (doc.contains("Expiration")) {
    return fail("Expiration is not a string");
  }
  return creds;
}

}  // namespace dr::aws::detail
