#include "backends/aws/aws_ports.h"

#include "aws/credential_chain.h"

namespace dr::backends::aws_world {

ClientConfigFor shared_clients(dr::aws::AwsClientOptions options,
                               std::shared_ptr<dr::aws::HttpTransport> transport) {
  // One chain for every client: its cache refreshes temporary credentials once, not per call.
  if (!options.credentials) {
    dr::aws::DefaultChainOptions chain;
    if (options.profile) chain.profile.profile = *options.profile;
    options.credentials = dr::aws::make_default_credentials_chain(chain);
  }
  if (!transport) transport = dr::aws::make_default_transport({});
  return [options = std::move(options), transport = std::move(transport)](
             const std::string& region,
             const dr::aws::ServiceInfo& service) -> dr::aws::Result<dr::aws::ClientConfig> {
    auto config = dr::aws::client_config(service, region, options);
    if (config) config->transport = transport;
    return config;
  };
}

AwsPorts::AwsPorts(const AwsTargets& targets, ClientConfigFor clients, Pacing pacing, LogFn log,
                   std::shared_ptr<dr::aws::HttpTransport> probe_transport)
    : database(targets, clients, pacing),
      fleet(targets, clients, pacing, log),
      traffic(targets, clients, pacing),
      probe(targets, pacing, std::move(probe_transport)),
      notifier(targets.topic_arns, clients, log),
      lease(targets, clients, pacing) {}

}  // namespace dr::backends::aws_world
