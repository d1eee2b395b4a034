#include "lab_aws/lab_endpoint.h"

#include "aws/transport.h"
#include "backends/jsonl_notifier.h"
#include "lab/credentials.h"
#include "lab/lab_state.h"
#include "lab/lab_topology.h"
#include "lab_aws/autoscaling_handler.h"
#include "lab_aws/aws_credentials.h"
#include "lab_aws/dispatcher.h"
#include "lab_aws/dynamodb_passthrough.h"
#include "lab_aws/elbv2_handler.h"
#include "lab_aws/endpoint_server.h"
#include "lab_aws/in_region_watcher.h"
#include "lab_aws/lab_backends.h"
#include "lab_aws/monitoring_handler.h"
#include "lab_aws/rds_handler.h"
#include "lab_aws/route53_handler.h"
#include "lab_aws/secrets_handler.h"
#include "lab_aws/sns_handler.h"

namespace dr::lab_aws {

// Declared in the order they must be built; destroyed in reverse: Aurora's in-region watcher
// first (a failover it started finishes), the listener, then the handlers (the rds one waits for
// its worker), then what they use.
struct LabEndpoint::Parts {
  LabBackends backends;
  RdsHandler rds;
  AutoScalingHandler autoscaling;
  Elbv2Handler elbv2;
  SnsHandler sns;
  SecretsHandler secrets;
  MonitoringHandler monitoring;
  Route53Handler route53;
  DynamoDbPassThrough dynamodb;
  Dispatcher dispatcher;
  EndpointServer server;
  InRegionWatcher watcher;

  Parts(const std::filesystem::path& dir, aws::Credentials keys, const Log& log)
      : backends(dir),
        rds(backends, {}, log),
        autoscaling(backends),
        elbv2(backends),
        sns([sink = dir / "notifications.jsonl"](const nlohmann::json& event) {
          return backends::append_jsonl(sink, event);
        }),
        secrets([dir]() -> std::expected<DbSecret, std::string> {
          auto creds = lab::LabCredentials::load_or_create(dir);
          if (!creds) return std::unexpected(creds.error().describe());
          return DbSecret{creds->app.name, creds->app.password};
        }),
        monitoring(backends, backends),
        route53(backends, [this] { return monitoring.alarm_state(); }),
        dynamodb(
            [dir](const std::string& region) -> std::expected<std::string, std::string> {
              // Read again on each call: a DynamoDB Local the lab restarted has a new port.
              auto state = lab::load_lab_state(dir);
              if (!state) return std::unexpected("lab state: " + state.error().describe());
              const auto* r = state->find(lab::dynamodb_name(region));
              if (r == nullptr || r->port == 0)
                return std::unexpected("no " + lab::dynamodb_name(region));
              return r->address + ":" + std::to_string(r->port);
            },
            aws::make_curl_transport({.connect_timeout = std::chrono::milliseconds(1000),
                                      .request_timeout = std::chrono::seconds(30)}),
            aws::Credentials{lab::kLabAccessKeyId, lab::kLabSecretAccessKey, "", {}, "lab"}),
        dispatcher(std::move(keys)),
        server(dispatcher),
        watcher(
            dir, WatchPolicy{},
            [this](const std::string& region, const std::string& target,
                   const std::string& cause) -> std::expected<void, std::string> {
              auto r = rds.fail_over_in_region_for(region, target, cause);
              if (!r) return std::unexpected(r.error().code + ": " + r.error().message);
              return {};
            },
            [this](const std::string& name) { return backends.fence(name); }, log) {
    dispatcher.add_query_service("rds", rds.service());
    dispatcher.add_query_service("autoscaling", autoscaling.service());
    dispatcher.add_query_service("elasticloadbalancing", elbv2.service());
    dispatcher.add_query_service("sns", sns.service());
    dispatcher.add_json_service("secretsmanager", secrets.service());
    dispatcher.add_query_service("monitoring", monitoring.service());
    dispatcher.add_rpc_bridge("monitoring", MonitoringHandler::rpc_bridge());
    dispatcher.add_raw_service(
        "route53", [this](const aws::HttpRequest& r, const Caller& c, const std::string& id) {
          return route53.handle(r, c, id);
        });
    // DynamoDB Streams signs as "dynamodb" too; DynamoDB Local answers both.
    dispatcher.add_raw_service(
        "dynamodb", [this](const aws::HttpRequest& r, const Caller& c, const std::string&) {
          return dynamodb.forward(r, c);
        });
  }
};

LabEndpoint::LabEndpoint(std::filesystem::path lab_dir, Log log)
    : dir_(std::move(lab_dir)), log_(std::move(log)) {
  if (!log_) log_ = [](const std::string&) {};
}

LabEndpoint::~LabEndpoint() {
  stop();
}

lab::Result<std::string> LabEndpoint::start(const std::string& address, int port) {
  auto keys = load_or_create_aws_credentials(dir_);
  if (!keys) return std::unexpected(keys.error());
  parts_ = std::make_unique<Parts>(dir_, std::move(*keys), log_);
  auto bound = parts_->server.start(address, port);
  if (!bound) {
    parts_.reset();
    return std::unexpected(bound.error());
  }
  // Aurora's own Multi-AZ failover runs while the endpoint does, whoever calls it.
  parts_->watcher.start();
  return "http://" + address + ":" + std::to_string(*bound);
}

void LabEndpoint::stop() {
  if (parts_) {
    parts_->watcher.stop();
    parts_->server.stop();
  }
  parts_.reset();
}

}  // namespace dr::lab_aws
