#include "aws/secrets_manager.h"

namespace dr::aws {

ServiceInfo SecretsManager::service() {
  return {"secretsmanager", "secretsmanager", false};
}

const JsonProtocol& SecretsManager::protocol() {
  static const JsonProtocol p{"secretsmanager", "1.1"};
  return p;
}

SecretsManager::SecretsManager(ClientConfig config) : client_(service(), std::move(config)) {}

JsonRequest SecretsManager::get_secret_value_input(const std::string& secret_id,
                                                   const std::string& version_stage) {
  JsonRequest in = {{"SecretId", secret_id}};
  if (!version_stage.empty()) in["VersionStage"] = version_stage;
  return in;
}

Result<SecretValue> SecretsManager::get_secret_value(const std::string& secret_id,
                                                     const std::string& version_stage) {
  if (secret_id.empty()) return std::unexpected(Error::invalid_argument("SecretId is empty"));
  auto out = json_call(client_, protocol(), "GetSecretValue",
                       get_secret_value_input(secret_id, version_stage));
  if (!out) return std::unexpected(out.error());
  SecretValue v;
  auto str = [&](const char* key) -> std::optional<std::string> {
    auto it = out->find(key);
    if (it == out->end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  v.arn = str("ARN").value_or("");
  v.name = str("Name").value_or("");
  v.version_id = str("VersionId").value_or("");
  v.secret_string = str("SecretString");
  if (auto b64 = str("SecretBinary")) {
    v.secret_binary = base64_decode(*b64);
    if (!v.secret_binary) return std::unexpected(Error::parse("SecretBinary is not valid base64"));
  }
  if (!v.secret_string && !v.secret_binary)
    return std::unexpected(
        Error::parse("GetSecretValue returned neither SecretString nor "
                     "SecretBinary"));
  return v;
}

}  // namespace dr::aws
