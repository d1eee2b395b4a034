// The five AWS ports built together from one AwsTargets, for whoever wires the controller on
// AWS (the Lambda, drctl): core::Backends over them, and a ClientConfigFor with one shared
// credentials chain and transport (so every region's clients reuse connections and cached
// credentials).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/endpoint_config.h"
#include "aws/transport.h"
#include "backends/aws/aws_fleet.h"
#include "backends/aws/aws_global_database.h"
#include "backends/aws/aws_notifier.h"
#include "backends/aws/aws_probe.h"
#include "backends/aws/aws_traffic.h"
#include "backends/aws/aws_write_lease.h"
#include "core/runbook.h"

namespace dr::backends::aws_world {

// Endpoints resolved as the AWS CLI does (aws/endpoint_config.h): options.endpoint_url (drctl's
// --endpoint-url) for every service, else AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, else
// AWS's own; options' credentials (the default chain when null) and one transport (the default when
// null) shared by every region's clients.
ClientConfigFor shared_clients(dr::aws::AwsClientOptions options,
                               std::shared_ptr<dr::aws::HttpTransport> transport = nullptr);

class AwsPorts {
 public:
  AwsPorts(const AwsTargets& targets, ClientConfigFor clients, Pacing pacing, LogFn log,
           std::shared_ptr<dr::aws::HttpTransport> probe_transport = nullptr);
  AwsPorts(const AwsPorts&) = delete;
  AwsPorts& operator=(const AwsPorts&) = delete;

  core::Backends backends() { return {database, fleet, traffic, probe, notifier, lease}; }

  AwsGlobalDatabase database;
  AwsFleet fleet;
  AwsTraffic traffic;
  AwsProbe probe;
  AwsNotifier notifier;
  AwsWriteLease lease;
};

}  // namespace dr::backends::aws_world
