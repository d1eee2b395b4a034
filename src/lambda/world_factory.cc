#include "lambda/world_factory.h"

namespace dr::lambda {

namespace {
constexpr const char* kUnwired =
    "the AWS world (src/backends/aws, issue 10 section 2) is not wired into this build";
core::Error unwired() {
  return {core::ErrorKind::kNotSupported, kUnwired};
}
}  // namespace

std::expected<core::Snapshot, std::string> UnwiredWorld::observe() {
  return std::unexpected(kUnwired);
}
core::Result<> UnwiredWorld::fence_writer(const core::DatabaseMove&) {
  return std::unexpected(unwired());
}
core::Result<std::string> UnwiredWorld::fail_over(const core::DatabaseMove&, bool) {
  return std::unexpected(unwired());
}
core::Result<std::string> UnwiredWorld::switch_over(const core::DatabaseMove&) {
  return std::unexpected(unwired());
}
core::Result<> UnwiredWorld::set_capacity(const std::string&, int, int, int) {
  return std::unexpected(unwired());
}
core::Result<> UnwiredWorld::fence_apps(const std::string&, const std::string&) {
  return std::unexpected(unwired());
}
core::Result<> UnwiredWorld::unfence_apps(const std::string&) {
  return std::unexpected(unwired());
}
core::Result<> UnwiredWorld::shift_to(const std::string&) {
  return std::unexpected(unwired());
}
core::Result<> UnwiredWorld::verify_write(const std::string&) {
  return std::unexpected(unwired());
}

WorldFactory default_world_factory() {
  return [](const Config&) -> std::expected<std::unique_ptr<core::World>, std::string> {
    return std::make_unique<UnwiredWorld>();
  };
}

}  // namespace dr::lambda
