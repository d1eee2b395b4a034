#include "backends/aws/aws_ports.h"

namespace dr::backends::aws_world {

ClientConfigFor shared_clients(std::shared_ptr<dr::aws::CredentialsProvider> credentials,
                               std::shared_ptr<dr::aws::HttpTransport> transport,
                               std::optional<std::string> endpoint_url) {
  return [credentials = std::move(credentials), transport = std::move(transport),
          endpoint_url = std::move(endpoint_url)](const std::string& region) {
    dr::aws::ClientConfig c;
    c.region = region;
    c.endpoint_url = endpoint_url;
    c.credentials = credentials;
    c.transport = transport;
    return c;
  };
}

AwsPorts::AwsPorts(const AwsTargets& targets, ClientConfigFor clients, Pacing pacing, LogFn log,
                   std::shared_ptr<dr::aws::HttpTransport> probe_transport)
    : database(targets, clients, pacing),
      fleet(targets, clients, pacing, log),
      traffic(targets, clients, pacing),
      probe(targets, pacing, std::move(probe_transport)),
      notifier(targets.topic_arns, clients, log) {}

}  // namespace dr::backends::aws_world
