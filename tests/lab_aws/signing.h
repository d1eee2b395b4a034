// Requests to the lab's AWS endpoint signed with src/aws/sigv4 (the client side the endpoint
// must accept), for the unit and integration tests.
#pragma once

#include <memory>
#include <string>

#include "aws/client.h"
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

// Signs `r` with the lab's keys for `service` in `region` at `when`.
inline void sign_for_lab(aws::HttpRequest& r, const std::string& service,
                         const std::string& region = "us-west-2",
                         aws::SystemTime when = fixed_now()) {
  aws::sign_request(r, lab_keys(), {.region = region, .service = service, .time = when});
}

// A POST to the lab's endpoint, not signed yet: `headers` after the Host header, `body`.
inline aws::HttpRequest lab_post(const std::string& path, const aws::Headers& headers,
                                 std::string body = "") {
  aws::HttpRequest r;
  r.method = "POST";
  r.path = path;
  r.host = "127.0.3.27:4566";
  r.headers = {{"Host", r.host}};
  r.headers.insert(r.headers.end(), headers.begin(), headers.end());
  r.body = std::move(body);
  return r;
}

// Our clients' config for the lab's endpoint at `url`: `region`, `keys`, `attempts`.
inline aws::ClientConfig lab_endpoint_config(const std::string& url, const std::string& region,
                                             const aws::Credentials& keys,
                                             std::shared_ptr<aws::HttpTransport> transport,
                                             int attempts) {
  aws::ClientConfig c;
  c.region = region;
  c.endpoint_url = url;
  c.credentials = std::make_shared<aws::StaticCredentialsProvider>(keys);
  c.transport = std::move(transport);
  c.retry.max_attempts = attempts;
  return c;
}

}  // namespace dr::test
