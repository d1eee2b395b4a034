#include "lab_aws/route53_handler.h"

#include <pugixml.hpp>

#include <cstdio>
#include <sstream>

#include "lab_aws/query_service.h"

namespace dr::lab_aws {

namespace {

constexpr const char* kNamespace = "https://route53.amazonaws.com/doc/2013-04-01/";
constexpr const char* kApi = "/2013-04-01/";

AwsError invalid_input(const std::string& message) {
  return {400, "InvalidInput", message};
}

AwsError invalid_batch(const std::string& message) {
  return {400, "InvalidChangeBatch", message};
}

pugi::xml_node root(pugi::xml_document& doc, const std::string& name) {
  auto r = doc.append_child(name.c_str());
  r.append_attribute("xmlns") = kNamespace;
  return r;
}

std::string save(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

std::string host_of(const std::string& url) {
  auto s = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  return s.substr(0, s.find(':'));
}

std::string canonical_name(std::string name) {
  if (!name.empty() && name.back() != '.') name += '.';
  for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return name;
}

}  // namespace

Route53Handler::Route53Handler(FrontDoorLab& front_door, AlarmState alarm, Route53Names names,
                               Clock clock)
    : front_door_(front_door),
      alarm_(std::move(alarm)),
      names_(std::move(names)),
      clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
  records_["primary"] = {"PRIMARY", "alb." + names_.primary_region + ".dr-lab.internal", 60,
                         names_.prefix + "-primary"};
  records_["secondary"] = {"SECONDARY", "alb." + names_.secondary_region + ".dr-lab.internal", 60,
                           names_.prefix + "-secondary-alb"};
}

std::string Route53Handler::region_of(const std::string& set_identifier) const {
  return set_identifier == "primary" ? names_.primary_region : names_.secondary_region;
}

WireResponse Route53Handler::handle(const aws::HttpRequest& request, const Caller&,
                                    const std::string& request_id) {
  const std::string& path = request.path;
  std::expected<std::string, AwsError> out =
      std::unexpected(invalid_input("The lab's Route 53 does not answer " + request.method + " " +
                                    path + " (docs/lab-aws-endpoint.md lists what it does)"));
  auto tail = [&](const std::string& prefix) -> std::optional<std::string> {
    const std::string full = kApi + prefix;
    if (!path.starts_with(full)) return std::nullopt;
    return path.substr(full.size());
  };
  try {
    if (request.method == "GET" &&
        (path == "/2013-04-01/healthcheck" || path == "/2013-04-01/healthcheck/")) {
      out = list_health_checks();
    } else if (auto id = tail("healthcheck/");
               request.method == "GET" && id && id->ends_with("/status")) {
      out = health_check_status(id->substr(0, id->size() - 7));
    } else if (auto zone = tail("hostedzone/");
               request.method == "POST" && zone &&
               (zone->ends_with("/rrset/") || zone->ends_with("/rrset"))) {
      out = change_records(zone->substr(0, zone->find('/')), request.body);
    } else if (auto change = tail("change/"); request.method == "GET" && change) {
      out = get_change(*change);
    } else {
      out = std::unexpected(AwsError{400, "InvalidAction",
                                     "The lab's Route 53 does not answer " + request.method + " " +
                                         path + " (docs/lab-aws-endpoint.md lists what it does)"});
    }
  } catch (const std::exception& e) {
    out = std::unexpected(internal_failure(std::string("route53: ") + e.what()));
  }
  if (!out) return render_error(out.error(), Protocol::kQuery, request_id, kNamespace);
  return {200, "text/xml", *out};
}

std::expected<std::string, AwsError> Route53Handler::list_health_checks() {
  pugi::xml_document doc;
  auto r = root(doc, "ListHealthChecksResponse");
  auto list = r.append_child("HealthChecks");
  auto check = [&](const std::string& id) {
    auto h = list.append_child("HealthCheck");
    add_text(h, "Id", id);
    add_text(h, "CallerReference", id);
    auto c = h.append_child("HealthCheckConfig");
    add_int(h, "HealthCheckVersion", 1);
    // Neither flag is set on infra's checks; both change what a status means, so say so.
    add_bool(c, "Inverted", false);
    add_bool(c, "Disabled", false);
    return c;
  };
  for (const auto& [id, region] : {std::pair{names_.prefix + "-primary-alb", names_.primary_region},
                                   {names_.prefix + "-secondary-alb", names_.secondary_region}}) {
    auto c = check(id);
    add_text(c, "Type", "HTTP");
    add_text(c, "ResourcePath", "/healthz");
    add_text(c, "FullyQualifiedDomainName", "alb." + region + ".dr-lab.internal");
    add_int(c, "RequestInterval", 10);
    add_int(c, "FailureThreshold", 2);
  }
  {
    auto c = check(names_.prefix + "-not-forced");
    add_text(c, "Type", "CLOUDWATCH_METRIC");
    auto alarm = c.append_child("AlarmIdentifier");
    add_text(alarm, "Region", names_.secondary_region);
    add_text(alarm, "Name", names_.alarm_name);
    add_text(c, "InsufficientDataHealthStatus", "Healthy");
  }
  {
    auto c = check(names_.prefix + "-primary");
    add_text(c, "Type", "CALCULATED");
    add_int(c, "HealthThreshold", 2);
    auto children = c.append_child("ChildHealthChecks");
    add_text(children, "ChildHealthCheck", names_.prefix + "-primary-alb");
    add_text(children, "ChildHealthCheck", names_.prefix + "-not-forced");
  }
  add_text(r, "Marker", "");
  add_bool(r, "IsTruncated", false);
  add_text(r, "MaxItems", "100");
  return save(doc);
}

std::expected<std::string, AwsError> Route53Handler::health_check_status(const std::string& id) {
  std::string status;
  std::string ip;
  if (id == names_.prefix + "-primary-alb" || id == names_.prefix + "-secondary-alb") {
    const std::string region =
        id == names_.prefix + "-primary-alb" ? names_.primary_region : names_.secondary_region;
    auto view = front_door_.front_door();
    if (!view) return std::unexpected(internal_failure("the lab's front door: " + view.error()));
    const bool up = view->alb_up.contains(region) && view->alb_up.at(region);
    status = up ? "Success: HTTP Status Code 200, OK"
                : "Failure: the front door's health check of " + region + "'s ALB fails";
    ip = view->alb_url.contains(region) ? host_of(view->alb_url.at(region)) : "";
  } else if (id == names_.prefix + "-not-forced") {
    const std::string state = alarm_();
    status = state == "ALARM" ? "Failure: CloudWatch alarm " + names_.alarm_name + " is in ALARM"
             : state == "OK"  ? "Success: CloudWatch alarm " + names_.alarm_name + " is OK"
                              : "Success: CloudWatch alarm " + names_.alarm_name +
                                   " has insufficient data (InsufficientDataHealthStatus Healthy)";
  } else if (id == names_.prefix + "-primary") {
    return std::unexpected(
        invalid_input("GetHealthCheckStatus does not answer for a calculated health check"));
  } else {
    return std::unexpected(
        AwsError{404, "NoSuchHealthCheck", "No health check exists with the specified ID " + id});
  }
  pugi::xml_document doc;
  auto r = root(doc, "GetHealthCheckStatusResponse");
  auto o = r.append_child("HealthCheckObservations").append_child("HealthCheckObservation");
  add_text(o, "Region", names_.primary_region);
  if (!ip.empty()) add_text(o, "IPAddress", ip);
  auto report = o.append_child("StatusReport");
  add_text(report, "Status", status);
  add_text(report, "CheckedTime", aws::iso8601(clock_()));
  return save(doc);
}

std::expected<std::string, AwsError> Route53Handler::change_records(const std::string& zone,
                                                                    const std::string& body) {
  if (zone != names_.zone_id)
    return std::unexpected(
        AwsError{404, "NoSuchHostedZone", "No hosted zone found with ID: " + zone});
  pugi::xml_document in;
  if (!in.load_buffer(body.data(), body.size()))
    return std::unexpected(invalid_input("The request body is not XML"));
  const auto changes =
      in.child("ChangeResourceRecordSetsRequest").child("ChangeBatch").child("Changes");
  if (!changes.child("Change"))
    return std::unexpected(invalid_input("ChangeBatch.Changes must hold at least one Change"));
  std::unique_lock one_change(change_mu_, std::try_to_lock);
  if (!one_change.owns_lock())
    return std::unexpected(AwsError{400, "PriorRequestNotComplete",
                                    "The request was rejected because Route 53 was still "
                                    "processing a prior request."});
  // Applied to a copy: a batch is all or nothing, as on AWS.
  auto records = [this] {
    std::lock_guard lock(mu_);
    return records_;
  }();
  for (auto c : changes.children("Change")) {
    const std::string action = c.child_value("Action");
    const auto set = c.child("ResourceRecordSet");
    const std::string name = canonical_name(set.child_value("Name"));
    const std::string type = set.child_value("Type");
    const std::string id = set.child_value("SetIdentifier");
    const std::string failover = set.child_value("Failover");
    const std::string what = "resource record set [name='" + name + "', type='" + type +
                             "', set-identifier='" + id + "']";
    if (action != "CREATE" && action != "UPSERT" && action != "DELETE")
      return std::unexpected(invalid_input("Invalid Action " + action));
    if (name != names_.record_name || type != "CNAME" || (id != "primary" && id != "secondary") ||
        failover != (id == "primary" ? "PRIMARY" : "SECONDARY"))
      return std::unexpected(invalid_batch(
          "The lab's zone holds only the failover records of " + names_.record_name +
          " (CNAME, set-identifier primary with Failover PRIMARY, secondary with SECONDARY); "
          "not " +
          what));
    Record rec{failover, set.child("ResourceRecords").child("ResourceRecord").child_value("Value"),
               60, set.child_value("HealthCheckId")};
    if (auto ttl = std::string(set.child_value("TTL")); !ttl.empty()) {
      try {
        rec.ttl = std::stoll(ttl);
      } catch (const std::exception&) {
        return std::unexpected(invalid_input("Invalid TTL " + ttl));
      }
    }
    if (action != "DELETE" && rec.value.empty())
      return std::unexpected(invalid_batch(what + " needs one ResourceRecord"));
    if (action == "CREATE" && records.contains(id))
      return std::unexpected(invalid_batch("Tried to create " + what + " but it already exists"));
    if (action == "DELETE" && !records.contains(id))
      return std::unexpected(invalid_batch("Tried to delete " + what + " but it was not found"));
    if (action == "DELETE")
      records.erase(id);
    else
      records[id] = rec;
  }
  if (records.empty())
    return std::unexpected(invalid_batch(
        "The lab's front door must keep one of the failover records (it cannot answer "
        "NXDOMAIN)"));
  const std::optional<std::string> forced =
      records.size() == 2 ? std::nullopt : std::optional(region_of(records.begin()->first));
  if (auto moved = front_door_.force_front_door(forced); !moved)
    return std::unexpected(
        internal_failure("the lab's front door did not follow: " + moved.error()));
  char id[32];
  const auto now = clock_();
  {
    std::lock_guard lock(mu_);
    records_ = std::move(records);
    std::snprintf(id, sizeof id, "C%019lld", next_change_++);
    changes_[id] = {now, forced, false};
    // Ids are zero-padded counters: the map's first is the oldest.
    while (changes_.size() > kMaxChanges) changes_.erase(changes_.begin());
  }
  pugi::xml_document doc;
  auto info = root(doc, "ChangeResourceRecordSetsResponse").append_child("ChangeInfo");
  add_text(info, "Id", std::string("/change/") + id);
  add_text(info, "Status", "PENDING");
  add_text(info, "SubmittedAt", aws::iso8601(now));
  return save(doc);
}

std::expected<std::string, AwsError> Route53Handler::get_change(const std::string& id) {
  Change change;
  {
    std::lock_guard lock(mu_);
    auto it = changes_.find(id);
    if (it == changes_.end())
      return std::unexpected(
          AwsError{404, "NoSuchChange", "A change with the specified change ID does not exist."});
    change = it->second;
  }
  if (!change.insync) {
    auto view = front_door_.front_door();
    if (!view) return std::unexpected(internal_failure("the lab's front door: " + view.error()));
    change.insync = view->forced_to == change.forced_to;
    std::lock_guard lock(mu_);
    if (change.insync) changes_[id].insync = true;
  }
  pugi::xml_document doc;
  auto info = root(doc, "GetChangeResponse").append_child("ChangeInfo");
  add_text(info, "Id", "/change/" + id);
  add_text(info, "Status", change.insync ? "INSYNC" : "PENDING");
  add_text(info, "SubmittedAt", aws::iso8601(change.submitted));
  return save(doc);
}

}  // namespace dr::lab_aws
