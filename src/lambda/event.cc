#include "lambda/event.h"

#include <nlohmann/json.hpp>

namespace dr::lambda {

namespace {

// Nesting depth outside strings, before the parser sees it: a body of a million '[' must be
// refused without building a million nested values.
int max_depth(const std::string& body) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > kMaxEventDepth) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

std::expected<std::string, std::string> string_member(const nlohmann::json& j, const char* name,
                                                      size_t max) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string())
    return std::unexpected(std::string("no string '") + name + "'");
  const auto& s = it->get_ref<const std::string&>();
  if (s.empty() || s.size() > max) return std::unexpected(std::string("bad '") + name + "'");
  return s;
}

}  // namespace

std::expected<ScheduledEvent, std::string> parse_scheduled_event(const std::string& body) {
  if (body.size() > kMaxEventBytes)
    return std::unexpected("event of " + std::to_string(body.size()) + " bytes (at most " +
                           std::to_string(kMaxEventBytes) + ")");
  if (max_depth(body) > kMaxEventDepth)
    return std::unexpected("event nested deeper than " + std::to_string(kMaxEventDepth));
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::unexpected("event is not JSON");
  if (!j.is_object()) return std::unexpected("event is not a JSON object");
  auto source = string_member(j, "source", 64);
  if (!source) return std::unexpected("not an EventBridge event: " + source.error());
  auto detail_type = string_member(j, "detail-type", 64);
  if (!detail_type) return std::unexpected("not an EventBridge event: " + detail_type.error());
  if (*source != "aws.events" || *detail_type != "Scheduled Event")
    return std::unexpected(
        "not a scheduled event (source and detail-type must be 'aws.events' "
        "and 'Scheduled Event')");
  auto id = string_member(j, "id", 128);
  if (!id) return std::unexpected("scheduled event: " + id.error());
  auto time = string_member(j, "time", 64);
  if (!time) return std::unexpected("scheduled event: " + time.error());
  return ScheduledEvent{*id, *time};
}

}  // namespace dr::lambda
