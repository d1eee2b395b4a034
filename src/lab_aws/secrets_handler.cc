#include "lab_aws/secrets_handler.h"

namespace dr::lab_aws {

namespace {

AwsError not_found() {
  return {400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."};
}

std::string text(const nlohmann::json& input, const char* key) {
  return input.contains(key) && input[key].is_string() ? input[key].get<std::string>() : "";
}

}  // namespace

SecretsHandler::SecretsHandler(Read read, std::string account, std::string name)
    : read_(std::move(read)), account_(std::move(account)), name_(std::move(name)) {}

std::string SecretsHandler::arn(const std::string& region) const {
  // AWS appends six random characters to a secret's ARN; the lab's are fixed.
  return "arn:aws:secretsmanager:" + region + ":" + account_ + ":secret:" + name_ + "-000000";
}

JsonService SecretsHandler::service() {
  JsonService s;
  s.target_prefix = "secretsmanager";
  s.operations["GetSecretValue"] = [this](const nlohmann::json& in, const Caller& c) {
    return get_secret_value(in, c);
  };
  return s;
}

std::expected<nlohmann::json, AwsError> SecretsHandler::get_secret_value(
    const nlohmann::json& input, const Caller& caller) {
  const std::string id = text(input, "SecretId");
  if (id.empty())
    return std::unexpected(AwsError{400, "InvalidParameterException",
                                    "You must provide a value for the SecretId parameter."});
  if (id != name_ && id != arn(caller.region)) return std::unexpected(not_found());
  const std::string stage = text(input, "VersionStage");
  if (!stage.empty() && stage != "AWSCURRENT") return std::unexpected(not_found());
  const std::string version = text(input, "VersionId");
  if (!version.empty() && version != "00000000-0000-4000-8000-000000000001")
    return std::unexpected(not_found());
  auto secret = read_();
  if (!secret)
    return std::unexpected(
        AwsError{500, "InternalServiceError", "the lab's credentials: " + secret.error(), false});
  return nlohmann::json{
      {"ARN", arn(caller.region)},
      {"Name", name_},
      {"VersionId", "00000000-0000-4000-8000-000000000001"},
      {"SecretString",
       nlohmann::json{{"username", secret->username}, {"password", secret->password}}.dump()},
      {"VersionStages", {"AWSCURRENT"}},
      {"CreatedDate", 1767225600}};
}

}  // namespace dr::lab_aws
