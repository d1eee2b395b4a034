#include "aws/query_protocol.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>

#include "aws/encoding.h"

namespace dr::aws {

// ---- Request ------------------------------------------------------------------------------

QueryParams& QueryParams::add(std::string name, std::string value) {
  items_.emplace_back(std::move(name), std::move(value));
  return *this;
}

QueryParams& QueryParams::add_bool(std::string name, bool value) {
  return add(std::move(name), std::string(value ? "true" : "false"));
}

QueryParams& QueryParams::add_int(std::string name, int64_t value) {
  return add(std::move(name), std::to_string(value));
}

QueryParams& QueryParams::add_double(std::string name, double value) {
  return add(std::move(name), python_float_repr(value));
}

QueryParams& QueryParams::add_timestamp(std::string name, SystemTime value) {
  return add(std::move(name), query_timestamp(value));
}

QueryParams& QueryParams::add_list(const std::string& name, const std::vector<std::string>& values,
                                   std::string_view member) {
  if (values.empty()) return add(name, std::string());
  for (size_t i = 0; i < values.size(); ++i)
    add(name + "." + std::string(member) + "." + std::to_string(i + 1), values[i]);
  return *this;
}

QueryParams& QueryParams::maybe_add(std::string name, const std::optional<std::string>& value) {
  if (value) add(std::move(name), *value);
  return *this;
}

QueryParams& QueryParams::maybe_add_bool(std::string name, std::optional<bool> value) {
  if (value) add_bool(std::move(name), *value);
  return *this;
}

QueryParams& QueryParams::maybe_add_int(std::string name, std::optional<int64_t> value) {
  if (value) add_int(std::move(name), *value);
  return *this;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& params) {
  auto quote_plus = [](std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char ch : s) {
      auto c = static_cast<unsigned char>(ch);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.' || c == '-' || c == '~') {
        out += ch;
      } else if (c == ' ') {
        out += '+';
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
      }
    }
  };
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    quote_plus(out, k);
    out += '=';
    quote_plus(out, v);
  }
  return out;
}

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  // Shortest round-trip digits in scientific form: "-d.ddde+XX".
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(end - buf));
  std::string sign;
  if (sci.front() == '-') {
    sign = "-";
    sci.remove_prefix(1);
  }
  size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos))
    if (c != '.') digits += c;
  int exponent = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
  std::string out = sign;
  if (exponent >= -4 && exponent < 16) {
    if (exponent >= 0) {
      auto int_len = static_cast<size_t>(exponent) + 1;
      if (digits.size() <= int_len) {
        out += digits + std::string(int_len - digits.size(), '0') + ".0";
      } else {
        out += digits.substr(0, int_len) + "." + digits.substr(int_len);
      }
    } else {
      out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  std::string exp_digits = std::to_string(std::abs(exponent));
  if (exp_digits.size() < 2) exp_digits.insert(0, "0");
  out += (exponent < 0 ? "e-" : "e+") + exp_digits;
  return out;
}

std::string query_timestamp(SystemTime value) {
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(value.time_since_epoch()).count() %
      1000000;
  if (micros < 0) micros += 1000000;
  std::string whole = iso8601(std::chrono::floor<std::chrono::seconds>(value));
  if (micros == 0) return whole;
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(micros));
  whole.insert(whole.size() - 1, frac);  // before the 'Z'
  return whole;
}

HttpRequest query_request(const QueryProtocol& protocol, std::string_view action,
                          const QueryParams& params) {
  std::vector<std::pair<std::string, std::string>> all;
  all.reserve(params.items().size() + 2);
  all.emplace_back("Action", std::string(action));
  all.emplace_back("Version", protocol.api_version);
  all.insert(all.end(), params.items().begin(), params.items().end());
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  r.body = form_encode(all);
  return r;
}

// ---- XML reading --------------------------------------------------------------------------

namespace {

// pugixml allocates a node per element before anything can look at them: 50 MB of "<a>" took
// 1.2 GB. AWS responses nest a dozen levels at most, so deeper input is refused up front.
constexpr int kMaxXmlDepth = 256;

bool xml_nested_deeper_than_allowed(std::string_view s) {
  constexpr auto npos = std::string_view::npos;
  int depth = 0;
  size_t i = 0;
  while ((i = s.find('<', i)) != npos) {
    std::string_view rest = s.substr(i);
    if (rest.starts_with("<!--") || rest.starts_with("<![CDATA[")) {
      size_t end = s.find(rest[2] == '-' ? "-->" : "]]>", i);
      if (end == npos) return false;  // truncated: the parser says so
      i = end + 3;
    } else if (rest.starts_with("</")) {
      --depth;
      i += 2;
    } else if (rest.starts_with("<!") || rest.starts_with("<?")) {
      i += 2;
    } else {
      size_t end = s.find('>', i);
      if (end == npos) return false;
      if (s[end - 1] != '/' && ++depth > kMaxXmlDepth) return true;
      i = end + 1;
    }
  }
  return false;
}

}  // namespace

