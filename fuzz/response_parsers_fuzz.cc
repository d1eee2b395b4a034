// libFuzzer target for every response parser of the AWS client. The first byte picks the
// parser, the rest is the response body. A crash, a sanitizer report, a leak or an exception
// escaping a parser is a bug: parsers must turn any input into a value or a kParseError.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/autoscaling.h"
#include "aws/cloudwatch.h"
#include "aws/dynamodb.h"
#include "aws/json_protocol.h"
#include "aws/query_protocol.h"
#include "aws/rds.h"
#include "aws/rest_xml_protocol.h"
#include "aws/route53.h"
#include "aws/secrets_manager.h"
#include "aws/sns.h"

namespace {

using namespace dr::aws;

// Answers every request with the fuzzed body, so a whole call (signing, error mapping,
// output parsing) runs without a network.
class FixedTransport final : public HttpTransport {
 public:
  HttpResponse response;
  Result<HttpResponse> send(const HttpRequest&) override { return response; }
};

ClientConfig fixed_config(const std::shared_ptr<FixedTransport>& transport) {
  ClientConfig c;
  c.credentials = std::make_shared<StaticCredentialsProvider>(
      Credentials{"AKIDEXAMPLE", "secret", "", std::nullopt, "fuzz"});
  c.transport = transport;
  c.clock = [] { return SystemTime{}; };
  c.retry.max_attempts = 1;
  return c;
}

// Every field the parsers produce is read, so the sanitizers see any bad memory behind them.
size_t touch(const std::string& s) {
  return s.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t sink = 0;
  switch (selector % 14) {
    case 0:
      if (auto r = Rds::parse_describe_global_clusters(body)) {
        for (const auto& g : r->global_clusters) {
          sink += touch(g.identifier) + g.members.size();
          if (const auto* w = g.writer()) sink += touch(w->db_cluster_arn);
          if (g.failover_state) sink += touch(g.failover_state->to_db_cluster_arn);
        }
      }
      break;
    case 1:
      if (auto r = Rds::parse_describe_db_clusters(body))
        for (const auto& c : r->db_clusters) sink += touch(c.endpoint) + c.members.size();
      break;
    case 2:
      if (auto r = Rds::parse_global_cluster_result(body, "FailoverGlobalCluster"))
        sink += touch(r->global_cluster.status);
      break;
    case 3:
      if (auto r = AutoScaling::parse_describe_auto_scaling_groups(body))
        for (const auto& g : r->auto_scaling_groups)
          sink += static_cast<size_t>(g.in_service_healthy());
      break;
    case 4:
      if (auto r = Sns::parse_publish(body)) sink += touch(r->message_id);
      break;
    case 5:
      if (auto r = CloudWatch::parse_describe_alarms(body))
        sink += r->metric_alarms.size() + r->composite_alarms.size();
      break;
    case 6:
      if (auto r = Route53::parse_get_health_check_status(body))
        sink += static_cast<size_t>(r->healthy_count());
      break;
    case 7:
      if (auto r = Route53::parse_change_info(body, "ChangeResourceRecordSetsResponse"))
        sink += touch(r->change_info.id);
      break;
    case 8: {
      Error e = parse_rest_xml_error(HttpResponse{400, {}, std::string(body)});
      sink += touch(e.code) + touch(e.message) + touch(e.request_id);
      break;
    }
    case 9:
      if (auto r = parse_json_body(body)) sink += r->size();
      break;
    case 10: {
      Error e = parse_json_error(HttpResponse{400, {}, std::string(body)});
      e.code = "TransactionCanceledException";
      if (auto reasons = transaction_cancellation_reasons(e)) sink += reasons->size();
      break;
    }
    case 11: {
      auto transport = std::make_shared<FixedTransport>();
      transport->response = {200, {}, std::string(body)};
      SecretsManager sm(fixed_config(transport));
      if (auto r = sm.get_secret_value("dr-app/db"))
        sink += touch(r->secret_string.value_or("")) + touch(r->secret_binary.value_or(""));
      break;
    }
    case 12: {
      // A whole query call answered with an error status: the error path of the client.
      auto transport = std::make_shared<FixedTransport>();
      transport->response = {400, {}, std::string(body)};
      Rds rds(fixed_config(transport));
      auto r = rds.describe_global_clusters({});
      if (!r) sink += touch(r.error().code);
      break;
    }
    case 13:
      if (auto r = parse_query_response(body, "UpdateAutoScalingGroup", false))
        sink += touch(r->request_id);
      break;
  }
  // Keeps the reads above from being optimized away.
  asm volatile("" : : "r"(sink) : "memory");
  return 0;
}
