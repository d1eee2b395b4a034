#include "aws/route53.h"

namespace dr::aws {

namespace {

constexpr std::string_view kApi = "/2013-04-01";
constexpr std::string_view kNamespace = "https://route53.amazonaws.com/doc/2013-04-01/";

Result<GetHealthCheckStatusOutput> read_health_check_status(RestXmlResponse raw) {
  XmlReader r(raw.root, "GetHealthCheckStatusResponse");
  r.require("HealthCheckObservations");
  GetHealthCheckStatusOutput out;
  r.each("HealthCheckObservations", "HealthCheckObservation", [&](XmlReader o) {
    XmlReader report = o.child("StatusReport");
    out.observations.push_back({o.str("Region"), o.str("IPAddress"), report.str("Status"),
                                report.opt_time("CheckedTime")});
  });
  out.raw = std::move(raw);
  if (const auto& e = r.error()) return std::unexpected(*e);
  return out;
}

Result<ChangeInfoOutput> read_change_info(RestXmlResponse raw, std::string_view root_name) {
  XmlReader r(raw.root, std::string(root_name));
  r.require("ChangeInfo");
  XmlReader c = r.child("ChangeInfo");
  c.require("Id");
  c.require("Status");
  ChangeInfoOutput out;
  out.change_info = {c.str("Id"), c.str("Status"), c.opt_time("SubmittedAt"), c.opt_str("Comment")};
  out.raw = std::move(raw);
  if (const auto& e = r.error()) return std::unexpected(*e);
  return out;
}

void write_record_set(XmlWriter& w, const ResourceRecordSet& s) {
  // Members in the service model's order, as botocore writes them.
  w.open("ResourceRecordSet").leaf("Name", s.name).leaf("Type", s.type);
  if (s.set_identifier) w.leaf("SetIdentifier", *s.set_identifier);
  if (s.weight) w.leaf("Weight", *s.weight);
  if (s.region) w.leaf("Region", *s.region);
  if (s.failover) w.leaf("Failover", *s.failover);
  if (s.multi_value_answer) w.leaf("MultiValueAnswer", *s.multi_value_answer);
  if (s.ttl) w.leaf("TTL", *s.ttl);
  if (!s.resource_records.empty()) {
    w.open("ResourceRecords");
    for (const auto& v : s.resource_records)
      w.open("ResourceRecord").leaf("Value", v).close("ResourceRecord");
    w.close("ResourceRecords");
  }
  if (s.alias_target) {
    w.open("AliasTarget")
        .leaf("HostedZoneId", s.alias_target->hosted_zone_id)
        .leaf("DNSName", s.alias_target->dns_name)
        .leaf("EvaluateTargetHealth", s.alias_target->evaluate_target_health)
        .close("AliasTarget");
  }
  if (s.health_check_id) w.leaf("HealthCheckId", *s.health_check_id);
  w.close("ResourceRecordSet");
}

}  // namespace

std::string route53_short_id(std::string_view id) {
  auto slash = id.rfind('/');
  return std::string(slash == std::string_view::npos ? id : id.substr(slash + 1));
}

int GetHealthCheckStatusOutput::healthy_count() const {
  int n = 0;
  for (const auto& o : observations)
    if (o.healthy()) ++n;
  return n;
}

ServiceInfo Route53::service() {
  return {"route53", "route53", true};
}

Route53::Route53(ClientConfig config) : client_(service(), std::move(config)) {}

HttpRequest Route53::get_health_check_status_request(const std::string& health_check_id) {
  return rest_xml_request(
      "GET", std::string(kApi) + "/healthcheck/" + uri_label(health_check_id) + "/status");
}

HttpRequest Route53::change_resource_record_sets_request(const ChangeResourceRecordSetsInput& in) {
  XmlWriter w;
  w.open("ChangeResourceRecordSetsRequest", {{"xmlns", std::string(kNamespace)}});
  w.open("ChangeBatch");
  if (in.comment) w.leaf("Comment", *in.comment);
  w.open("Changes");
  for (const auto& change : in.changes) {
    w.open("Change").leaf("Action", change.action);
    write_record_set(w, change.record_set);
    w.close("Change");
  }
  w.close("Changes").close("ChangeBatch").close("ChangeResourceRecordSetsRequest");
  return rest_xml_request("POST",
                          std::string(kApi) + "/hostedzone/" +
                              uri_label(route53_short_id(in.hosted_zone_id)) + "/rrset/",
                          w.str());
}

HttpRequest Route53::get_change_request(const std::string& change_id) {
  return rest_xml_request("GET",
                          std::string(kApi) + "/change/" + uri_label(route53_short_id(change_id)));
}

Result<GetHealthCheckStatusOutput> Route53::parse_get_health_check_status(std::string_view body) {
  return then(parse_rest_xml_response(body, "GetHealthCheckStatusResponse"),
              read_health_check_status);
}

Result<ChangeInfoOutput> Route53::parse_change_info(std::string_view body,
                                                    std::string_view root_name) {
  return then(parse_rest_xml_response(body, root_name),
              [&](RestXmlResponse raw) { return read_change_info(std::move(raw), root_name); });
}

Result<GetHealthCheckStatusOutput> Route53::get_health_check_status(
    const std::string& health_check_id) {
  if (health_check_id.empty())
    return std::unexpected(Error::invalid_argument("HealthCheckId is empty"));
  return then(rest_xml_call(client_, get_health_check_status_request(health_check_id),
                            "GetHealthCheckStatusResponse"),
              read_health_check_status);
}

Result<ChangeInfoOutput> Route53::change_resource_record_sets(
    const ChangeResourceRecordSetsInput& in) {
  if (route53_short_id(in.hosted_zone_id).empty())
    return std::unexpected(Error::invalid_argument("HostedZoneId is empty"));
  if (in.changes.empty())
    return std::unexpected(Error::invalid_argument("ChangeResourceRecordSets needs a change"));
  return then(rest_xml_call(client_, change_resource_record_sets_request(in),
                            "ChangeResourceRecordSetsResponse"),
              [](RestXmlResponse raw) {
                return read_change_info(std::move(raw), "ChangeResourceRecordSetsResponse");
              });
}

Result<ChangeInfoOutput> Route53::get_change(const std::string& change_id) {
  if (route53_short_id(change_id).empty())
    return std::unexpected(Error::invalid_argument("change id is empty"));
  return then(
      rest_xml_call(client_, get_change_request(change_id), "GetChangeResponse"),
      [](RestXmlResponse raw) { return read_change_info(std::move(raw), "GetChangeResponse"); });
}

}  // namespace dr::aws
