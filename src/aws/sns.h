// Amazon SNS (query protocol, API 2010-03-31): Publish, how the controller tells people what it
// decided and why.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/client.h"
#include "aws/query_protocol.h"

namespace dr::aws {

struct SnsMessageAttribute {
  std::string data_type;  // String | Number | String.Array | Binary
  std::optional<std::string> string_value = std::nullopt;
};

struct PublishInput {
  std::optional<std::string> topic_arn = std::nullopt;
  std::optional<std::string> target_arn = std::nullopt;
  std::string message;
  std::optional<std::string> subject = std::nullopt;
  std::optional<std::string> message_structure = std::nullopt;  // "json" for per-protocol text
  // Sent in this order (SNS does not care; botocore keeps the caller's order, and so do we).
  std::vector<std::pair<std::string, SnsMessageAttribute>> message_attributes = {};
  std::optional<std::string> message_deduplication_id = std::nullopt;  // FIFO topics
  std::optional<std::string> message_group_id = std::nullopt;          // FIFO topics
};

struct PublishOutput {
  std::string message_id;
  std::optional<std::string> sequence_number;  // FIFO topics
  QueryResponse raw;
};

class Sns {
 public:
  explicit Sns(ClientConfig config);

  Result<PublishOutput> publish(const PublishInput& input);

  static ServiceInfo service();
  static const QueryProtocol& protocol();
  ServiceClient& client() { return client_; }

  static QueryParams publish_params(const PublishInput& input);
  static Result<PublishOutput> parse_publish(std::string_view body);

 private:
  ServiceClient client_;
};

}  // namespace dr::aws
