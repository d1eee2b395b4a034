// Secrets Manager GetSecretValue: how dr-app reads the database password (never from the repo,
// the launch template or Terraform state).
#pragma once

#include <optional>
#include <string>

#include "aws/client.h"
#include "aws/json_protocol.h"

namespace dr::aws {

struct SecretValue {
  std::string arn;
  std::string name;
  std::string version_id;
  std::optional<std::string> secret_string;
  std::optional<std::string> secret_binary;  // decoded bytes
};

class SecretsManager {
 public:
  explicit SecretsManager(ClientConfig config);

  // version_stage defaults to AWSCURRENT on the service side when empty.
  Result<SecretValue> get_secret_value(const std::string& secret_id,
                                       const std::string& version_stage = "");

  static ServiceInfo service();
  static const JsonProtocol& protocol();
  static JsonRequest get_secret_value_input(const std::string& secret_id,
                                            const std::string& version_stage);
  ServiceClient& client() { return client_; }

 private:
  ServiceClient client_;
};

}  // namespace dr::aws
