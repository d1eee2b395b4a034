// The global-table replicator: the DynamoDB clients of each region, the replicators of both
// directions, and the thread that polls them.
#include "lab/supervisor.h"

#include "app/session_store.h"
#include "aws/credentials.h"
#include "aws/dynamodb.h"
#include "aws/fence_record.h"
#include "lab/replicator.h"
#include "lab/supervisor_internal.h"

namespace dr::lab {
using namespace supervisor_detail;  // with it fs, json and the chrono literals

struct Supervisor::RegionClients {
  explicit RegionClients(const aws::ClientConfig& config) : ddb(config), streams(config) {}
  aws::DynamoDb ddb;
  aws::DynamoDbStreams streams;
};

namespace {

aws::ClientConfig dynamodb_config(const std::string& region, const ComponentRecord& r) {
  aws::ClientConfig config;
  config.region = region;
  config.endpoint_url = "http://" + host_port(r.address, r.port);
  config.credentials = std::make_shared<aws::StaticCredentialsProvider>(
      aws::Credentials{kLabAccessKeyId, kLabSecretAccessKey, "", {}, "lab"});
  return config;
}

}  // namespace

Result<void> Supervisor::prepare_sessions(const std::string& region) {
  const auto* r = state_.find(dynamodb_name(region));
  const aws::ClientConfig config = dynamodb_config(region, *r);
  // Shared: the replicators built on the previous clients keep those alive while they poll on
  // their thread; replacing the entry here never frees what a poll is using.
  auto clients = std::make_shared<RegionClients>(config);
  {
    std::lock_guard l(replicator_mu_);
    // The replicators of the old clients would only poll a dead DynamoDB until the caller
    // rebuilds them: drop them now.
    replicators_.clear();
    clients_[region] = clients;
  }
  app::SessionStore store(clients->ddb, kSessionsTable, region,
                          [] { return std::chrono::system_clock::now(); });
  if (auto t = store.ensure_table(); !t) {
    return fail(ErrorKind::kProtocol,
                dynamodb_name(region) + ": " + t.error() + " (see " + r->log + ")");
  }
  return {};
}

void Supervisor::rebuild_replicators() {
  std::lock_guard l(replicator_mu_);
  replicators_.clear();
  const auto& regions = default_topology().regions;
  for (const auto& source : regions) {
    for (const auto& target : regions) {
      if (source == target || !clients_.contains(source) || !clients_.contains(target)) continue;
      const auto& from = clients_.at(source);
      const auto& to = clients_.at(target);
      replicators_.push_back(std::make_unique<StreamReplicator>(
          ReplicationLink{source, target, kSessionsTable},
          std::shared_ptr<aws::DynamoDbStreams>(from, &from->streams),
          std::shared_ptr<aws::DynamoDb>(to, &to->ddb),
          [] { return std::chrono::system_clock::now(); }));
    }
  }
}

std::vector<std::string> Supervisor::write_fence_record(const std::string& region, bool fenced,
                                                        const std::string& reason) {
  std::vector<std::pair<std::string, aws::ClientConfig>> live;
  {
    std::lock_guard lock(mu_);
    for (const auto& r : default_topology().regions)
      if (const auto* c = state_.find(dynamodb_name(r)); c != nullptr && !c->killed && c->port != 0)
        live.emplace_back(r, dynamodb_config(r, *c));
  }
  const aws::FenceRecord record{region, fenced, fenced ? reason : "",
                                std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count(),
                                "dr-lab"};
  std::vector<std::string> errors;
  for (auto& [r, config] : live) {
    // A client of its own: the replicator's are its thread's alone. One attempt: a DynamoDB
    // Local that does not answer is one the replicator brings the record to later.
    config.retry.max_attempts = 1;
    aws::DynamoDb ddb(config);
    auto put = ddb.put_item(aws::fence_put_item(kSessionsTable, "id", record));
    // A newer record is there already (the controller's, later than ours): it stands.
    if (!put && !aws::is_conditional_check_failed(put.error()))
      errors.push_back("fence record for " + region + " in " + dynamodb_name(r) + ": " +
                       put.error().describe());
  }
  return errors;
}

void Supervisor::start_replicator() {
  rebuild_replicators();
  state_.upsert({kReplicatorName,
                 "replicator",
                 kGlobal,
                 "",
                 "sessions, both directions",
                 lab_address(Site::kGlobal, Component::kReplicator).value_or(""),
                 0,
                 {},
                 "",
                 false});
  save();
  replicator_thread_ = std::thread([this] { replicate_loop(); });
}

void Supervisor::replicate_loop() {
  while (!replicator_stop_) {
    if (!replicator_paused_) {
      std::lock_guard l(replicator_mu_);
      for (auto& r : replicators_) {
        if (auto polled = r->poll_once(); !polled) ++replicator_errors_;
      }
      std::uint64_t applied = 0;
      for (auto& r : replicators_) applied += r->stats().applied;
      replicator_applied_ = applied;
    }
    clock_.sleep_for(options_.replicate_every);
  }
}

// The write lease's store, then the lease itself for the region traffic goes to (the front door's
// override, else the primary region), with an epoch above any the databases have seen: the
// cluster is new on every `up`, the guard rows are not.

}  // namespace dr::lab
