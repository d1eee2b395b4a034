#include "lab_aws/sns_handler.h"

#include <chrono>

#include "lab_aws/dispatcher.h"

namespace dr::lab_aws {

namespace {

constexpr const char* kNamespace = "http://sns.amazonaws.com/doc/2010-03-31/";

AwsError invalid(const std::string& message) {
  return {400, "InvalidParameter", message};
}

}  // namespace

SnsHandler::SnsHandler(Sink sink, std::string account, std::string topic)
    : sink_(std::move(sink)), account_(std::move(account)), topic_(std::move(topic)) {}

std::string topic_arn(const std::string& region, const std::string& account,
                      const std::string& topic) {
  return "arn:aws:sns:" + region + ":" + account + ":" + topic;
}

std::string SnsHandler::topic_arn(const std::string& region) const {
  return lab_aws::topic_arn(region, account_, topic_);
}

QueryService SnsHandler::service() {
  QueryService s;
  s.xml_namespace = kNamespace;
  s.actions["Publish"] = {
      [this](const FormParams& p, const Caller& c, pugi::xml_node r) { return publish(p, c, r); }};
  return s;
}

std::expected<void, AwsError> SnsHandler::publish(const FormParams& p, const Caller& c,
                                                  pugi::xml_node result) {
  auto arn = p.get("TopicArn");
  if (!arn) arn = p.get("TargetArn");
  if (!arn || arn->empty())
    return std::unexpected(
        invalid("Invalid parameter: TopicArn or TargetArn Reason: no value "
                "for required parameter"));
  const auto message = p.get("Message");
  if (!message || message->empty())
    return std::unexpected(invalid("Invalid parameter: Empty message"));
  if (message->size() > kMaxSnsMessageBytes)
    return std::unexpected(invalid("Invalid parameter: Message too long"));
  if (*arn != topic_arn(c.region))
    return std::unexpected(AwsError{404, "NotFound", "Topic does not exist"});
  auto event = nlohmann::json::parse(*message, nullptr, false);
  if (event.is_discarded() || !event.is_object()) event = {{"message", *message}};
  const std::string id = new_request_id();
  event["time_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  event["sns"] = {
      {"topic_arn", *arn}, {"subject", p.get("Subject").value_or("")}, {"message_id", id}};
  if (!sink_(event))
    return std::unexpected(
        AwsError{500, "InternalError", "the lab's notification sink could not be written", false});
  add_text(result, "MessageId", id);
  return {};
}

}  // namespace dr::lab_aws
