// The HTTP request and response as the signer and the transport see them. `path` is already
// URI-encoded once (as it goes on the wire); `query` holds decoded names and values.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dr::aws {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string scheme = "https";
  std::string host;  // host[:port], as sent in the Host header
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> query;
  Headers headers;
  std::string body;

  // First header with this name (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
  void set_header(std::string_view name, std::string value);
  void remove_header(std::string_view name);
  std::string url() const;  // scheme://host/path?query (query encoded as in SigV4)
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;

  const std::string* header(std::string_view name) const;
};

bool iequals(std::string_view a, std::string_view b);

}  // namespace dr::aws
