#include "aws/dynamodb.h"

namespace dr::aws {

ServiceInfo DynamoDb::service() {
  return {"dynamodb", "dynamodb", false};
}

const JsonProtocol& DynamoDb::protocol() {
  static const JsonProtocol p{"DynamoDB_20120810", "1.0"};
  return p;
}

DynamoDb::DynamoDb(ClientConfig config) : client_(service(), std::move(config)) {}

Result<nlohmann::json> DynamoDb::create_table(const JsonRequest& in) {
  return json_call(client_, protocol(), "CreateTable", in);
}
Result<nlohmann::json> DynamoDb::describe_table(const JsonRequest& in) {
  return json_call(client_, protocol(), "DescribeTable", in);
}
Result<nlohmann::json> DynamoDb::get_item(const JsonRequest& in) {
  return json_call(client_, protocol(), "GetItem", in);
}
Result<nlohmann::json> DynamoDb::put_item(const JsonRequest& in) {
  return json_call(client_, protocol(), "PutItem", in);
}
Result<nlohmann::json> DynamoDb::update_item(const JsonRequest& in) {
  return json_call(client_, protocol(), "UpdateItem", in);
}
Result<nlohmann::json> DynamoDb::delete_item(const JsonRequest& in) {
  return json_call(client_, protocol(), "DeleteItem", in);
}
Result<nlohmann::json> DynamoDb::query(const JsonRequest& in) {
  return json_call(client_, protocol(), "Query", in);
}
Result<nlohmann::json> DynamoDb::transact_write_items(const JsonRequest& in) {
  return json_call(client_, protocol(), "TransactWriteItems", in);
}

// Streams live on their own endpoint but sign as "dynamodb".
ServiceInfo DynamoDbStreams::service() {
  return {"streams.dynamodb", "dynamodb", false};
}

const JsonProtocol& DynamoDbStreams::protocol() {
  static const JsonProtocol p{"DynamoDBStreams_20120810", "1.0"};
  return p;
}

DynamoDbStreams::DynamoDbStreams(ClientConfig config) : client_(service(), std::move(config)) {}

Result<nlohmann::json> DynamoDbStreams::list_streams(const JsonRequest& in) {
  return json_call(client_, protocol(), "ListStreams", in);
}
Result<nlohmann::json> DynamoDbStreams::describe_stream(const JsonRequest& in) {
  return json_call(client_, protocol(), "DescribeStream", in);
}
Result<nlohmann::json> DynamoDbStreams::get_shard_iterator(const JsonRequest& in) {
  return json_call(client_, protocol(), "GetShardIterator", in);
}
Result<nlohmann::json> DynamoDbStreams::get_records(const JsonRequest& in) {
  return json_call(client_, protocol(), "GetRecords", in);
}

bool is_conditional_check_failed(const Error& error) {
  return error.kind == ErrorKind::kServiceError && error.code == "ConditionalCheckFailedException";
}

std::optional<std::vector<std::string>> transaction_cancellation_reasons(const Error& error) {
  if (error.kind != ErrorKind::kServiceError || error.code != "TransactionCanceledException")
    return std::nullopt;
  std::vector<std::string> reasons;
  auto body = parse_json_body(error.raw_body);
  if (body) {
    auto it = body->find("CancellationReasons");
    if (it != body->end() && it->is_array()) {
      for (const auto& r : *it) {
        auto code = r.is_object() ? r.find("Code") : r.end();
        reasons.push_back(code != r.end() && code->is_string() ? code->get<std::string>()
                                                               : "Unknown");
      }
      return reasons;
    }
  }
  // Older services only put the reasons in the message: "... [None, ConditionalCheckFailed]".
  auto open = error.message.rfind('[');
  auto close = error.message.rfind(']');
  if (open != std::string::npos && close != std::string::npos && close > open) {
    std::string list = error.message.substr(open + 1, close - open - 1);
    size_t pos = 0;
    while (pos <= list.size()) {
      size_t comma = list.find(',', pos);
      if (comma == std::string::npos) comma = list.size();
      std::string item = list.substr(pos, comma - pos);
      while (!item.empty() && item.front() == ' ') item.erase(item.begin());
      while (!item.empty() && item.back() == ' ') item.pop_back();
      reasons.push_back(item);
      pos = comma + 1;
    }
  }
  return reasons;
}

}  // namespace dr::aws
