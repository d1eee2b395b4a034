#include "drill/switchover_target.h"

namespace dr::drill {

std::optional<std::string> switchover_target(const nlohmann::json& status,
                                             const std::string& writer_region) {
  if (!status.is_object() || !status.contains("regions") || !status["regions"].is_object())
    return std::nullopt;
  bool writer_seen = false;
  std::optional<std::string> other;
  for (const auto& [region, r] : status["regions"].items()) {
    if (region.empty() || !r.is_object()) return std::nullopt;
    if (region == writer_region) {
      writer_seen = true;
    } else if (other) {
      return std::nullopt;  // two candidates: the drill does not pick one for the operator
    } else {
      other = region;
    }
  }
  if (!writer_seen) return std::nullopt;
  return other;
}

}  // namespace dr::drill
