#include "app/http_parser.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>

namespace dr::app {

namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

// RFC 9110 5.6.2: the characters of a method or a header name.
bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

// A header value's characters: visible ASCII, space, tab and obs-text; never CR, LF, NUL.
bool is_field_char(unsigned char c) {
  return c == '\t' || (c >= 0x20 && c != 0x7f);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::unexpected<HttpError> fail(int status, std::string code, std::string message) {
  return std::unexpected(HttpError{status, std::move(code), std::move(message)});
}

std::unexpected<HttpError> malformed(std::string message) {
  return fail(400, "malformed_request", std::move(message));
}

std::unexpected<HttpError> head_too_large(const HttpLimits& limits) {
  return fail(431, "head_too_large",
              "the request line and headers are over the limit of " +
                  std::to_string(limits.max_head_bytes) + " bytes or " +
                  std::to_string(limits.max_headers) + " headers");
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (lower(c) >= 'a' && lower(c) <= 'f') return lower(c) - 'a' + 10;
  return -1;
}

// "HTTP/1.1" -> 1; an HTTP version we do not speak -> 505; anything else -> 400.
std::expected<int, HttpError> parse_version(std::string_view v) {
  if (v == "HTTP/1.1") return 1;
  if (v == "HTTP/1.0") return 0;
  if (v.size() == 8 && v.starts_with("HTTP/") && v[5] >= '0' && v[5] <= '9' && v[6] == '.' &&
      v[7] >= '0' && v[7] <= '9')
    return fail(505, "version_not_supported", "only HTTP/1.0 and HTTP/1.1 are served");
  return malformed("the request line does not end with HTTP/1.x");
}

// Fills the request line's fields; the error when it is not one. (Not std::expected<void>: the
// fuzz build's stand-in for <expected>, fuzz/compat, has no void specialization.)
std::optional<HttpError> parse_request_line(std::string_view line, HttpRequest& req) {
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return malformed("the request line is not METHOD SP TARGET SP VERSION").error();
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (method.empty() || method.size() > 32 ||
      !std::all_of(method.begin(), method.end(), [](char c) { return is_tchar(c); }))
    return malformed("the method is not a token").error();
  auto version = parse_version(line.substr(sp2 + 1));
  if (!version) return version.error();
  // Origin-form only (RFC 9112 3.2.1): a path from the root, visible ASCII.
  if (target.empty() || target.front() != '/' ||
      !std::all_of(target.begin(), target.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
    return malformed("the request target is not a path from the root").error();
  const size_t q = target.find('?');
  auto path = percent_decode(target.substr(0, q), false);
  if (!path || path->find('\0') != std::string::npos)
    return malformed("the request path has a bad percent-escape").error();
  req.method = method;
  req.target = target;
  req.path = std::move(*path);
  req.query = q == std::string_view::npos ? "" : target.substr(q + 1);
  req.minor_version = *version;
  return std::nullopt;
}

// The body's length from Content-Length (absent: 0); Transfer-Encoding is refused.
std::expected<size_t, HttpError> body_length(const HttpRequest& req, const HttpLimits& limits) {
  if (req.has_header("Transfer-Encoding"))
    return fail(411, "length_required",
                "Transfer-Encoding is not accepted; send the body with a Content-Length");
  std::optional<std::string_view> seen;
  for (const auto& [name, value] : req.headers) {
    if (!iequals(name, "Content-Length")) continue;
    // Several Content-Length headers are a smuggling attempt unless they agree.
    if (seen && *seen != value)
      return malformed("the request has conflicting Content-Length headers");
    seen = value;
  }
  if (!seen) return 0;
  if (seen->empty() ||
      !std::all_of(seen->begin(), seen->end(), [](char c) { return c >= '0' && c <= '9'; }))
    return malformed("Content-Length is not a decimal number");
  // Compared digit by digit so that no value, however long, overflows.
  size_t length = 0;
  for (char c : *seen) {
    length = length * 10 + static_cast<size_t>(c - '0');
    if (length > limits.max_body_bytes)
      return fail(
          413, "body_too_large",
          "the body is over the limit of " + std::to_string(limits.max_body_bytes) + " bytes");
  }
  return length;
}

}  // namespace

std::string HttpRequest::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return "";
}

bool HttpRequest::has_header(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return iequals(h.first, name); });
}

std::string HttpRequest::param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const size_t eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    if (!key || *key != name) continue;
    if (eq == std::string_view::npos) return "";
    return percent_decode(pair.substr(eq + 1), true).value_or("");
  }
  return "";
}

