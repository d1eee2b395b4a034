// The AWS query protocol (RDS, Auto Scaling, SNS, CloudWatch): POST / with a form body
// "Action=X&Version=Y&..." encoded exactly as botocore encodes it, XML responses
// (<XResponse><XResult>...</XResult><ResponseMetadata>...) and <ErrorResponse> errors.
// Also home of the small XML reader the query and rest-xml parsers share: it never throws and
// turns every surprise (missing element, text where a number belongs, elements where text
// belongs) into one kParseError.
#pragma once

#include <pugixml.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/client.h"

namespace dr::aws {

// Form members in the order they go on the wire. botocore emits Action, Version, then the
// caller's members in the order the caller gave them, so the typed inputs add them in the
// order of the service model (which is how we write our botocore cases too).
class QueryParams {
 public:
  QueryParams& add(std::string name, std::string value);
  QueryParams& add_bool(std::string name, bool value);             // "true" / "false"
  QueryParams& add_int(std::string name, int64_t value);           // Python str(int)
  QueryParams& add_double(std::string name, double value);         // Python repr(float)
  QueryParams& add_timestamp(std::string name, SystemTime value);  // ISO 8601, UTC
  // Name.member.1, Name.member.2, ... (`member` is the list's member name in the model). An
  // empty list is sent as "Name=" like botocore does, which tells the service "none".
  QueryParams& add_list(const std::string& name, const std::vector<std::string>& values,
                        std::string_view member = "member");

  // Optional members: nothing is sent when the value is absent.
  QueryParams& maybe_add(std::string name, const std::optional<std::string>& value);
  QueryParams& maybe_add_bool(std::string name, std::optional<bool> value);
  QueryParams& maybe_add_int(std::string name, std::optional<int64_t> value);

  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct QueryProtocol {
  std::string api_version;  // "2014-10-31"
};

// application/x-www-form-urlencoded as Python's urlencode(quote_via=quote_plus) writes it:
// A-Z a-z 0-9 _ . - ~ stay, space becomes '+', every other byte %XY.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& params);
// Python's repr() of a float: shortest round-trip digits, fixed notation for exponents in
// [-4, 16), otherwise "1e+16" style.
std::string python_float_repr(double value);
// botocore's query timestamps: %Y-%m-%dT%H:%M:%SZ, with .ffffff when there are microseconds.
std::string query_timestamp(SystemTime value);

// Builds the unsigned HTTP request (exposed for the botocore comparison).
HttpRequest query_request(const QueryProtocol& protocol, std::string_view action,
                          const QueryParams& params);

// ---- XML reading --------------------------------------------------------------------------

// Parses a whole XML document. Malformed or empty input is a kParseError.
Result<std::shared_ptr<pugi::xml_document>> parse_xml(std::string_view body);

// The element's name without a namespace prefix.
std::string_view local_name(pugi::xml_node node);
// First child element with this local name, or an empty node.
pugi::xml_node xml_child(pugi::xml_node node, std::string_view name);

// Reads fields of one element. The first problem is recorded in a slot shared by every reader
// derived from this one (child(), each()); callers check error() once at the end.
class XmlReader {
 public:
  XmlReader(pugi::xml_node node, std::string path);

  bool present(std::string_view name) const;
  // Text of a leaf child; "" (or nullopt) when absent. A child with elements inside is an error.
  std::string str(std::string_view name);
  std::optional<std::string> opt_str(std::string_view name);
  // Absent -> fallback / nullopt; present but not a number / boolean / timestamp -> error.
  int64_t integer(std::string_view name, int64_t fallback = 0);
  std::optional<int64_t> opt_integer(std::string_view name);
  std::optional<double> opt_double(std::string_view name);
  bool boolean(std::string_view name, bool fallback = false);
  std::optional<bool> opt_boolean(std::string_view name);
  std::optional<SystemTime> opt_time(std::string_view name);
  // Marks a required child: absent -> error.
  void require(std::string_view name);
  // A list of strings: <Name><member>a</member>...</Name>.
  std::vector<std::string> strings(std::string_view name, std::string_view member = "member");
  // Calls f(XmlReader) for each <member> of the list <Name>; elements of any other name inside
  // the list, or text, are an error (an object or a string where a list belongs).
  template <class F>
  void each(std::string_view name, std::string_view member, F&& f) {
    for (pugi::xml_node m : list_members(name, member))
      f(XmlReader(m, path_ + "." + std::string(name), error_));
  }
  XmlReader child(std::string_view name);

  pugi::xml_node node() const { return node_; }
  bool ok() const { return !error_->has_value(); }
  const std::optional<Error>& error() const { return *error_; }
  void fail(const std::string& what);

 private:
  XmlReader(pugi::xml_node node, std::string path, std::shared_ptr<std::optional<Error>> error);
  std::optional<std::string> leaf_text(std::string_view name);
  std::vector<pugi::xml_node> list_members(std::string_view name, std::string_view member);

  pugi::xml_node node_;
  std::string path_;
  std::shared_ptr<std::optional<Error>> error_;
};

// std::expected::and_then is C++23 library work g++ 12 does not have yet.
template <class T, class F>
auto then(Result<T>&& r, F&& f) -> decltype(f(std::move(*r))) {
  if (!r) return std::unexpected(std::move(r.error()));
  return f(std::move(*r));
}

// ---- Responses ----------------------------------------------------------------------------

struct QueryResponse {
  std::shared_ptr<pugi::xml_document> document;  // keeps `result` alive
  pugi::xml_node result;  // <ActionResult>, or the root for operations without output
  std::string request_id;
  std::string raw_body;
};

// <ActionResponse><ActionResult>..</ActionResult><ResponseMetadata><RequestId>. With
// `has_result` false the result wrapper is optional (operations without output).
Result<QueryResponse> parse_query_response(std::string_view body, std::string_view action,
                                           bool has_result);

// <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>, and the
// variants: <Response><Errors><Error>..</Error></Errors><RequestID/> and a bare <Error> root.
// A body that is not XML still gives an Error (code "UnknownError", HTTP status in the message).
Error parse_xml_error(const HttpResponse& response);

Result<QueryResponse> query_call(ServiceClient& client, const QueryProtocol& protocol,
                                 std::string_view action, const QueryParams& params,
                                 bool has_result);

}  // namespace dr::aws
