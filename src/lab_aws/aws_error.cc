#include "lab_aws/aws_error.h"

#include <pugixml.hpp>

#include <nlohmann/json.hpp>
#include <sstream>

namespace dr::lab_aws {

WireResponse render_error(const AwsError& error, Protocol protocol, const std::string& request_id,
                          const std::string& xml_namespace) {
  WireResponse out;
  out.status = error.status;
  if (protocol == Protocol::kJson) {
    out.content_type = "application/x-amz-json-1.1";
    out.body = nlohmann::json{{"__type", error.code}, {"message", error.message}}.dump();
    return out;
  }
  pugi::xml_document doc;
  auto root = doc.append_child("ErrorResponse");
  if (!xml_namespace.empty()) root.append_attribute("xmlns") = xml_namespace.c_str();
  auto e = root.append_child("Error");
  e.append_child("Type").text() = error.sender ? "Sender" : "Receiver";
  e.append_child("Code").text() = error.code.c_str();
  e.append_child("Message").text() = error.message.c_str();
  root.append_child("RequestId").text() = request_id.c_str();
  std::ostringstream body;
  doc.save(body, "", pugi::format_raw);
  out.content_type = "text/xml";
  out.body = body.str();
  return out;
}

AwsError invalid_action(const std::string& action) {
  return {400, "InvalidAction",
          "The action " + action +
              " is not valid for this web service (the lab answers a few "
              "operations only; docs/lab-aws-endpoint.md lists them)."};
}

AwsError missing_action() {
  return {400, "MissingAction", "The request must contain the parameter Action."};
}

AwsError missing_parameter(const std::string& name) {
  return {400, "MissingParameter", "The request must contain the parameter " + name + "."};
}

AwsError invalid_parameter_value(const std::string& message) {
  return {400, "InvalidParameterValue", message};
}

AwsError internal_failure(const std::string& message) {
  return {500, "InternalFailure", message, false};
}

}  // namespace dr::lab_aws
