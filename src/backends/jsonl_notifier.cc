#include "backends/jsonl_notifier.h"

#include <fcntl.h>
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

namespace dr::backends {

bool append_jsonl(const std::filesystem::path& path, const nlohmann::json& event) {
  const std::string line = event.dump() + "\n";
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  return written;
}

JsonlNotifier::JsonlNotifier(std::filesystem::path path, Now now)
    : path_(std::move(path)), now_(std::move(now)) {}

void JsonlNotifier::notify(const std::string& json_event) {
  auto event = nlohmann::json::parse(json_event, nullptr, false);
  if (event.is_discarded() || !event.is_object()) event = {{"message", json_event}};
  event["time_ms"] =
      std::chrono::duration_cast<std::chrono::milliseconds>(now_().time_since_epoch()).count();
  std::lock_guard lock(mu_);
  if (!append_jsonl(path_, event)) {
    // A lost notification must not fail a failover; say so where an operator will see it.
    std::cerr << "notifier: could not append to " << path_ << ": " << event.dump() << "\n";
  }
}

}  // namespace dr::backends
