// The lab's AWS endpoint on HTTP: one listener (an address in the lab's global range, like
// LocalStack's single port) that hands every request, whatever its path or method, to the
// Dispatcher. HTTP-level trouble gets AWS's error shape too: a body over 1 MiB is 413
// RequestEntityTooLargeException, a request httplib cannot parse 400, a bad %-escape in the
// query string 400 InvalidQueryParameter.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "lab/error.h"
#include "lab_aws/dispatcher.h"

namespace httplib {
class Server;
}

namespace dr::lab_aws {

inline constexpr std::size_t kMaxBodyBytes = 1024 * 1024;

class EndpointServer {
 public:
  explicit EndpointServer(const Dispatcher& dispatcher);
  EndpointServer(const EndpointServer&) = delete;
  EndpointServer& operator=(const EndpointServer&) = delete;
  ~EndpointServer();

  // Binds `address` (port 0: a free one), serves in a thread, returns once it is serving.
  lab::Result<std::uint16_t> start(const std::string& address, int port = 0);
  void stop();

 private:
  const Dispatcher& dispatcher_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace dr::lab_aws
