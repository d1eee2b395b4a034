#include "aws/json_protocol.h"

#include <cstdio>

namespace dr::aws {

namespace {

void append_escaped(std::string& out, const std::string& s) {
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        ++i;
        continue;
      case '\\':
        out += "\\\\";
        ++i;
        continue;
      case '\n':
        out += "\\n";
        ++i;
        continue;
      case '\r':
        out += "\\r";
        ++i;
        continue;
      case '\t':
        out += "\\t";
        ++i;
        continue;
      case '\b':
        out += "\\b";
        ++i;
        continue;
      case '\f':
        out += "\\f";
        ++i;
        continue;
      default:
        break;
    }
    char buf[16];
    if (c < 0x20) {
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      ++i;
      continue;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence (nlohmann has validated it) and escape it as Python does.
    uint32_t cp = 0;
    int len = 0;
    if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      len = 3;
    } else {
      cp = c & 0x07;
      len = 4;
    }
    for (int k = 1; k < len && i + static_cast<size_t>(k) < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
    i += static_cast<size_t>(len);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
    } else {
      std::snprintf(buf, sizeof buf, "\\u%04x", cp);
    }
    out += buf;
  }
  out += '"';
}

void dump(std::string& out, const JsonRequest& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, v] : j.items()) {
        if (!first) out += ", ";
        first = false;
        append_escaped(out, k);
        out += ": ";
        dump(out, v);
      }
      out += '}';
      return;
    }
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& v : j) {
        if (!first) out += ", ";
        first = false;
        dump(out, v);
      }
      out += ']';
      return;
    }
    case nlohmann::json::value_t::string:
      append_escaped(out, j.get_ref<const std::string&>());
      return;
    case nlohmann::json::value_t::boolean:
      out += j.get<bool>() ? "true" : "false";
      return;
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      out += "null";
      return;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
    case nlohmann::json::value_t::binary:
      out += j.dump();
      return;
  }
}

}  // namespace

std::string dump_like_botocore(const JsonRequest& body) {
  std::string out;
  dump(out, body);
  return out;
}

HttpRequest json_request(const JsonProtocol& protocol, std::string_view operation,
                         const JsonRequest& input) {
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = {
      {"X-Amz-Target", protocol.target_prefix + "." + std::string(operation)},
      {"Content-Type", "application/x-amz-json-" + protocol.json_version},
  };
  r.body = dump_like_botocore(input.is_null() ? JsonRequest::object() : input);
  return r;
}

namespace {

// nlohmann builds the whole tree before anything can look at it: 50 MB of "[" took 3.9 GB and
// 14 s. No AWS response nests deeper than a few dozen levels (DynamoDB documents: 32 levels,
// two JSON levels each), so anything deeper is refused before parsing.
constexpr int kMaxJsonDepth = 256;

bool nested_deeper_than_allowed(std::string_view body) {
  bool in_string = false;
  bool escaped = false;
  int depth = 0;
  for (char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

}  // namespace

Result<nlohmann::json> parse_json_body(std::string_view body) {
  if (body.empty()) return nlohmann::json::object();
  if (nested_deeper_than_allowed(body))
    return std::unexpected(Error::parse("response JSON nests deeper than " +
                                        std::to_string(kMaxJsonDepth) + " levels"));
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded())
    return std::unexpected(
        Error::parse("response is not valid JSON (" + std::to_string(body.size()) + " bytes)"));
  if (!parsed.is_object()) return std::unexpected(Error::parse("response JSON is not an object"));
  return parsed;
}

Error parse_json_error(const HttpResponse& response) {
  Error e = Error::service(response.status, "UnknownError", "");
  e.raw_body = response.body;
  if (const auto* id = response.header("x-amzn-RequestId")) e.request_id = *id;
  auto body = parse_json_body(response.body);
  std::string type;
  if (body) {
    for (const char* key : {"__type", "code", "Code"}) {
      auto it = body->find(key);
      if (it != body->end() && it->is_string()) {
        type = it->get<std::string>();
        break;
      }
    }
    for (const char* key : {"message", "Message", "errorMessage"}) {
      auto it = body->find(key);
      if (it != body->end() && it->is_string()) {
        e.message = it->get<std::string>();
        break;
      }
    }
  } else {
    e.message = "HTTP " + std::to_string(response.status) + " with a non-JSON body";
  }
  if (const auto* header = response.header("x-amzn-ErrorType")) type = *header;
  // "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" or "Code:http://..."
  if (auto hash = type.rfind('#'); hash != std::string::npos) type = type.substr(hash + 1);
  if (auto colon = type.find(':'); colon != std::string::npos) type = type.substr(0, colon);
  if (!type.empty()) e.code = type;
  return e;
}

Result<nlohmann::json> json_call(ServiceClient& client, const JsonProtocol& protocol,
                                 std::string_view operation, const JsonRequest& input) {
  auto response = client.send(json_request(protocol, operation, input), parse_json_error);
  if (!response) return std::unexpected(response.error());
  return parse_json_body(response->body);
}

}  // namespace dr::aws
