// Shared by the Lambda's tests (tests/lambda, tests/lab_lambda): a fresh directory per test, and
// AWS for a role that may do nothing: every call a 4xx (never retried), in each protocol's shape.
#pragma once

#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "aws/support/loopback_server.h"

namespace dr::test {

// <tmp>/<prefix>-<pid>-<the running test's name>, empty.
inline std::filesystem::path fresh_test_dir(const std::string& prefix) {
  const auto dir = std::filesystem::temp_directory_path() /
                   (prefix + "-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Answers every POST to `aws` with AccessDenied (JSON for X-Amz-Target, query XML otherwise),
// counting them into `calls` when given, and starts it.
inline void start_denying_aws(LoopbackServer& aws, std::atomic<int>* calls = nullptr) {
  aws.http().Post(".*", [calls](const httplib::Request& req, httplib::Response& res) {
    if (calls != nullptr) ++*calls;
    res.status = 400;
    if (req.has_header("X-Amz-Target")) {
      res.set_content(R"({"__type":"com.amazonaws.dynamodb.v20120810#AccessDeniedException",)"
                      R"("message":"no AWS here"})",
                      "application/x-amz-json-1.0");
    } else {
      res.set_content(
          "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
          "<Message>no AWS here</Message></Error><RequestId>r</RequestId></ErrorResponse>",
          "text/xml");
    }
  });
  aws.start();
}

}  // namespace dr::test
