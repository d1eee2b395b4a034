// Credentials from environment variables. Lambda puts the function role's temporary
// credentials here too, so the same source covers the failover Lambda.
#include "aws/credential_chain.h"
#include "aws/credential_util.h"

namespace dr::aws {

Error credentials_not_found(std::string message) {
  Error e = Error::credentials(std::move(message));
  e.code = std::string(kCredentialsNotFound);
  return e;
}

bool is_credentials_not_found(const Error& error) {
  return error.kind == ErrorKind::kCredentials && error.code == kCredentialsNotFound;
}

Result<Credentials> EnvironmentCredentialsProvider::credentials() {
  auto key = detail::env("AWS_ACCESS_KEY_ID");
  auto secret = detail::env("AWS_SECRET_ACCESS_KEY");
  if (!key && !secret)
    return std::unexpected(
        credentials_not_found("environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set"));
  // Half a key pair is a mistake, not an absence: say so instead of trying the next source.
  if (!key)
    return std::unexpected(Error::credentials(
        "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"));
  if (!secret)
    return std::unexpected(Error::credentials(
        "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"));
  Credentials creds;
  creds.access_key_id = *key;
  creds.secret_access_key = *secret;
  creds.session_token = detail::env("AWS_SESSION_TOKEN").value_or("");
  auto function = detail::env("AWS_LAMBDA_FUNCTION_NAME");
  creds.source = function ? "lambda environment (function " + *function + ")" : "environment";
  return creds;
}

}  // namespace dr::aws
