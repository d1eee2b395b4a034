#include "backends/aws/aws_notifier.h"

#include <nlohmann/json.hpp>

#include "backends/aws/client_for.h"
#include "backends/aws/error_map.h"

namespace dr::backends::aws_world {

std::string topic_region(const std::string& arn) {
  // arn : partition : sns : region : account : name
  std::vector<std::string> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string::npos) return "";
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  if (parts[0] != "arn" || parts[2] != "sns" || parts[3].empty() || start >= arn.size()) return "";
  return parts[3];
}

AwsNotifier::AwsNotifier(std::vector<std::string> topic_arns, ClientConfigFor clients, LogFn log)
    : topics_(std::move(topic_arns)), clients_(std::move(clients)), log_(std::move(log)) {}

dr::aws::PublishInput AwsNotifier::publish_input(const std::string& topic_arn,
                                                 const std::string& json_event) {
  dr::aws::PublishInput in{.topic_arn = topic_arn, .message = json_event};
  auto j = nlohmann::json::parse(json_event, nullptr, false);
  std::string event = "event";
  if (j.is_object() && j.contains("event") && j["event"].is_string())
    event = j["event"].get<std::string>();
  // SNS: a subject is at most 100 printable ASCII characters, no line breaks.
  std::string subject = "dr-app: " + event;
  for (char& c : subject)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  in.subject = subject.substr(0, 100);
  in.message_attributes.push_back({"event", {"String", event}});
  if (j.is_object()) {
    for (const char* name : {"id", "from_region", "to_region"}) {
      if (!j.contains(name) || !j[name].is_string() || j[name].get<std::string>().empty()) continue;
      in.message_attributes.push_back({std::string(name) == "id" ? "failover_id" : name,
                                       {"String", j[name].get<std::string>()}});
    }
  }
  return in;
}

void AwsNotifier::notify(const std::string& json_event) {
  for (const auto& topic : topics_) {
    const std::string region = topic_region(topic);
    if (region.empty()) {
      if (log_) log_("notify: '" + topic + "' is not an SNS topic ARN; skipped");
      continue;
    }
    auto sns = client_for<dr::aws::Sns>(clients_, region);
    if (!sns) {
      if (log_) log_("notify " + topic + ": " + sns.error().describe());
      continue;
    }
    auto out = (*sns)->publish(publish_input(topic, json_event));
    if (!out && log_) log_("notify: " + to_core(out.error(), "Publish to " + topic).describe());
  }
}

}  // namespace dr::backends::aws_world
