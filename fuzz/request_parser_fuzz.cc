// libFuzzer target for dr-app's HTTP/1.1 request parser (src/app/http_parser.h), which reads
// bytes from any client. Each input is a buffer as the listener would hold it; the parser must
// answer with a request, "read more", or an error status, within the limits, and never crash.
// A whole request is parsed again from what it left over, as pipelined requests are.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "app/http_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dr::app::HttpLimits limits;
  limits.max_head_bytes = 1024;
  limits.max_headers = 16;
  limits.max_body_bytes = 256;
  std::string_view buffer(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < 8 && !buffer.empty(); ++i) {
    auto parsed = dr::app::parse_request(buffer, limits);
    if (!parsed) {
      if (parsed.error().status < 400 || parsed.error().status > 505) std::abort();
      return 0;
    }
    if (!*parsed) {
      if (buffer.size() > limits.max_head_bytes + 4) std::abort();  // waits only within the limit
      return 0;
    }
    const auto& p = **parsed;
    if (!p.complete) return 0;
    if (p.consumed == 0 || p.consumed > buffer.size()) std::abort();
    if (p.request.body.size() > limits.max_body_bytes) std::abort();
    (void)p.request.keep_alive();
    (void)p.request.param("consistent");
    buffer.remove_prefix(p.consumed);
  }
  return 0;
}
