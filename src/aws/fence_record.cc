#include "aws/fence_record.h"

#include <charconv>

namespace dr::aws {

std::string fence_key(const std::string& region) {
  return "fence#" + region;
}

nlohmann::json fence_put_item(const std::string& table, const std::string& key_attribute,
                              const FenceRecord& r) {
  return {{"TableName", table},
          {"Item",
           {{key_attribute, {{"S", fence_key(r.region)}}},
            {"kind", {{"S", "fence"}}},
            {"region", {{"S", r.region}}},
            {"fenced", {{"BOOL", r.fenced}}},
            {"reason", {{"S", r.reason}}},
            {"updated_at_ms", {{"N", std::to_string(r.updated_at_ms)}}},
            {"updated_by", {{"S", r.updated_by}}}}},
          {"ConditionExpression", "attribute_not_exists(#k) OR updated_at_ms <= :t"},
          {"ExpressionAttributeNames", {{"#k", key_attribute}}},
          {"ExpressionAttributeValues", {{":t", {{"N", std::to_string(r.updated_at_ms)}}}}}};
}

nlohmann::json fence_get_item(const std::string& table, const std::string& key_attribute,
                              const std::string& region) {
  return {{"TableName", table},
          {"Key", {{key_attribute, {{"S", fence_key(region)}}}}},
          {"ConsistentRead", true}};
}

std::expected<std::optional<FenceRecord>, std::string> parse_fence_item(const nlohmann::json& out) {
  if (!out.is_object() || !out.contains("Item")) return std::optional<FenceRecord>();
  const auto& item = out["Item"];
  if (!item.is_object()) return std::unexpected("fence record: Item is not an object");
  auto typed = [&](const char* name, const char* type) -> const nlohmann::json* {
    auto it = item.find(name);
    if (it == item.end() || !it->is_object()) return nullptr;
    auto v = it->find(type);
    return v == it->end() ? nullptr : &*v;
  };
  FenceRecord r;
  const auto* region = typed("region", "S");
  const auto* fenced = typed("fenced", "BOOL");
  const auto* reason = typed("reason", "S");
  const auto* at = typed("updated_at_ms", "N");
  if (!region || !region->is_string()) return std::unexpected("fence record: no region (S)");
  if (!fenced || !fenced->is_boolean()) return std::unexpected("fence record: no fenced (BOOL)");
  if (!at || !at->is_string()) return std::unexpected("fence record: no updated_at_ms (N)");
  r.region = region->get<std::string>();
  r.fenced = fenced->get<bool>();
  if (reason && reason->is_string()) r.reason = reason->get<std::string>();
  const std::string text = at->get<std::string>();
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), r.updated_at_ms);
  if (ec != std::errc() || end != text.data() + text.size())
    return std::unexpected("fence record: updated_at_ms '" + text + "' is not an integer");
  if (const auto* by = typed("updated_by", "S"); by && by->is_string())
    r.updated_by = by->get<std::string>();
  return r;
}

}  // namespace dr::aws
