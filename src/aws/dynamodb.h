// DynamoDB and DynamoDB Streams: only the operations dr-app calls. Inputs and outputs are the
// service's own JSON shapes (as in the AWS API reference), so nothing is lost in translation and
// the requests match botocore byte for byte.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

#include "aws/client.h"
#include "aws/json_protocol.h"

namespace dr::aws {

class DynamoDb {
 public:
  explicit DynamoDb(ClientConfig config);

  Result<nlohmann::json> create_table(const JsonRequest& input);
  Result<nlohmann::json> describe_table(const JsonRequest& input);
  Result<nlohmann::json> get_item(const JsonRequest& input);
  Result<nlohmann::json> put_item(const JsonRequest& input);
  Result<nlohmann::json> update_item(const JsonRequest& input);
  Result<nlohmann::json> delete_item(const JsonRequest& input);
  Result<nlohmann::json> query(const JsonRequest& input);
  Result<nlohmann::json> transact_write_items(const JsonRequest& input);

  static ServiceInfo service();
  static const JsonProtocol& protocol();
  ServiceClient& client() { return client_; }

 private:
  ServiceClient client_;
};

class DynamoDbStreams {
 public:
  explicit DynamoDbStreams(ClientConfig config);

  Result<nlohmann::json> list_streams(const JsonRequest& input);
  Result<nlohmann::json> describe_stream(const JsonRequest& input);
  Result<nlohmann::json> get_shard_iterator(const JsonRequest& input);
  Result<nlohmann::json> get_records(const JsonRequest& input);

  static ServiceInfo service();
  static const JsonProtocol& protocol();
  ServiceClient& client() { return client_; }

 private:
  ServiceClient client_;
};

// A ConditionExpression did not hold (PutItem/UpdateItem/DeleteItem).
bool is_conditional_check_failed(const Error& error);
// A transaction was cancelled; the reasons, one per item in request order ("None" for items
// that were fine), or nullopt when the error is not a cancelled transaction.
std::optional<std::vector<std::string>> transaction_cancellation_reasons(const Error& error);

}  // namespace dr::aws
