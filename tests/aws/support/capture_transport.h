// A transport that records every request and answers each with a canned response, so a test can
// see exactly what the client put on the wire and still exercise its response parsing.
#pragma once

#include <mutex>
#include <vector>

#include "aws/transport.h"

namespace dr::aws::testing {

class CaptureTransport final : public HttpTransport {
 public:
  explicit CaptureTransport(HttpResponse response = {200, {}, ""})
      : response_(std::move(response)) {}

  Result<HttpResponse> send(const HttpRequest& request) override {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    return response_;
  }

  void respond_with(HttpResponse response) {
    std::lock_guard lock(mu_);
    response_ = std::move(response);
  }
  void respond_with(int status, std::string body) {
    respond_with(HttpResponse{status, {}, std::move(body)});
  }

  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  HttpRequest last() const {
    std::lock_guard lock(mu_);
    return requests_.empty() ? HttpRequest{} : requests_.back();
  }

 private:
  mutable std::mutex mu_;
  HttpResponse response_;
  std::vector<HttpRequest> requests_;
};

}  // namespace dr::aws::testing