Result<std::shared_ptr<pugi::xml_document>> parse_xml(std::string_view body) {
  if (xml_nested_deeper_than_allowed(body))
    return std::unexpected(
        Error::parse("response XML nests deeper than " + std::to_string(kMaxXmlDepth) + " levels"));
  auto doc = std::make_shared<pugi::xml_document>();
  // parse_default keeps entity and character references decoded; no DOCTYPE processing happens
  // in pugixml (no external entities, no entity expansion), so hostile bodies cannot blow up.
  pugi::xml_parse_result parsed =
      doc->load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed)
    return std::unexpected(Error::parse("response is not valid XML (" +
                                        std::string(parsed.description()) + " at offset " +
                                        std::to_string(parsed.offset) + ")"));
  if (!doc->document_element())
    return std::unexpected(Error::parse("response XML has no root element"));
  return doc;
}

std::string_view local_name(pugi::xml_node node) {
  std::string_view name = node.name();
  if (auto colon = name.find(':'); colon != std::string_view::npos) name.remove_prefix(colon + 1);
  return name;
}

pugi::xml_node xml_child(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && local_name(c) == name) return c;
  }
  return {};
}

namespace {

bool has_element_children(pugi::xml_node node) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element) return true;
  return false;
}

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

XmlReader::XmlReader(pugi::xml_node node, std::string path)
    : XmlReader(node, std::move(path), std::make_shared<std::optional<Error>>()) {}

XmlReader::XmlReader(pugi::xml_node node, std::string path,
                     std::shared_ptr<std::optional<Error>> error)
    : node_(node), path_(std::move(path)), error_(std::move(error)) {}

void XmlReader::fail(const std::string& what) {
  if (!error_->has_value()) *error_ = Error::parse(what);
}

bool XmlReader::present(std::string_view name) const {
  return static_cast<bool>(xml_child(node_, name));
}

std::optional<std::string> XmlReader::leaf_text(std::string_view name) {
  pugi::xml_node c = xml_child(node_, name);
  if (!c) return std::nullopt;
  if (has_element_children(c)) {
    fail(path_ + "." + std::string(name) + " has elements where text was expected");
    return std::nullopt;
  }
  std::string text;
  for (pugi::xml_node t = c.first_child(); t; t = t.next_sibling())
    if (t.type() == pugi::node_pcdata || t.type() == pugi::node_cdata) text += t.value();
  return text;
}

std::string XmlReader::str(std::string_view name) {
  return leaf_text(name).value_or("");
}

std::optional<std::string> XmlReader::opt_str(std::string_view name) {
  return leaf_text(name);
}

std::optional<int64_t> XmlReader::opt_integer(std::string_view name) {
  auto text = leaf_text(name);
  if (!text) return std::nullopt;
  int64_t v = 0;
  const char* first = text->data();
  const char* last = first + text->size();
  auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || ptr != last || text->empty()) {
    fail(path_ + "." + std::string(name) + " is not an integer: \"" + text->substr(0, 40) + "\"");
    return std::nullopt;
  }
  return v;
}

int64_t XmlReader::integer(std::string_view name, int64_t fallback) {
  return opt_integer(name).value_or(fallback);
}

std::optional<double> XmlReader::opt_double(std::string_view name) {
  auto text = leaf_text(name);
  if (!text) return std::nullopt;
  double v = 0;
  const char* first = text->data();
  const char* last = first + text->size();
  auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || ptr != last || text->empty()) {
    fail(path_ + "." + std::string(name) + " is not a number: \"" + text->substr(0, 40) + "\"");
    return std::nullopt;
  }
  return v;
}

std::optional<bool> XmlReader::opt_boolean(std::string_view name) {
  auto text = leaf_text(name);
  if (!text) return std::nullopt;
  if (*text == "true") return true;
  if (*text == "false") return false;
  fail(path_ + "." + std::string(name) + " is not a boolean: \"" + text->substr(0, 40) + "\"");
  return std::nullopt;
}

bool XmlReader::boolean(std::string_view name, bool fallback) {
  return opt_boolean(name).value_or(fallback);
}

