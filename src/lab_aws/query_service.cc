#include "lab_aws/query_service.h"

#include <sstream>

namespace dr::lab_aws {

pugi::xml_node add_text(pugi::xml_node parent, const char* name, const std::string& value) {
  auto n = parent.append_child(name);
  n.text() = value.c_str();
  return n;
}

pugi::xml_node add_bool(pugi::xml_node parent, const char* name, bool value) {
  return add_text(parent, name, value ? "true" : "false");
}

pugi::xml_node add_int(pugi::xml_node parent, const char* name, long long value) {
  return add_text(parent, name, std::to_string(value));
}

WireResponse answer_query(const QueryService& service, const FormParams& params,
                          const Caller& caller, const std::string& request_id) {
  auto error = [&](const AwsError& e) {
    return render_error(e, Protocol::kQuery, request_id, service.xml_namespace);
  };
  const auto action_name = params.get("Action");
  if (!action_name || action_name->empty()) return error(missing_action());
  const auto it = service.actions.find(*action_name);
  if (it == service.actions.end()) return error(invalid_action(*action_name));

  pugi::xml_document doc;
  auto response = doc.append_child((*action_name + "Response").c_str());
  response.append_attribute("xmlns") = service.xml_namespace.c_str();
  pugi::xml_node result =
      it->second.has_result ? response.append_child((*action_name + "Result").c_str()) : response;
  try {
    if (auto done = it->second.handle(params, caller, result); !done) return error(done.error());
  } catch (const std::exception& e) {
    return error(internal_failure(*action_name + " failed: " + e.what()));
  } catch (...) {
    return error(internal_failure(*action_name + " failed"));
  }
  add_text(response.append_child("ResponseMetadata"), "RequestId", request_id);
  std::ostringstream body;
  doc.save(body, "", pugi::format_raw);
  return {200, "text/xml", body.str()};
}

}  // namespace dr::lab_aws
