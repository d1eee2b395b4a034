// AWS Signature Version 4: header signing and presigned (query) signing. Pure functions of the
// request, the credentials and an explicit time, so they are testable against AWS's vectors.
#pragma once

#include <chrono>
#include <string>

#include "aws/credentials.h"
#include "aws/http.h"

namespace dr::aws {

struct SigningConfig {
  std::string region;
  std::string service;
  SystemTime time;
  // Remove "." and ".." segments and collapse repeated slashes before encoding. Every service
  // but S3 wants this; S3 signs the path as given.
  bool normalize_path = true;
  // Add and sign x-amz-content-sha256 (S3-style). Other services sign the payload hash only
  // inside the canonical request.
  bool sign_body = false;
  // Add the session token after signing instead of signing it (IoT-style services).
  bool omit_session_token = false;
  std::chrono::seconds expires{3600};  // presigned requests only
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lower-case hex
  std::string signed_headers;
};

// Adds X-Amz-Date (and X-Amz-Security-Token, x-amz-content-sha256 when configured) and the
// Authorization header to `request`.
Signature sign_request(HttpRequest& request, const Credentials& creds, const SigningConfig& config);

// Adds the X-Amz-* signing parameters and X-Amz-Signature to the request's query.
Signature presign_request(HttpRequest& request, const Credentials& creds,
                          const SigningConfig& config);

// Exposed for tests and diagnostics.
std::string canonical_path(std::string_view path, bool normalize);
std::string canonical_query(const std::vector<std::pair<std::string, std::string>>& query);

}  // namespace dr::aws
