// Plumbing shared by the credential sources (not part of the public API): environment lookup,
// the JSON document the container endpoint and IMDS both return, and the short-retry GET they
// both need.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/error.h"
#include "aws/transport.h"

namespace dr::aws::detail {

// The variable's value, or nullopt when unset or empty (the SDKs treat both as unset).
std::optional<std::string> env(const char* name);

std::string trim(std::string_view s);

// A default transport for link-local metadata services: they answer in milliseconds or not at all.
std::shared_ptr<HttpTransport> metadata_transport(std::chrono::milliseconds request_timeout);

// Sends `request` up to `attempts` times, again at once after a transport error or a 5xx: these
// services are on the host or link, so a backoff would only delay start-up. Other statuses are
// returned as responses.
Result<HttpResponse> send_with_retry(HttpTransport& transport, const HttpRequest& request,
                                     int attempts);

// {"AccessKeyId", "SecretAccessKey", "Token", "Expiration", optional "Code"}. `source` prefixes
// every error message and becomes Credentials::source.
Result<Credentials> parse_credentials_json(std::string_view body, const std::string& source);

// At most `max` bytes of a response body, for error messages.
std::string snippet(std::string_view body, size_t max = 200);

}  // namespace dr::aws::detail
