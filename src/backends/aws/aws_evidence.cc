#include "backends/aws/aws_evidence.h"

#include <algorithm>
#include <future>

#include "backends/aws/app_request.h"
#include "backends/controller_store.h"

namespace dr::backends::aws_world {

namespace {

// arn:partition:rds:region:account:cluster:name -> the fields, or {} for anything else.
std::vector<std::string> arn_fields(const std::string& arn) {
  std::vector<std::string> f;
  size_t start = 0;
  for (int i = 0; i < 6; ++i) {
    const size_t colon = arn.find(':', start);
    if (colon == std::string::npos) return {};
    f.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  f.push_back(arn.substr(start));
  if (f[0] != "arn" || f[2] != "rds" || f[5] != "cluster" || f[3].empty() || f[6].empty())
    return {};
  return f;
}

}  // namespace

const dr::aws::GlobalCluster* find_global_cluster(const dr::aws::DescribeGlobalClustersOutput& out,
                                                  const std::string& id) {
  for (const auto& g : out.global_clusters)
    if (g.identifier == id) return &g;
  return nullptr;
}

std::string region_of_arn(const std::string& arn) {
  auto f = arn_fields(arn);
  return f.empty() ? "" : f[3];
}

std::string cluster_of_arn(const std::string& arn) {
  auto f = arn_fields(arn);
  return f.empty() ? "" : f[6];
}

std::expected<core::Topology, std::string> topology_of(const dr::aws::GlobalCluster& global) {
  if (global.members.size() != 2)
    return std::unexpected("global cluster " + global.identifier + " has " +
                           std::to_string(global.members.size()) +
                           " members; the controller drives exactly two regions");
  const auto* writer = global.writer();
  if (writer == nullptr)
    return std::unexpected("global cluster " + global.identifier +
                           " has no writer (a failover or switchover is running: " +
                           (global.failover_state ? global.failover_state->status : "?") + ")");
  const auto& other = &global.members[0] == writer ? global.members[1] : global.members[0];
  core::Topology t;
  t.primary_region = region_of_arn(writer->db_cluster_arn);
  t.writer = cluster_of_arn(writer->db_cluster_arn);
  t.secondary_region = region_of_arn(other.db_cluster_arn);
  t.secondary_db = cluster_of_arn(other.db_cluster_arn);
  if (t.primary_region.empty() || t.secondary_region.empty())
    return std::unexpected("global cluster " + global.identifier +
                           ": a member's ARN is not an RDS cluster ARN (" + writer->db_cluster_arn +
                           ", " + other.db_cluster_arn + ")");
  if (t.primary_region == t.secondary_region)
    return std::unexpected("global cluster " + global.identifier + ": both members are in " +
                           t.primary_region);
  return t;
}

core::ReplicationView replication_of(const dr::aws::GlobalClusterMember& secondary,
                                     const std::optional<LagSample>& lag, core::TimePoint now,
                                     const ReplicationRules& rules) {
  core::ReplicationView view;
  if (lag) view.lag_seconds = lag->lag_ms / 1000.0;
  const bool resyncing = secondary.synchronization_status == "pending-resync";
  const bool fresh = lag && now - lag->at <= rules.max_age;
  const bool bounded = lag && lag->lag_ms / 1000.0 <= static_cast<double>(rules.unbounded.count());
  view.connected_to_writer = !resyncing && fresh && bounded;
  return view;
}

void record_probe(core::Observer& observer, const AlbProbe& probe, const LinkReport& link) {
  observer.record(core::Target::kApp, probe.health_ok);
  const bool vouched = probe.answered ? link.connected : link.live;
  observer.record(core::Target::kWriter,
                  probe.health_ok ? probe.deep_ok : (probe.deep_ok || vouched));
}

std::optional<core::Observation> witness_from_item(const nlohmann::json& item, core::TimePoint now,
                                                   std::chrono::seconds max_age,
                                                   const std::string& primary_region) {
  if (!item.is_object()) return std::nullopt;
  if (auto region = item.find("primary_region");
      region != item.end() && region->is_object() && region->contains("S") &&
      (*region)["S"].is_string() && !primary_region.empty()) {
    const auto& judged = (*region)["S"].get_ref<const std::string&>();
    if (!judged.empty() && judged != primary_region) return std::nullopt;
  }
  auto text = item.find("observation");
  auto at = item.find("observed_at_ms");
  if (text == item.end() || at == item.end() || !text->contains("S") || !at->contains("N"))
    return std::nullopt;
  if (!(*text)["S"].is_string() || !(*at)["N"].is_string()) return std::nullopt;
  int64_t ms = 0;
  try {
    ms = std::stoll((*at)["N"].get<std::string>());
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const core::TimePoint observed{std::chrono::milliseconds(ms)};
  if (now - observed > max_age || observed - now > max_age) return std::nullopt;
  auto o = core::observation_from_json(
      nlohmann::json::parse((*text)["S"].get<std::string>(), nullptr, false));
  if (!o) return std::nullopt;
  o->witness = true;  // whatever the item says: it is the witness's vote
  return *o;
}

nlohmann::json witness_item(const core::Observation& observation, core::TimePoint observed_at,
                            const std::string& primary_region) {
  const int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(observed_at.time_since_epoch()).count();
  return {{kStateTableKey, {{"S", kWitnessItemId}}},
          {"observation", {{"S", core::to_json(observation).dump()}}},
          {"observed_at_ms", {{"N", std::to_string(ms)}}},
          {"primary_region", {{"S", primary_region}}}};
}

Evidence::Evidence(EvidenceOptions options, dr::aws::Rds& rds, dr::aws::DynamoDb& dynamodb,
                   std::shared_ptr<dr::aws::HttpTransport> http, LagReader lag, Now now,
                   CapacityReader capacity, LiveLinkReader live_link)
    : options_(std::move(options)),
      rds_(rds),
      dynamodb_(dynamodb),
      http_(std::move(http)),
      lag_(std::move(lag)),
      now_(std::move(now)),
      capacity_(std::move(capacity)),
      live_link_(std::move(live_link)) {
  for (int i = 1; i <= options_.checkers; ++i)
    checkers_.emplace_back("checker-" + std::to_string(i), false, options_.thresholds);
}

std::optional<bool> alb_get(dr::aws::HttpTransport& http, const std::string& base,
                            const std::string& path) {
  dr::aws::HttpRequest request = request_to(base, "GET", path);
  request.set_header("Host", request.host);
  request.set_header("Connection", "close");
  auto r = http.send(request);
  if (!r) return std::nullopt;
  return r->status >= 200 && r->status < 300;
}

std::shared_ptr<dr::aws::HttpTransport> alb_probe_transport(std::chrono::milliseconds timeout) {
  return dr::aws::make_default_transport(
      {.connect_timeout = std::min(std::chrono::milliseconds(2000), timeout),
       .request_timeout = timeout,
       .max_response_bytes = 64 * 1024});
}

AlbProbe probe_alb(const AlbGet& get, const std::string& base) {
  auto deep = std::async(std::launch::async, [&] { return get(base, "/health/deep"); });
  const auto health = get(base, "/health");
  const auto deep_answer = deep.get();
  return {.health_ok = health.value_or(false),
          .deep_ok = deep_answer.value_or(false),
          .answered = health.has_value() || deep_answer.has_value()};
}

std::optional<core::Observation> Evidence::witness(const std::string& primary_region) {
  auto out = dynamodb_.get_item({{"TableName", options_.state_table},
                                 {"Key", {{kStateTableKey, {{"S", kWitnessItemId}}}}},
                                 {"ConsistentRead", true}});
  if (!out) return std::nullopt;
  auto item = out->find("Item");
  if (item == out->end()) return std::nullopt;
  return witness_from_item(*item, now_(), options_.witness_max_age, primary_region);
}

std::expected<core::Snapshot, std::string> Evidence::observe() {
  auto described =
      rds_.describe_global_clusters({.global_cluster_identifier = options_.global_cluster_id});
  if (!described)
    return std::unexpected("describe global cluster " + options_.global_cluster_id + ": " +
                           described.error().describe());
  const auto* found = find_global_cluster(*described, options_.global_cluster_id);
  if (found == nullptr)
    return std::unexpected("global cluster " + options_.global_cluster_id + " not found");
  const auto& global = *found;
  auto topology = topology_of(global);
  if (!topology) return std::unexpected(topology.error());
  // A new writer is a new target: what the checkers knew of the old one must not carry over.
  if (!last_writer_.empty() && last_writer_ != topology->writer) {
    for (auto& c : checkers_) c = core::Observer(c.name(), false, options_.thresholds);
  }
  last_writer_ = topology->writer;
  auto alb = options_.alb_urls.find(topology->primary_region);
  if (alb == options_.alb_urls.end())
    return std::unexpected("no ALB URL configured for " + topology->primary_region);

  core::Snapshot s;
  s.now = now_();
  s.topology = *topology;
  const auto& secondary =
      global.writer() == &global.members[0] ? global.members[1] : global.members[0];
  s.replication = replication_of(secondary, lag_ ? lag_(topology->secondary_db) : std::nullopt,
                                 s.now, options_.replication);

  auto clusters = rds_.describe_db_clusters({.db_cluster_identifier = secondary.db_cluster_arn});
  if (clusters && clusters->db_clusters.size() == 1)
    s.secondary_db = clusters->db_clusters[0].status == "available" ? core::Health::kHealthy
                                                                    : core::Health::kUnhealthy;

  // The checkers probe in parallel: a target that hangs costs one timeout, not one per checker.
  const AlbGet get = [this](const std::string& base, const std::string& path) {
    return alb_get(*http_, base, path);
  };
  std::vector<std::future<AlbProbe>> rounds;
  for (size_t i = 0; i < checkers_.size(); ++i)
    rounds.push_back(std::async(std::launch::async,
                                [&get, base = alb->second] { return probe_alb(get, base); }));
  auto witness = std::async(std::launch::async, [this, region = topology->primary_region] {
    return this->witness(region);
  });
  // Asked in parallel with the probes: the primary region's API may be as slow as its ALB.
  auto capacity = std::async(std::launch::async, [this, region = topology->primary_region] {
    return capacity_ ? capacity_(region) : std::nullopt;
  });
  std::vector<AlbProbe> probes;
  for (auto& r : rounds) probes.push_back(r.get());
  LinkReport link{.connected = s.replication->connected_to_writer};
  // A live report is asked for only when it can matter: an ALB that did not answer.
  if (link.connected && live_link_ &&
      std::any_of(probes.begin(), probes.end(), [](const AlbProbe& p) { return !p.answered; }))
    link.live = live_link_(topology->secondary_db);
  for (size_t i = 0; i < checkers_.size(); ++i) {
    record_probe(checkers_[i], probes[i], link);
    s.observations.push_back(checkers_[i].observation());
  }
  if (auto w = witness.get()) s.observations.push_back(*w);
  s.primary_fleet_desired = capacity.get();
  return s;
}

}  // namespace dr::backends::aws_world
