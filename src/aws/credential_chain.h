// Where credentials come from, in the order the AWS SDKs look: environment variables (also how
// Lambda hands them over), the shared credentials/config files, the container endpoint (ECS, EKS
// pod identity), and IMDSv2 on EC2. A caching chain in front refreshes temporary credentials
// before they expire.
//
// Every source fails with Error::credentials(...) whose message starts with the source and says
// why. A source that is simply not configured here (no variables set, no file, IMDS disabled)
// uses the code kCredentialsNotFound: the chain moves on to the next one. Any other failure
// means the source is configured but broken (partial keys, a malformed file, a container endpoint
// that does not answer): the chain stops there, as the SDKs do, rather than silently picking up a
// different identity further down.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "aws/error.h"
#include "aws/transport.h"

namespace dr::aws {

inline constexpr std::string_view kCredentialsNotFound = "CredentialsNotFound";

// "Nothing configured here" (the chain tries the next source).
Error credentials_not_found(std::string message);
bool is_credentials_not_found(const Error& error);

// ---- Environment (and Lambda) ----

// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, optional AWS_SESSION_TOKEN. Inside Lambda
// (AWS_LAMBDA_FUNCTION_NAME set) these are the function role's credentials; `source` says so.
class EnvironmentCredentialsProvider final : public CredentialsProvider {
 public:
  Result<Credentials> credentials() override;
};

// ---- Shared files (~/.aws/credentials, ~/.aws/config) ----

// Empty fields are read from the environment on every call (AWS_PROFILE,
// AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, then ~/.aws/...).
struct ProfileOptions {
  std::string profile{};
  std::string credentials_file{};
  std::string config_file{};
};

// Static keys from a profile. The credentials file wins over the config file. Profiles that
// need a role, SSO or a credential process are reported as unsupported, not skipped.
class ProfileCredentialsProvider final : public CredentialsProvider {
 public:
  explicit ProfileCredentialsProvider(ProfileOptions options = {}) : options_(std::move(options)) {}
  Result<Credentials> credentials() override;

 private:
  ProfileOptions options_;
};

// The region: AWS_REGION, then AWS_DEFAULT_REGION, then `region` in the profile's config
// section. The error lists where it looked.
Result<std::string> resolve_region(const ProfileOptions& options = {});

// ---- Container endpoint (ECS task role, EKS pod identity) ----

// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on http://169.254.170.2) or
// AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http to loopback / the ECS and EKS link-local
// agents only: the credentials must not travel in clear text elsewhere), with the
// Authorization header from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or
// AWS_CONTAINER_AUTHORIZATION_TOKEN.
class ContainerCredentialsProvider final : public CredentialsProvider {
 public:
  // nullptr: the default transport with short timeouts (the agent is on the host; a slow one is a
  // broken one).
  explicit ContainerCredentialsProvider(std::shared_ptr<HttpTransport> transport = nullptr);
  Result<Credentials> credentials() override;

 private:
  std::shared_ptr<HttpTransport> transport_;
};

// Validates a full container credentials URI (exposed for tests).
Result<std::string> validate_container_uri(const std::string& uri);

// ---- IMDSv2 (EC2 instance profile) ----

struct ImdsOptions {
  std::shared_ptr<HttpTransport> transport{};  // nullptr: default transport, 1 s
  std::function<SystemTime()> clock{};         // nullptr: system clock
  std::chrono::seconds token_ttl{21600};
  int attempts = 2;  // one retry: the service is link-local, a second miss means it is not there
};

// PUT /latest/api/token, then the role name and its credentials with the token header. IMDSv1
// (no token) is never used: our instances require tokens, and falling back would hide a
// misconfigured hop limit. Endpoint from AWS_EC2_METADATA_SERVICE_ENDPOINT (or the IPv6 one when
// AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6); AWS_EC2_METADATA_DISABLED=true turns it off.
class ImdsCredentialsProvider final : public CredentialsProvider {
 public:
  explicit ImdsCredentialsProvider(ImdsOptions options = {});
  Result<Credentials> credentials() override;

 private:
  Result<std::string> token(const std::string& endpoint, bool force_refresh);
  Result<HttpResponse> get(const std::string& endpoint, const std::string& path);

  ImdsOptions options_;
  std::mutex mu_;  // guards the token cache; requests themselves run outside it
  std::string token_;
  std::string token_endpoint_;
  SystemTime token_expires_{};
};

// ---- The caching chain ----

struct ChainOptions {
  std::function<SystemTime()> clock{};  // nullptr: system clock
  // Temporary credentials are refreshed once they expire within this window, so no request is
  // signed with credentials that die in flight.
  std::chrono::seconds refresh_window{300};
  // After a failed refresh (while the cached credentials are still valid) or one that returned
  // credentials already inside the window, wait this long before asking the sources again, so a
  // metadata outage does not add a timeout to every request.
  std::chrono::seconds retry_interval{10};
};

struct NamedProvider {
  std::string name;  // for the chain's error ("environment", "imds", ...)
  std::shared_ptr<CredentialsProvider> provider;
};

// Tries the sources in order and caches the first success. Thread-safe: one caller refreshes,
// the others wait for its result instead of stampeding the metadata service.
class CredentialChain final : public CredentialsProvider {
 public:
  CredentialChain(std::vector<NamedProvider> sources, ChainOptions options = {});
  Result<Credentials> credentials() override;

 private:
  Result<Credentials> resolve();

  std::vector<NamedProvider> sources_;
  ChainOptions options_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
  SystemTime next_attempt_{};  // earliest refresh after a failed or too-short one
};

struct DefaultChainOptions {
  std::shared_ptr<HttpTransport>
      transport{};  // container + IMDS; nullptr: default transport, short
  std::function<SystemTime()> clock{};
  ProfileOptions profile{};
};

// environment -> shared files -> container -> IMDSv2, cached.
std::shared_ptr<CredentialsProvider> make_default_credentials_chain(
    DefaultChainOptions options = {});

}  // namespace dr::aws
