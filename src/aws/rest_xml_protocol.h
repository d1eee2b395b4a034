// The AWS rest-xml protocol (Route 53): the operation is the method and the URI, inputs go in
// URI labels and an XML body written exactly as botocore writes it (Python's ElementTree: no
// XML declaration, the input's xmlns on the root, only & < > escaped in text, UTF-8 as is),
// outputs are an XML document named after the operation, errors <ErrorResponse><Error>
// <Type/><Code/><Message/></Error><RequestId/> as in the query protocol.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/client.h"
#include "aws/query_protocol.h"

namespace dr::aws {

// Appends elements to a string; the caller opens and closes in order.
class XmlWriter {
 public:
  XmlWriter& open(std::string_view name,
                  const std::vector<std::pair<std::string, std::string>>& attributes = {});
  XmlWriter& close(std::string_view name);
  // <name>text</name>, or <name /> for empty text (ElementTree's short form).
  XmlWriter& leaf(std::string_view name, std::string_view text);
  XmlWriter& leaf(std::string_view name, int64_t value);
  XmlWriter& leaf(std::string_view name, bool value);  // "true" / "false"
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

std::string xml_escape_text(std::string_view text);       // & < >
std::string xml_escape_attribute(std::string_view text);  // & < > " and \r \n \t as &#..;

// A {Label} in a request URI, percent-encoded like botocore's percent_encode (only A-Z a-z 0-9
// - . _ ~ stay).
std::string uri_label(std::string_view value);

HttpRequest rest_xml_request(std::string method, std::string path, std::string body = {});

struct RestXmlResponse {
  std::shared_ptr<pugi::xml_document> document;
  pugi::xml_node root;
  std::string request_id;  // from the x-amzn-RequestId header
  std::string raw_body;
};

// The body must be one document whose root element is `root_name`.
Result<RestXmlResponse> parse_rest_xml_response(std::string_view body, std::string_view root_name);

// parse_xml_error, plus Route 53's <InvalidChangeBatch><Messages><Message>..</Messages> shape
// (code = the root element's name, message = the messages joined with "; ").
Error parse_rest_xml_error(const HttpResponse& response);

Result<RestXmlResponse> rest_xml_call(ServiceClient& client, HttpRequest request,
                                      std::string_view root_name);

}  // namespace dr::aws
