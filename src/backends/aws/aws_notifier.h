// core::Notifier on AWS: SNS Publish of the event to every configured topic (both regions'),
// each in its topic's region, with the event's name as a message attribute so subscriptions can
// filter on it. A failed publish is logged and the next topic is tried; nothing is thrown or
// returned (a lost notification never fails the runbook).
#pragma once

#include <string>

#include "aws/sns.h"
#include "backends/aws/aws_targets.h"
#include "core/ports.h"

namespace dr::backends::aws_world {

class AwsNotifier final : public core::Notifier {
 public:
  AwsNotifier(std::vector<std::string> topic_arns, ClientConfigFor clients, LogFn log);
  void notify(const std::string& json_event) override;

  // The Publish input for one topic (exposed for the tests): Subject "dr-app: <event>",
  // attributes event (and failover_id, from_region, to_region when the event has them).
  static dr::aws::PublishInput publish_input(const std::string& topic_arn,
                                             const std::string& json_event);

 private:
  std::vector<std::string> topics_;
  ClientConfigFor clients_;
  LogFn log_;
};

// arn:aws:sns:<region>:<account>:<name> -> <region>, "" when it is not an SNS topic ARN.
std::string topic_region(const std::string& topic_arn);

}  // namespace dr::backends::aws_world
