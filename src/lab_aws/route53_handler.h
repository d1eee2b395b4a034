// Amazon Route 53 (rest-xml, 2013-04-01; global, signed for us-east-1) over the lab's front door,
// with the names infra/modules/route53 creates (prefix dr-lab):
// - health checks: dr-lab-primary-alb and dr-lab-secondary-alb (HTTPS checks of each region's
//   ALB), dr-lab-not-forced (CLOUDWATCH_METRIC on the force-failover alarm in the secondary
//   region, insufficient data = healthy) and dr-lab-primary (CALCULATED: both of the primary's
//   must be healthy). ListHealthChecks lists them; GetHealthCheckStatus reports HAProxy's real
//   check of that ALB (the supervisor's status), or the alarm's state; a calculated one is
//   InvalidInput, as on AWS.
// - hosted zone Z0DRLAB0000000000000 with the failover records of `record_name`: CNAME
//   set-identifier "primary" (Failover PRIMARY, us-east-1's ALB) and "secondary" (SECONDARY,
//   us-west-2's). ChangeResourceRecordSets CREATE / UPSERT / DELETE them; what the front door
//   does follows which records exist: both, the health checks decide (no override); one, all
//   traffic goes to its region (the front door's override). Deleting both is refused (the lab's
//   front door cannot answer NXDOMAIN). The answer is PENDING; GetChange is INSYNC once the
//   front door shows the override the change asked for.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "aws/encoding.h"
#include "aws/http.h"
#include "lab_aws/aws_error.h"
#include "lab_aws/front_door_lab.h"
#include "lab_aws/sigv4_verifier.h"

namespace dr::lab_aws {

struct Route53Names {
  std::string prefix = "dr-lab";
  std::string zone_id = "Z0DRLAB0000000000000";
  std::string record_name = "app.dr-lab.internal.";
  std::string primary_region = "us-east-1";
  std::string secondary_region = "us-west-2";
  std::string alarm_name = "dr-lab-force-failover";
};

inline constexpr std::size_t kMaxChanges = 1000;  // GetChange answers for the newest ones

class Route53Handler {
 public:
  using Clock = std::function<aws::SystemTime()>;
  using AlarmState = std::function<std::string()>;  // OK | ALARM | INSUFFICIENT_DATA

  Route53Handler(FrontDoorLab& front_door, AlarmState alarm, Route53Names names = {},
                 Clock clock = {});

  WireResponse handle(const aws::HttpRequest& request, const Caller& caller,
                      const std::string& request_id);

 private:
  struct Record {
    std::string failover;  // PRIMARY | SECONDARY
    std::string value;
    long long ttl = 60;
    std::string health_check_id;
  };
  struct Change {
    aws::SystemTime submitted;
    std::optional<std::string> forced_to;  // what the front door must show
    bool insync = false;
  };

  std::expected<std::string, AwsError> list_health_checks();
  std::expected<std::string, AwsError> health_check_status(const std::string& id);
  std::expected<std::string, AwsError> change_records(const std::string& zone,
                                                      const std::string& body);
  std::expected<std::string, AwsError> get_change(const std::string& id);
  std::string region_of(const std::string& set_identifier) const;

  FrontDoorLab& front_door_;
  AlarmState alarm_;
  Route53Names names_;
  Clock clock_;
  std::mutex change_mu_;  // one change at a time, as Route 53 (PriorRequestNotComplete else)
  std::mutex mu_;         // records_, changes_
  std::map<std::string, Record> records_;  // set identifier -> record
  std::map<std::string, Change> changes_;  // "C..." -> change
  long long next_change_ = 1;
};

}  // namespace dr::lab_aws
