#include "aws/sns.h"

namespace dr::aws {

namespace {

Result<PublishOutput> read_publish(QueryResponse raw) {
  XmlReader r(raw.result, "PublishResult");
  r.require("MessageId");
  PublishOutput out;
  out.message_id = r.str("MessageId");
  out.sequence_number = r.opt_str("SequenceNumber");
  out.raw = std::move(raw);
  if (const auto& e = r.error()) return std::unexpected(*e);
  return out;
}

}  // namespace

ServiceInfo Sns::service() {
  return {"sns", "sns", false};
}

const QueryProtocol& Sns::protocol() {
  static const QueryProtocol p{"2010-03-31"};
  return p;
}

Sns::Sns(ClientConfig config) : client_(service(), std::move(config)) {}

QueryParams Sns::publish_params(const PublishInput& in) {
  QueryParams p;
  p.maybe_add("TopicArn", in.topic_arn)
      .maybe_add("TargetArn", in.target_arn)
      .add("Message", in.message)
      .maybe_add("Subject", in.subject)
      .maybe_add("MessageStructure", in.message_structure);
  // A map: MessageAttributes.entry.N.Name / .Value.<member> (the model names key and value).
  for (size_t i = 0; i < in.message_attributes.size(); ++i) {
    const auto& [name, value] = in.message_attributes[i];
    std::string prefix = "MessageAttributes.entry." + std::to_string(i + 1);
    p.add(prefix + ".Name", name);
    p.add(prefix + ".Value.DataType", value.data_type);
    p.maybe_add(prefix + ".Value.StringValue", value.string_value);
  }
  p.maybe_add("MessageDeduplicationId", in.message_deduplication_id)
      .maybe_add("MessageGroupId", in.message_group_id);
  return p;
}

Result<PublishOutput> Sns::parse_publish(std::string_view body) {
  return then(parse_query_response(body, "Publish", true), read_publish);
}

Result<PublishOutput> Sns::publish(const PublishInput& in) {
  if (!in.topic_arn && !in.target_arn)
    return std::unexpected(Error::invalid_argument("Publish needs a TopicArn or a TargetArn"));
  return then(query_call(client_, protocol(), "Publish", publish_params(in), true), read_publish);
}

}  // namespace dr::aws
