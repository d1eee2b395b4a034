#include <cstdlib>
#include <filesystem>

#include "aws/transport.h"

namespace dr::aws {

std::optional<std::string> ca_bundle(const std::function<const char*(const char*)>& getenv,
                                     const std::function<bool(const std::string&)>& exists) {
  if (const char* v = getenv("AWS_CA_BUNDLE"); v != nullptr && *v != '\0') return std::string(v);
  for (const char* path : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                           "/etc/ssl/cert.pem"})
    if (exists(path)) return std::string(path);
  return std::nullopt;
}

std::optional<std::string> current_ca_bundle() {
  return ca_bundle([](const char* name) { return std::getenv(name); },
                   [](const std::string& path) {
                     std::error_code ec;
                     return std::filesystem::is_regular_file(path, ec);
                   });
}

const std::optional<std::string>& process_ca_bundle() {
  static const std::optional<std::string> bundle = current_ca_bundle();
  return bundle;
}

}  // namespace dr::aws
