// Notifications as JSON lines appended to a file: the lab's SNS. Each line is one event with a
// timestamp; appends are atomic per line (O_APPEND, one write), so several writers may share it.
#pragma once

#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/ports.h"
#include "core/snapshot.h"

namespace dr::backends {

// Appends `event` as one line with one write(2) on an O_APPEND descriptor, so concurrent writers
// and readers never see half a line. False when the file could not be written.
bool append_jsonl(const std::filesystem::path& path, const nlohmann::json& event);

class JsonlNotifier final : public core::Notifier {
 public:
  using Now = std::function<core::TimePoint()>;
  JsonlNotifier(std::filesystem::path path, Now now);
  void notify(const std::string& json_event) override;

 private:
  std::filesystem::path path_;
  Now now_;
  std::mutex mu_;
};

}  // namespace dr::backends
