#include "backends/aws/aws_traffic.h"

#include "aws/cloudwatch.h"
#include "backends/aws/client_for.h"
#include "backends/aws/error_map.h"

namespace dr::backends::aws_world {

AwsTraffic::AwsTraffic(AwsTargets targets, ClientConfigFor clients, Pacing pacing)
    : targets_(std::move(targets)), clients_(std::move(clients)), pacing_(std::move(pacing)) {}

core::Result<> AwsTraffic::shift_to(const std::string& region) {
  double value = 0;
  if (region == targets_.secondary_region)
    value = 1;  // force the primary record unhealthy
  else if (region != targets_.primary_region)
    return core::fail(core::ErrorKind::kRefused, "Route 53's failover records know only " +
                                                     targets_.primary_region + " and " +
                                                     targets_.secondary_region + ", not " + region);
  auto cw = client_for<dr::aws::CloudWatch>(clients_, targets_.secondary_region);
  if (!cw) return std::unexpected(cw.error());
  auto out = (*cw)->put_metric_data(
      {.namespace_ = targets_.force_namespace,
       .metric_data = {{.metric_name = targets_.force_metric,
                        .timestamp = pacing_.wall(),
                        .value = value,
                        .unit = "Count",
                        // The alarm's period is 10 s: only a high-resolution metric has one.
                        .storage_resolution = 1}}});
  if (!out)
    return std::unexpected(to_core(out.error(), "PutMetricData " + targets_.force_namespace + "/" +
                                                    targets_.force_metric + " in " +
                                                    targets_.secondary_region));
  return {};
}

}  // namespace dr::backends::aws_world
