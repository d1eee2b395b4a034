// Requests to the lab's AWS endpoint signed with src/aws/sigv4 (the client side the endpoint
// must accept), for the unit and integration tests.
#pragma once

#include <string>

#include "aws/credentials.h"
#include "aws/query_protocol.h"
#include "aws/sigv4.h"

namespace dr::test {

inline aws::Credentials lab_keys() {
  return {"AKIALABTESTKEY000001", "labsecretlabsecretlabsecretlabsecret0001", "", {}, "test"};
}

inline aws::SystemTime fixed_now() {
  return aws::SystemTime{} + std::chrono::seconds(1'796'169'600);  // 2026-12-02T00:00:00Z
}

// A query-protocol request for `service` in `region`, signed at `when` with `keys`.
inline aws::HttpRequest signed_query(const std::string& service, const std::string& region,
                                     const std::string& version, const std::string& action,
                                     const aws::QueryParams& params,
                                     const aws::Credentials& keys = lab_keys(),
                                     aws::SystemTime when = fixed_now(),
                                     const std::string& host = "127.0.3.27:4566") {
  aws::HttpRequest r = aws::query_request(aws::QueryProtocol{version}, action, params);
  r.scheme = "http";
  r.host = host;
  r.set_header("Host", host);
  aws::sign_request(r, keys, {.region = region, .service = service, .time = when});
  return r;
}

}  // namespace dr::test
