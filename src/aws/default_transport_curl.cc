// The default transport of every program but the Lambda's bootstrap (transport.h).
#include "aws/transport.h"

namespace dr::aws {

std::shared_ptr<HttpTransport> make_default_transport(TransportOptions options) {
  return make_curl_transport(std::move(options));
}

}  // namespace dr::aws
