// Amazon SNS (query protocol, 2010-03-31) over the lab's notification sink: one topic per region,
// `arn:aws:sns:<region>:<account>:dr-lab-notifications`. Publish only: the message goes to the
// sink (the lab's <dir>/notifications.jsonl, where the lab controller's notifier writes too) as
// one JSON line: the message itself when it is a JSON object, else {"message": text}, plus
// "time_ms" and "sns" {topic_arn, subject, message_id}. Another topic is 404 NotFound; no
// Message, or one over 256 KiB, 400 InvalidParameter, as on AWS.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "lab_aws/lab_names.h"
#include "lab_aws/query_service.h"

namespace dr::lab_aws {

inline constexpr std::size_t kMaxSnsMessageBytes = 256 * 1024;
inline constexpr const char* kLabTopic = "dr-lab-notifications";

// arn:aws:sns:<region>:<account>:<topic>
std::string topic_arn(const std::string& region, const std::string& account = kLabAccount,
                      const std::string& topic = kLabTopic);

class SnsHandler {
 public:
  // Writes one event; false when it could not (the caller answers 500 InternalError).
  using Sink = std::function<bool(const nlohmann::json& event)>;

  explicit SnsHandler(Sink sink, std::string account = kLabAccount, std::string topic = kLabTopic);
  QueryService service();
  std::string topic_arn(const std::string& region) const;

 private:
  std::expected<void, AwsError> publish(const FormParams& p, const Caller& c,
                                        pugi::xml_node result);

  Sink sink_;
  std::string account_;
  std::string topic_;
};

}  // namespace dr::lab_aws
