#include "aws/http1.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <string_view>

namespace dr::aws::http1 {

namespace {

// A response head (status line and headers) larger than this is refused, not buffered forever.
constexpr size_t kMaxHead = 256 * 1024;

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 32 && u < 127 &&
           std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
  });
}

bool is_field_value(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whether a comma-separated header value (Connection, Transfer-Encoding) holds `token`.
bool has_token(std::string_view value, std::string_view token, bool last_only = false) {
  std::optional<std::string> last;
  bool any = false;
  while (true) {
    size_t comma = value.find(',');
    std::string item = lower(trim(value.substr(0, comma)));
    if (!item.empty()) {
      if (item == token) any = true;
      last = item;
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return last_only ? (last && *last == token) : any;
}

std::optional<size_t> parse_size(std::string_view s, int base) {
  s = trim(s);
  size_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

class Reader {
 public:
  Reader(const std::function<IoResult(char*, size_t)>& read) : read_(read) {}

  // The next line without its CRLF (a bare LF is accepted too).
  std::expected<std::string, ReadFailure> line() {
    size_t from = pos_;  // bytes before `from` hold no LF: each byte is scanned once
    for (;;) {
      size_t nl = buf_.find('\n', from);
      if (nl != std::string::npos) {
        std::string out = buf_.substr(pos_, nl - pos_);
        if (!out.empty() && out.back() == '\r') out.pop_back();
        pos_ = nl + 1;
        return out;
      }
      if (buf_.size() - pos_ > kMaxHead)
        return std::unexpected(fail(IoStatus::kFailed, "response head larger than 256 KiB"));
      from = buf_.size();
      if (auto more = fill(); !more) return std::unexpected(more.error());
    }
  }

  // Appends exactly `n` bytes to `out`.
  std::expected<void, ReadFailure> take(size_t n, std::string& out) {
    while (n > 0) {
      if (pos_ == buf_.size()) {
        buf_.clear();
        pos_ = 0;
        if (auto more = fill(); !more) return std::unexpected(more.error());
      }
      size_t k = std::min(n, buf_.size() - pos_);
      out.append(buf_, pos_, k);
      pos_ += k;
      n -= k;
    }
    return {};
  }

  // Appends everything until the peer closes; fails past `limit` bytes in `out`.
  std::expected<void, ReadFailure> take_until_eof(std::string& out, size_t limit) {
    for (;;) {
      out.append(buf_, pos_);
      buf_.clear();
      pos_ = 0;
      if (out.size() > limit) return std::unexpected(too_large(limit));
      char chunk[16384];
      IoResult r = read_(chunk, sizeof(chunk));
      if (r.status == IoStatus::kEof) return {};
      if (r.status != IoStatus::kOk) return std::unexpected(fail(r.status, r.message));
      received_ += r.bytes;
      buf_.append(chunk, r.bytes);
    }
  }

  bool drained() const { return pos_ == buf_.size(); }

  ReadFailure fail(IoStatus status, std::string message) const {
    return {std::move(message), status, received_ == 0};
  }
  ReadFailure too_large(size_t limit) const {
    return fail(IoStatus::kFailed, "response body larger than " + std::to_string(limit) + " bytes");
  }

 private:
  std::expected<void, ReadFailure> fill() {
    char chunk[16384];
    IoResult r = read_(chunk, sizeof(chunk));
    if (r.status == IoStatus::kEof)
      return std::unexpected(fail(IoStatus::kEof, received_ == 0
                                                      ? "connection closed before a response"
                                                      : "connection closed mid-response"));
    if (r.status != IoStatus::kOk) return std::unexpected(fail(r.status, r.message));
    received_ += r.bytes;
    buf_.append(chunk, r.bytes);
    return {};
  }

  const std::function<IoResult(char*, size_t)>& read_;
  std::string buf_;
  size_t pos_ = 0;
  size_t received_ = 0;
};

struct Head {
  int status = 0;
  int minor_version = 1;
  Headers headers;
};

std::expected<Head, ReadFailure> read_head(Reader& in) {
  for (;;) {
    auto status_line = in.line();
    if (!status_line) return std::unexpected(status_line.error());
    std::string_view s = *status_line;
    // "HTTP/1.x NNN reason"
    if (s.size() < 12 || !s.starts_with("HTTP/1.") || s[8] != ' ' ||
        (s.size() > 12 && s[12] != ' ') || !std::isdigit(static_cast<unsigned char>(s[7])))
      return std::unexpected(in.fail(IoStatus::kFailed, "not an HTTP/1.x status line: '" +
                                                            std::string(s.substr(0, 80)) + "'"));
    auto code = parse_size(s.substr(9, 3), 10);
    if (!code || *code < 100 || *code > 999)
      return std::unexpected(
          in.fail(IoStatus::kFailed, "bad status code in '" + std::string(s.substr(0, 80)) + "'"));
    Head head;
    head.status = static_cast<int>(*code);
    head.minor_version = s[7] - '0';
    for (;;) {
      auto line = in.line();
      if (!line) return std::unexpected(line.error());
      if (line->empty()) break;
      size_t colon = line->find(':');
      if (colon == std::string::npos || !is_token(std::string_view(*line).substr(0, colon)))
        return std::unexpected(in.fail(IoStatus::kFailed, "bad header line in the response"));
      head.headers.emplace_back(line->substr(0, colon),
                                std::string(trim(std::string_view(*line).substr(colon + 1))));
    }
    // An interim response (100 Continue, 103 Early Hints) precedes the real one.
    if (head.status >= 200 || head.status == 101) return head;
  }
}

std::expected<void, ReadFailure> read_chunked(Reader& in, std::string& body, size_t max_body) {
  for (;;) {
    auto size_line = in.line();
    if (!size_line) return std::unexpected(size_line.error());
    std::string_view digits(*size_line);
    digits = digits.substr(0, digits.find(';'));  // chunk extensions are ignored
    auto size = parse_size(digits, 16);
    if (!size) return std::unexpected(in.fail(IoStatus::kFailed, "bad chunk size in the response"));
    if (*size == 0) break;
    if (*size > max_body || body.size() + *size > max_body)
      return std::unexpected(in.too_large(max_body));
    if (auto got = in.take(*size, body); !got) return got;
    auto end = in.line();
    if (!end) return std::unexpected(end.error());
    if (!end->empty()) return std::unexpected(in.fail(IoStatus::kFailed, "bad chunk framing"));
  }
  for (;;) {  // trailers, up to the empty line
    auto trailer = in.line();
    if (!trailer) return std::unexpected(trailer.error());
    if (trailer->empty()) return {};
  }
}

}  // namespace

std::expected<std::string, std::string> request_head(const HttpRequest& request) {
  if (!is_token(request.method)) return std::unexpected("bad HTTP method '" + request.method + "'");
  std::string url = request.url();
  std::string prefix = request.scheme + "://" + request.host;
  std::string target = url.substr(prefix.size());
  if (target.empty() || target.front() != '/') target.insert(0, "/");
  if (!is_field_value(target) || target.find_first_of(" \t") != std::string::npos)
    return std::unexpected("bad request path '" + request.path + "'");
  std::string out = request.method + " " + target + " HTTP/1.1\r\n";
  if (!request.header("Host")) {
    if (!is_field_value(request.host)) return std::unexpected("bad host");
    out += "Host: " + request.host + "\r\n";
  }
  for (const auto& [name, value] : request.headers) {
    if (!is_token(name)) return std::unexpected("bad header name '" + name + "'");
    if (!is_field_value(value)) return std::unexpected("bad value for header " + name);
    if (iequals(name, "Transfer-Encoding") || iequals(name, "Expect"))
      return std::unexpected("header " + name + " is not supported");
    if (iequals(name, "Content-Length") && value != std::to_string(request.body.size()))
      return std::unexpected("Content-Length " + value + " does not match the body's " +
                             std::to_string(request.body.size()) + " bytes");
    out += value.empty() ? name + ":\r\n" : name + ": " + value + "\r\n";
  }
  bool bodyless_method = request.method == "GET" || request.method == "HEAD";
  if (!request.header("Content-Length") && (!request.body.empty() || !bodyless_method))
    out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  out += "\r\n";
  return out;
}

std::expected<Response, ReadFailure> read_response(
    const std::function<IoResult(char*, size_t)>& read, bool head_request, size_t max_body) {
  Reader in(read);
  auto head = read_head(in);
  if (!head) return std::unexpected(head.error());
  if (head->status == 101)
    return std::unexpected(in.fail(IoStatus::kFailed, "unexpected 101 Switching Protocols"));
  Response out;
  out.response.status = head->status;
  out.response.headers = std::move(head->headers);
  const std::string* connection = out.response.header("Connection");
  out.keep_alive = head->minor_version >= 1 ? !(connection && has_token(*connection, "close"))
                                            : (connection && has_token(*connection, "keep-alive"));
  std::string& body = out.response.body;
  const std::string* te = out.response.header("Transfer-Encoding");
  if (head_request || head->status == 204 || head->status == 304) {
    // no body
  } else if (te != nullptr && has_token(*te, "chunked", true)) {
    if (auto got = read_chunked(in, body, max_body); !got) return std::unexpected(got.error());
  } else if (te != nullptr) {
    // Not chunked last: the body runs until the connection closes (RFC 9112, 6.3).
    out.keep_alive = false;
    if (auto got = in.take_until_eof(body, max_body); !got) return std::unexpected(got.error());
  } else {
    std::optional<size_t> length;
    for (const auto& [k, v] : out.response.headers) {
      if (!iequals(k, "Content-Length")) continue;
      auto n = parse_size(v, 10);
      if (!n || (length && *length != *n))
        return std::unexpected(in.fail(IoStatus::kFailed, "bad Content-Length in the response"));
      length = n;
    }
    if (length) {
      if (*length > max_body) return std::unexpected(in.too_large(max_body));
      body.reserve(*length);
      if (auto got = in.take(*length, body); !got) return std::unexpected(got.error());
    } else {
      out.keep_alive = false;
      if (auto got = in.take_until_eof(body, max_body); !got) return std::unexpected(got.error());
    }
  }
  // Bytes past the response were never asked for: the connection is not in a known state.
  if (!in.drained()) out.keep_alive = false;
  return out;
}

}  // namespace dr::aws::http1
