// Checks a request's AWS Signature Version 4 the way AWS does, as the lab's AWS endpoint's first
// step: the service and region come from the Authorization header's credential scope
// (Credential=AKID/20261202/us-east-1/rds/aws4_request), and the signature is recomputed with
// src/aws/sigv4 over the request as received (the headers SignedHeaders names, the body's hash)
// and compared in constant time. Errors carry AWS's codes and statuses (CommonErrors):
//  - no Authorization header: 403 MissingAuthenticationToken;
//  - a malformed one, no X-Amz-Date, Host not signed: 400 IncompleteSignature;
//  - an access key id that is not the lab's: 403 InvalidClientTokenId;
//  - X-Amz-Date more than 15 minutes off the endpoint's clock: 400 RequestExpired;
//  - any other difference (wrong secret, tampered body or header, a scope date that is not the
//    request's): 403 SignatureDoesNotMatch.
#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "aws/http.h"
#include "lab_aws/aws_error.h"

namespace dr::lab_aws {

struct AuthorizationHeader {
  std::string access_key_id;
  std::string date;  // the scope's yyyymmdd
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;  // lower-case, as listed
  std::string signature;                    // lower-case hex
};

std::expected<AuthorizationHeader, AwsError> parse_authorization(std::string_view header);

// Who signed, and for which service and region.
struct Caller {
  std::string access_key_id;
  std::string region;
  std::string service;
};

inline constexpr std::chrono::minutes kMaxClockSkew{15};

// `request`: path as on the wire (encoded once), query decoded, every header received.
std::expected<Caller, AwsError> verify_signature(const aws::HttpRequest& request,
                                                 const aws::Credentials& lab_keys,
                                                 aws::SystemTime now);

// Equal strings, in time that depends on the lengths only.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace dr::lab_aws