std::optional<SystemTime> XmlReader::opt_time(std::string_view name) {
  auto text = leaf_text(name);
  if (!text) return std::nullopt;
  auto t = parse_iso8601(*text);
  if (!t)
    fail(path_ + "." + std::string(name) + " is not a timestamp: \"" + text->substr(0, 40) + "\"");
  return t;
}

void XmlReader::require(std::string_view name) {
  if (!present(name)) fail(path_ + "." + std::string(name) + " is missing");
}

std::vector<pugi::xml_node> XmlReader::list_members(std::string_view name,
                                                    std::string_view member) {
  std::vector<pugi::xml_node> out;
  pugi::xml_node list = xml_child(node_, name);
  if (!list) return out;
  for (pugi::xml_node c = list.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) {
      if (local_name(c) != member) {
        fail(path_ + "." + std::string(name) + " holds <" + std::string(local_name(c)) +
             "> where a list of <" + std::string(member) + "> was expected");
        return {};
      }
      out.push_back(c);
    } else if ((c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) &&
               !is_blank(c.value())) {
      fail(path_ + "." + std::string(name) + " holds text where a list was expected");
      return {};
    }
  }
  return out;
}

std::vector<std::string> XmlReader::strings(std::string_view name, std::string_view member) {
  std::vector<std::string> out;
  each(name, member, [&](XmlReader m) {
    if (has_element_children(m.node())) {
      m.fail(path_ + "." + std::string(name) + " holds elements where strings were expected");
      return;
    }
    out.emplace_back(m.node().text().get());
  });
  return out;
}

XmlReader XmlReader::child(std::string_view name) {
  return XmlReader(xml_child(node_, name), path_ + "." + std::string(name), error_);
}

// ---- Responses ----------------------------------------------------------------------------

Result<QueryResponse> parse_query_response(std::string_view body, std::string_view action,
                                           bool has_result) {
  auto doc = parse_xml(body);
  if (!doc) return std::unexpected(doc.error());
  pugi::xml_node root = (*doc)->document_element();
  std::string expected_root = std::string(action) + "Response";
  if (local_name(root) != expected_root)
    return std::unexpected(Error::parse("expected <" + expected_root + ">, got <" +
                                        std::string(local_name(root)) + ">"));
  QueryResponse out;
  out.document = *doc;
  out.result = xml_child(root, std::string(action) + "Result");
  if (!out.result) {
    if (has_result)
      return std::unexpected(
          Error::parse("<" + expected_root + "> has no <" + std::string(action) + "Result>"));
    out.result = root;
  }
  out.request_id = xml_child(xml_child(root, "ResponseMetadata"), "RequestId").text().get();
  out.raw_body = std::string(body);
  return out;
}

Error parse_xml_error(const HttpResponse& response) {
  Error e = Error::service(response.status, "UnknownError", "");
  e.raw_body = response.body;
  for (const char* header : {"x-amzn-RequestId", "x-amz-request-id"}) {
    if (const auto* id = response.header(header)) {
      e.request_id = *id;
      break;
    }
  }
  auto doc = parse_xml(response.body);
  if (!doc) {
    e.message = "HTTP " + std::to_string(response.status) + " with a non-XML body";
    return e;
  }
  pugi::xml_node root = (*doc)->document_element();
  pugi::xml_node error;
  if (local_name(root) == "Error") {
    error = root;  // S3-style bare <Error>
  } else if (pugi::xml_node errors = xml_child(root, "Errors")) {
    error = xml_child(errors, "Error");  // EC2-style <Response><Errors><Error>
  } else {
    error = xml_child(root, "Error");  // <ErrorResponse><Error>
  }
  if (std::string code = xml_child(error, "Code").text().get(); !code.empty()) e.code = code;
  e.message = xml_child(error, "Message").text().get();
  for (pugi::xml_node holder : {root, error}) {
    for (const char* name : {"RequestId", "RequestID"}) {
      if (std::string id = xml_child(holder, name).text().get(); !id.empty()) e.request_id = id;
    }
  }
  if (!error) e.message = "HTTP " + std::to_string(response.status) + " without an <Error> element";
  return e;
}

Result<QueryResponse> query_call(ServiceClient& client, const QueryProtocol& protocol,
                                 std::string_view action, const QueryParams& params,
                                 bool has_result) {
  auto response = client.send(query_request(protocol, action, params), parse_xml_error);
  if (!response) return std::unexpected(response.error());
  return parse_query_response(response->body, action, has_result);
}

}  // namespace dr::aws
