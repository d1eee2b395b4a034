// The default transport of the Lambda's bootstrap (transport.h): no libcurl in its zip.
#include "aws/transport.h"

namespace dr::aws {

std::shared_ptr<HttpTransport> make_default_transport(TransportOptions options) {
  return make_socket_transport(std::move(options));
}

}  // namespace dr::aws
