// A request to one of dr-app's load balancers ("https://host[:port][/base]" + a path): what the
// probe writes through and the checkers probe. The URL was validated with the targets.
#pragma once

#include <string>

#include "aws/http.h"

namespace dr::backends::aws_world {

inline dr::aws::HttpRequest request_to(const std::string& url, const std::string& method,
                                       const std::string& path) {
  dr::aws::HttpRequest r;
  r.method = method;
  const size_t scheme_end = url.find("://");
  r.scheme = url.substr(0, scheme_end);
  const std::string rest = scheme_end == std::string::npos ? url : url.substr(scheme_end + 3);
  const size_t slash = rest.find('/');
  r.host = rest.substr(0, slash);
  std::string base = slash == std::string::npos ? "" : rest.substr(slash);
  while (!base.empty() && base.back() == '/') base.pop_back();
  r.path = base + path;
  return r;
}

}  // namespace dr::backends::aws_world
