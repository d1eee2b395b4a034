// An error the lab's AWS endpoint answers with, and its two wire shapes: the query protocol's
// <ErrorResponse> (rds, autoscaling, ...) and the JSON protocol's {"__type", "message"}
// (secretsmanager, ...). Codes and HTTP statuses are AWS's own (the services' CommonErrors
// pages and the botocore models); docs/lab-aws-endpoint.md lists where each comes from.
#pragma once

#include <string>

namespace dr::lab_aws {

struct AwsError {
  int status = 400;
  std::string code;
  std::string message;
  bool sender = true;  // <Type>Sender</Type>; false: Receiver (the service's fault)
};

enum class Protocol { kQuery, kJson };

struct WireResponse {
  int status = 200;
  std::string content_type;
  std::string body;
};

// <ErrorResponse xmlns=...><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>.
// `xml_namespace` may be empty (an error before the service is known).
WireResponse render_error(const AwsError& error, Protocol protocol, const std::string& request_id,
                          const std::string& xml_namespace = "");

// The common errors (CommonErrors in every service's API reference).
AwsError invalid_action(const std::string& action);            // 400 InvalidAction
AwsError missing_action();                                     // 400 MissingAction
AwsError missing_parameter(const std::string& name);           // 400 MissingParameter
AwsError invalid_parameter_value(const std::string& message);  // 400 InvalidParameterValue
AwsError internal_failure(const std::string& message);         // 500 InternalFailure

}  // namespace dr::lab_aws
