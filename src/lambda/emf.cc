#include "lambda/emf.h"

namespace dr::lambda {

nlohmann::json emf_line(nlohmann::json fields, const Dimensions& dimensions,
                        const std::vector<Metric>& metrics, int64_t timestamp_ms) {
  if (!fields.is_object()) fields = nlohmann::json{{"message", fields}};
  nlohmann::json dimension_set = nlohmann::json::array();
  for (const auto& [name, value] : dimensions) {
    fields[name] = value;
    dimension_set.push_back(name);
  }
  nlohmann::json definitions = nlohmann::json::array();
  for (const auto& m : metrics) {
    if (m.values.empty()) continue;
    nlohmann::json definition{{"Name", m.name}};
    if (!m.unit.empty()) definition["Unit"] = m.unit;
    definitions.push_back(std::move(definition));
    const size_t skip = m.values.size() > 100 ? m.values.size() - 100 : 0;
    std::vector<double> kept(m.values.begin() + static_cast<std::ptrdiff_t>(skip), m.values.end());
    fields[m.name] = kept.size() == 1 ? nlohmann::json(kept.front()) : nlohmann::json(kept);
  }
  if (definitions.empty()) return fields;
  fields["_aws"] = {{"Timestamp", timestamp_ms},
                    {"CloudWatchMetrics",
                     {{{"Namespace", kMetricNamespace},
                       {"Dimensions", nlohmann::json::array({dimension_set})},
                       {"Metrics", definitions}}}}};
  return fields;
}

std::string to_line(const nlohmann::json& line) {
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace dr::lambda