bool HttpRequest::keep_alive() const {
  bool close = false, keep = false;
  for (const auto& [n, v] : headers) {
    if (!iequals(n, "Connection")) continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      const std::string_view token = trim(rest.substr(0, comma));
      close |= iequals(token, "close");
      keep |= iequals(token, "keep-alive");
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  if (close) return false;
  return minor_version >= 1 || keep;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::expected<std::optional<ParsedRequest>, HttpError> parse_request(std::string_view buffer,
                                                                     const HttpLimits& limits) {
  // RFC 9112 2.2: empty lines before a request line are ignored (some clients send a CRLF
  // after a body).
  size_t start = 0;
  while (buffer.size() - start >= 2 && buffer[start] == '\r' && buffer[start + 1] == '\n')
    start += 2;
  const std::string_view rest = buffer.substr(start);
  const size_t end = rest.find("\r\n\r\n");
  const std::string_view scanned = rest.substr(
      0,
      std::min(end == std::string_view::npos ? rest.size() : end + 4, limits.max_head_bytes + 1));
  // A lone LF or a NUL ends nothing and is refused as soon as it arrives.
  for (size_t i = 0; i < scanned.size(); ++i) {
    if (scanned[i] == '\0') return malformed("the request head contains a NUL byte");
    if (scanned[i] == '\n' && (i == 0 || scanned[i - 1] != '\r'))
      return malformed("a line of the request head ends without CRLF");
    if (scanned[i] == '\r' && i + 1 < scanned.size() && scanned[i + 1] != '\n')
      return malformed("a CR in the request head is not followed by LF");
  }
  if (end == std::string_view::npos) {
    if (rest.size() > limits.max_head_bytes) return head_too_large(limits);
    return std::nullopt;
  }
  const size_t head_bytes = end + 4;
  if (head_bytes > limits.max_head_bytes) return head_too_large(limits);

  ParsedRequest parsed;
  HttpRequest& req = parsed.request;
  std::string_view head = rest.substr(0, end + 2);  // every line with its CRLF
  size_t eol = head.find("\r\n");
  if (auto bad = parse_request_line(head.substr(0, eol), req)) return std::unexpected(*bad);
  head.remove_prefix(eol + 2);
  while (!head.empty()) {
    eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    if (line.front() == ' ' || line.front() == '\t')
      return malformed("a header line is folded (obsolete line folding is not accepted)");
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return malformed("a header line has no name and colon");
    const std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), [](char c) { return is_tchar(c); }))
      return malformed("a header name is not a token (no space before the colon)");
    const std::string_view value = trim(line.substr(colon + 1));
    if (!std::all_of(value.begin(), value.end(), [](char c) { return is_field_char(c); }))
      return malformed("a header value contains a control character");
    if (req.headers.size() == limits.max_headers) return head_too_large(limits);
    req.headers.emplace_back(name, value);
  }
  auto length = body_length(req, limits);
  if (!length) return std::unexpected(length.error());
  const size_t have = rest.size() - head_bytes;
  if (have < *length) return parsed;  // the head is whole; the body is still arriving
  req.body = rest.substr(head_bytes, *length);
  parsed.complete = true;
  parsed.consumed = start + head_bytes + *length;
  return parsed;
}

void HttpResponse::set_header(std::string name, std::string value) {
  for (auto& [n, v] : headers) {
    if (iequals(n, name)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return "";
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string serialize(const HttpResponse& response, int minor_version, bool head_only,
                      bool keep_alive) {
  std::string out;
  out.reserve(256 + (head_only ? 0 : response.body.size()));
  out += "HTTP/1.1 " + std::to_string(response.status) + " ";
  out += reason_phrase(response.status);
  out += "\r\n";
  const bool bodyless = response.status < 200 || response.status == 204 || response.status == 304;
  if (!bodyless && !response.content_type.empty())
    out += "Content-Type: " + response.content_type + "\r\n";
  for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
  if (!bodyless) out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  if (!keep_alive)
    out += "Connection: close\r\n";
  else if (minor_version == 0)
    out += "Connection: keep-alive\r\n";
  out += "\r\n";
  if (!head_only && !bodyless) out += response.body;
  return out;
}

HttpResponse error_response(int status, std::string_view code, std::string_view message) {
  HttpResponse res;
  res.status = status;
  res.body = nlohmann::json{{"error", code}, {"message", message}}.dump() + "\n";
  return res;
}

}  // namespace dr::app
