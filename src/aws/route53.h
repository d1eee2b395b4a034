// Amazon Route 53 (rest-xml, API 2013-04-01, one global endpoint signed for us-east-1): health
// check status as failover evidence, and the record changes that move traffic. These are
// data-plane calls except ChangeResourceRecordSets, which the runbook only uses when the
// control plane (us-east-1) is reachable; failover records flip on their own otherwise.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/client.h"
#include "aws/rest_xml_protocol.h"

namespace dr::aws {

struct HealthCheckObservation {
  std::string region;  // the checker's region, e.g. "us-east-1"
  std::string ip_address;
  std::string status;  // "Success: HTTP Status Code 200, OK" / "Failure: ..."
  std::optional<SystemTime> checked_time;

  bool healthy() const { return status.starts_with("Success"); }
};

struct GetHealthCheckStatusOutput {
  std::vector<HealthCheckObservation> observations;
  RestXmlResponse raw;

  int healthy_count() const;
};

struct AliasTarget {
  std::string hosted_zone_id;
  std::string dns_name;
  bool evaluate_target_health = false;
};

struct ResourceRecordSet {
  std::string name;
  std::string type;  // A, AAAA, CNAME, ...
  std::optional<std::string> set_identifier = std::nullopt;
  std::optional<int64_t> weight = std::nullopt;
  std::optional<std::string> region = std::nullopt;
  std::optional<std::string> failover = std::nullopt;  // PRIMARY | SECONDARY
  std::optional<bool> multi_value_answer = std::nullopt;
  std::optional<int64_t> ttl = std::nullopt;
  std::vector<std::string> resource_records = {};  // values
  std::optional<AliasTarget> alias_target = std::nullopt;
  std::optional<std::string> health_check_id = std::nullopt;
};

struct ResourceRecordSetChange {
  std::string action;  // CREATE | DELETE | UPSERT
  ResourceRecordSet record_set;
};

struct ChangeResourceRecordSetsInput {
  std::string hosted_zone_id;  // "Z123" or "/hostedzone/Z123" (the prefix is dropped)
  std::optional<std::string> comment = std::nullopt;
  std::vector<ResourceRecordSetChange> changes = {};
};

struct ChangeInfo {
  std::string id;      // "/change/C123"
  std::string status;  // PENDING | INSYNC
  std::optional<SystemTime> submitted_at;
  std::optional<std::string> comment;
};

struct ChangeInfoOutput {
  ChangeInfo change_info;
  RestXmlResponse raw;
};

class Route53 {
 public:
  explicit Route53(ClientConfig config);

  Result<GetHealthCheckStatusOutput> get_health_check_status(const std::string& health_check_id);
  Result<ChangeInfoOutput> change_resource_record_sets(const ChangeResourceRecordSetsInput& input);
  // `change_id` may be "C123" or "/change/C123" (as ChangeResourceRecordSets returns it).
  Result<ChangeInfoOutput> get_change(const std::string& change_id);

  static ServiceInfo service();
  ServiceClient& client() { return client_; }

  static HttpRequest get_health_check_status_request(const std::string& health_check_id);
  static HttpRequest change_resource_record_sets_request(
      const ChangeResourceRecordSetsInput& input);
  static HttpRequest get_change_request(const std::string& change_id);
  static Result<GetHealthCheckStatusOutput> parse_get_health_check_status(std::string_view body);
  static Result<ChangeInfoOutput> parse_change_info(std::string_view body,
                                                    std::string_view root_name);

 private:
  ServiceClient client_;
};

// botocore's fix_route53_ids: "/hostedzone/Z123" -> "Z123", "/change/C1" -> "C1".
std::string route53_short_id(std::string_view id);

}  // namespace dr::aws
