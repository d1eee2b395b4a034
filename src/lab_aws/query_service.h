// One AWS service in the query protocol, as the lab answers it: its XML namespace (the botocore
// model's metadata.xmlNamespace) and its actions. An action fills <ActionResult>; the response
// around it is <ActionResponse xmlns=...><ActionResult>..</ActionResult><ResponseMetadata>
// <RequestId>..</RequestId></ResponseMetadata></ActionResponse>, as AWS writes it.
#pragma once

#include <pugixml.hpp>

#include <expected>
#include <functional>
#include <map>
#include <string>

#include "lab_aws/aws_error.h"
#include "lab_aws/form.h"
#include "lab_aws/sigv4_verifier.h"

namespace dr::lab_aws {

struct QueryAction {
  // Fills the <ActionResult> element (or returns the error to answer with).
  std::function<std::expected<void, AwsError>(const FormParams& params, const Caller& caller,
                                              pugi::xml_node result)>
      handle;
  bool has_result = true;  // false: <ActionResponse> holds only <ResponseMetadata>
};

struct QueryService {
  std::string xml_namespace;
  std::map<std::string, QueryAction> actions;
};

// Runs `params`' Action on `service`: InvalidAction for an unknown one, MissingAction without
// one; an exception in a handler is a 500 InternalFailure, never a crash.
WireResponse answer_query(const QueryService& service, const FormParams& params,
                          const Caller& caller, const std::string& request_id);

// Small writers for the handlers.
pugi::xml_node add_text(pugi::xml_node parent, const char* name, const std::string& value);
pugi::xml_node add_bool(pugi::xml_node parent, const char* name, bool value);
pugi::xml_node add_int(pugi::xml_node parent, const char* name, long long value);

}  // namespace dr::lab_aws
