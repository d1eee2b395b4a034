// AWS Secrets Manager (JSON protocol, 2017-10-17) for the lab's database credentials: one
// secret per region, `dr-lab/app-db` ({"username", "password"}: dr-app's own database user,
// the one the seed hard-coded), read from <lab dir>/credentials when asked, never copied.
// GetSecretValue only; another secret (or another region's ARN) is ResourceNotFoundException, a
// VersionStage other than AWSCURRENT too, as on AWS.
#pragma once

#include <functional>
#include <string>

#include "lab_aws/json_service.h"
#include "lab_aws/lab_names.h"

namespace dr::lab_aws {

inline constexpr const char* kLabSecretName = "dr-lab/app-db";

struct DbSecret {
  std::string username;
  std::string password;
};

class SecretsHandler {
 public:
  using Read = std::function<std::expected<DbSecret, std::string>()>;

  explicit SecretsHandler(Read read, std::string account = kLabAccount,
                          std::string name = kLabSecretName);
  JsonService service();
  std::string arn(const std::string& region) const;

 private:
  std::expected<nlohmann::json, AwsError> get_secret_value(const nlohmann::json& input,
                                                           const Caller& caller);

  Read read_;
  std::string account_;
  std::string name_;
};

}  // namespace dr::lab_aws
