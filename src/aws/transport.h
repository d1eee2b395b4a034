// HTTP transport. The error side is only ever kNotSent (nothing reached the server) or
// kOutcomeUnknown (bytes were sent; the server may have acted). An HTTP error status is not a
// transport error: it comes back as a response.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "aws/error.h"
#include "aws/http.h"

namespace dr::aws {

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Thread-safe.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds request_timeout{5000};  // whole request, response included
  size_t max_response_bytes = 64 * 1024 * 1024;     // larger bodies are an error, not an OOM
  // The local address connections leave from ("127.0.1.5"): a lab site's, so that a partition of
  // that site cuts them. "": the kernel's choice.
  std::string local_address = {};
};

// The CA bundle TLS is verified with: AWS_CA_BUNDLE when set (as the AWS CLI does), else the
// first that exists of Debian's, Amazon Linux 2023's (and RHEL's) and the BSDs' bundle; nullopt
// leaves the TLS library's built-in default. The libcurl and OpenSSL the artifacts carry are the
// build machine's (Debian), whose default /etc/ssl/certs/ca-certificates.crt does not exist on
// Amazon Linux.
std::optional<std::string> ca_bundle(const std::function<const char*(const char*)>& getenv,
                                     const std::function<bool(const std::string&)>& exists);

// ca_bundle() with the process's environment and file system: as they are now, and as they were
// at its first call (libcurl's transport: the file system does not change its bundle under us).
std::optional<std::string> current_ca_bundle();
const std::optional<std::string>& process_ca_bundle();

// libcurl with connection reuse: a pool of easy handles, each keeping its connections alive
// (library dr_aws_curl).
std::shared_ptr<HttpTransport> make_curl_transport(TransportOptions options = {});

// HTTP/1.1 over our own sockets and OpenSSL, with a pool of kept-alive connections per endpoint;
// no proxy support. For the Lambda's bootstrap, which must not carry libcurl's dependencies
// (library dr_aws_socket).
std::shared_ptr<HttpTransport> make_socket_transport(TransportOptions options = {});

// The transport of this program, chosen at link time: dr_aws_curl defines it as
// make_curl_transport, dr_aws_socket as make_socket_transport. dr_aws links dr_aws_curl unless
// the executable sets the target property DR_HTTP_TRANSPORT to "socket" (src/aws/CMakeLists.txt).
// Every transport the AWS clients and the Lambda create by default comes from here.
std::shared_ptr<HttpTransport> make_default_transport(TransportOptions options = {});

}  // namespace dr::aws
