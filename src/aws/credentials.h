// AWS credentials and the provider interface. The chain itself (env, shared files, IMDSv2,
// container/Lambda) lives in credential_chain.h.
#pragma once

#include <optional>
#include <string>

#include "aws/encoding.h"
#include "aws/error.h"

namespace dr::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  std::optional<SystemTime> expiration;
  std::string source;  // where they came from ("environment", "profile default", "imds", ...)
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Returns valid credentials or an error naming the source and why it failed.
  virtual Result<Credentials> credentials() = 0;
};

// Fixed credentials (tests, the botocore comparison, DynamoDB Local).
class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(Credentials c) : creds_(std::move(c)) {}
  Result<Credentials> credentials() override { return creds_; }

 private:
  Credentials creds_;
};

}  // namespace dr::aws
