// HTTP/1.1 requests in, responses out, as bytes: no sockets, no clocks, so every hostile input
// can be unit-tested (tests/app/http_parser_test.cc). The socket loop is http_listener.cc.
//
// What dr-app accepts (RFC 9112, the subset its clients use): origin-form targets, HTTP/1.0 and
// 1.1, bodies framed by Content-Length only. A request with Transfer-Encoding gets 411 (send a
// Content-Length): nothing that calls dr-app sends chunked requests, and framing we do not parse
// is how request smuggling starts. A request with neither has no body (RFC 9112 6.3).
#pragma once

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dr::app {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string target;     // as sent: path and query
  std::string path;       // percent-decoded
  std::string query;      // after '?', raw
  int minor_version = 1;  // HTTP/1.<minor>
  HttpHeaders headers;
  std::string body;
  std::string remote_addr;  // set by the listener

  // The first value of a header (names compare case-insensitively); "" when absent.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
  // A query parameter, decoded ('+' is a space); "" when absent.
  std::string param(std::string_view name) const;
  // Whether the client lets the connection stay open after the response.
  bool keep_alive() const;
};

struct HttpLimits {
  size_t max_head_bytes = 16 * 1024;  // request line and headers, with their CRLFs
  size_t max_headers = 100;
  size_t max_body_bytes = 64 * 1024;
};

// Why a request cannot be served; the listener answers `status` and closes the connection.
struct HttpError {
  int status = 400;  // 400, 411, 413, 431, 501, 505
  std::string code;  // for the JSON error body: "malformed_request", "head_too_large", ...
  std::string message;
};

struct ParsedRequest {
  HttpRequest request;  // its body is empty until `complete`
  // False: the head is whole and valid, the body is still arriving (the listener answers
  // `Expect: 100-continue` then, as curl waits a second for it before sending a body).
  bool complete = false;
  size_t consumed = 0;  // once complete: the bytes this request used; the rest is the next one's
};

// Parses the request at the start of `buffer`. nullopt: the head is incomplete, read more. The
// head and the declared body length are checked against `limits` as soon as they are known, so a
// client cannot make the server buffer more than the limits by withholding the end.
std::expected<std::optional<ParsedRequest>, HttpError> parse_request(std::string_view buffer,
                                                                     const HttpLimits& limits);

// Percent-decoding (RFC 3986); `plus_is_space` for query strings. nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;  // beyond Content-Length and Connection, which serialize() writes
  std::string body;
  std::string content_type = "application/json";

  void set_header(std::string name, std::string value);
  std::string header(std::string_view name) const;
};

std::string_view reason_phrase(int status);

// The response's bytes. `head_only` answers a HEAD (the length of the body it would have had);
// `keep_alive` false says Connection: close.
std::string serialize(const HttpResponse& response, int minor_version, bool head_only,
                      bool keep_alive);

// {"error": code, "message": message}: the body of every error the server itself answers.
HttpResponse error_response(int status, std::string_view code, std::string_view message);

}  // namespace dr::app
