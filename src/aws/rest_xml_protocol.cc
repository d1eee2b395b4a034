#include "aws/rest_xml_protocol.h"

#include "aws/encoding.h"

namespace dr::aws {

std::string xml_escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string xml_escape_attribute(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\t':
        out += "&#09;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

XmlWriter& XmlWriter::open(std::string_view name,
                           const std::vector<std::pair<std::string, std::string>>& attributes) {
  out_ += '<';
  out_ += name;
  for (const auto& [k, v] : attributes) out_ += " " + k + "=\"" + xml_escape_attribute(v) + "\"";
  out_ += '>';
  return *this;
}

XmlWriter& XmlWriter::close(std::string_view name) {
  out_ += "</";
  out_ += name;
  out_ += '>';
  return *this;
}

XmlWriter& XmlWriter::leaf(std::string_view name, std::string_view text) {
  if (text.empty()) {
    out_ += '<';
    out_ += name;
    out_ += " />";
    return *this;
  }
  open(name);
  out_ += xml_escape_text(text);
  return close(name);
}

XmlWriter& XmlWriter::leaf(std::string_view name, int64_t value) {
  return leaf(name, std::to_string(value));
}

XmlWriter& XmlWriter::leaf(std::string_view name, bool value) {
  return leaf(name, std::string_view(value ? "true" : "false"));
}

std::string uri_label(std::string_view value) {
  return uri_encode(value, /*encode_slash=*/true);
}

HttpRequest rest_xml_request(std::string method, std::string path, std::string body) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.body = std::move(body);
  return r;
}

Result<RestXmlResponse> parse_rest_xml_response(std::string_view body, std::string_view root_name) {
  auto doc = parse_xml(body);
  if (!doc) return std::unexpected(doc.error());
  pugi::xml_node root = (*doc)->document_element();
  if (local_name(root) != root_name)
    return std::unexpected(Error::parse("expected <" + std::string(root_name) + ">, got <" +
                                        std::string(local_name(root)) + ">"));
  RestXmlResponse out;
  out.document = *doc;
  out.root = root;
  out.raw_body = std::string(body);
  return out;
}

Error parse_rest_xml_error(const HttpResponse& response) {
  Error e = parse_xml_error(response);
  if (e.code != "UnknownError") return e;
  auto doc = parse_xml(response.body);
  if (!doc) return e;
  pugi::xml_node root = (*doc)->document_element();
  pugi::xml_node messages = xml_child(root, "Messages");
  if (!messages) return e;
  e.code = std::string(local_name(root));
  e.message.clear();
  for (pugi::xml_node m = messages.first_child(); m; m = m.next_sibling()) {
    if (m.type() != pugi::node_element || local_name(m) != "Message") continue;
    if (!e.message.empty()) e.message += "; ";
    e.message += m.text().get();
  }
  return e;
}

Result<RestXmlResponse> rest_xml_call(ServiceClient& client, HttpRequest request,
                                      std::string_view root_name) {
  auto response = client.send(std::move(request), parse_rest_xml_error);
  if (!response) return std::unexpected(response.error());
  auto parsed = parse_rest_xml_response(response->body, root_name);
  if (!parsed) return parsed;
  if (const auto* id = response->header("x-amzn-RequestId")) parsed->request_id = *id;
  return parsed;
}

}  // namespace dr::aws
