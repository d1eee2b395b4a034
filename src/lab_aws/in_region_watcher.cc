#include "lab_aws/in_region_watcher.h"

#include "backends/jsonl_notifier.h"
#include "backends/lab/probes.h"
#include "lab/lab_state.h"
#include "lab/lab_topology.h"
#include "lab/ports.h"
#include "lab/process.h"

namespace dr::lab_aws {

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::chrono::milliseconds since_start() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch());
}

// The writer every region's writer endpoint records (they move together); "" when none.
std::string recorded_writer(const lab::LabState& state) {
  for (const auto& [region, roles] : state.endpoints)
    if (auto it = roles.find("writer"); it != roles.end() && !it->second.empty()) return it->second;
  return "";
}

bool process_alive(const lab::ComponentRecord& c) {
  return !c.killed && c.pid.pid != 0 && lab::is_alive(c.pid);
}

}  // namespace

InRegionWatcher::InRegionWatcher(std::filesystem::path lab_dir, WatchPolicy policy,
                                 FailOver fail_over, Fence fence, Log log)
    : dir_(std::move(lab_dir)),
      watch_(policy),
      fail_over_(std::move(fail_over)),
      fence_(std::move(fence)),
      log_(std::move(log)) {
  if (!log_) log_ = [](const std::string&) {};
}

InRegionWatcher::~InRegionWatcher() {
  stop();
}

void InRegionWatcher::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void InRegionWatcher::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string InRegionWatcher::writer_now() const {
  auto state = lab::load_lab_state(dir_);
  return state ? recorded_writer(*state) : std::string();
}

std::optional<InRegionWatcher::Probed> InRegionWatcher::probe(const lab::LabState& state,
                                                              std::chrono::milliseconds now) const {
  // Starting, stopping or failed: the lab is not a cluster to fail over yet (or any more).
  if (state.phase != "ready") return std::nullopt;
  Probed p;
  p.sample.at = now;
  p.sample.writer = recorded_writer(state);
  const auto* writer = state.find(p.sample.writer);
  const bool mariadb = writer != nullptr && writer->kind == "mariadb";
  if (mariadb) p.region = writer->region;
  // From inside the region: its writer endpoint's address, which a cut between regions spares.
  p.source = lab::lab_address(lab::site_of(p.region), lab::Component::kWriterEndpoint).value_or("");
  if (!mariadb) {
    p.sample.writer.clear();
    return p;
  }
  const auto timeout = watch_.policy().probe_timeout;
  auto answers = [&](const lab::ComponentRecord& c) {
    return process_alive(c) && c.port != 0 &&
           backends::lab::probe_mysql(p.source, {c.address, c.port}, timeout);
  };
  p.sample.process_alive = process_alive(*writer);
  p.sample.answers = answers(*writer);
  if (p.sample.answers) return p;
  for (const auto& c : state.components) {
    if (c.kind != "mariadb" || c.name == writer->name || c.region != p.region) continue;
    if (c.az.empty() || c.az == writer->az) continue;  // Multi-AZ: another AZ only
    if (answers(c)) p.sample.standbys.push_back(c.name);
  }
  return p;
}

void InRegionWatcher::fence_woken(const lab::LabState& state, const std::string& source) {
  if (to_fence_.empty()) return;
  std::erase_if(to_fence_, [&](const std::string& name) {
    const auto* c = state.find(name);
    // Killed since: `drctl lab restore` brings it back read-only and re-attaches it.
    if (c == nullptr || !process_alive(*c)) return true;
    if (!backends::lab::probe_mysql(source, {c->address, c->port}, watch_.policy().probe_timeout))
      return false;
    auto fenced = fence_(name);
    log_("in-region watch: " + name + ", the old writer, answers again: " +
         (fenced ? std::string("fenced (read-only); `drctl lab restore` re-attaches it")
                 : "fence FAILED (" + fenced.error() + "), trying again"));
    return fenced.has_value();
  });
}

void InRegionWatcher::run() {
  using Kind = WatchVerdict::Kind;
  Kind last = Kind::kHealthy;
  std::string last_writer;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (wake_.wait_for(lock, watch_.policy().interval, [&] { return stopping_; })) return;
    }
    const auto began = Clock::now();
    // One read of the lab state a tick: the probe and the fence of a woken old writer share it.
    const auto state = lab::load_lab_state(dir_);
    if (!state) continue;
    auto probed = probe(*state, since_start());
    if (!probed) continue;
    fence_woken(*state, probed->source);
    const auto v = watch_.observe(probed->sample);
    if (probed->sample.writer != last_writer) {
      last_writer = probed->sample.writer;
      last = Kind::kHealthy;
    }
    // One line per change, not per probe.
    if (v.kind == Kind::kHealthy && last == Kind::kWatching)
      log_("in-region watch: " + v.reason + " again: ridden out, no failover");
    if (v.kind == Kind::kWatching && last != Kind::kWatching) log_("in-region watch: " + v.reason);
    if (v.kind == Kind::kLeftToGlobal && last != Kind::kLeftToGlobal)
      log_("in-region watch: " + v.reason);
    last = v.kind;
    if (v.kind != Kind::kFailOver) continue;
    const std::string from = probed->sample.writer;
    log_("in-region watch: " + v.reason);
    auto moved = fail_over_(probed->region, v.target, v.reason);
    const auto total =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - began) + v.down_for;
    const std::string now = writer_now();
    if (moved && now == v.target) {
      // Aurora reports a failover's duration in its events; the lab in its log: from the first
      // probe that saw the writer down to the new writer behind every endpoint.
      log_("in-region watch: automatic failover " + from + " -> " + v.target + " done " +
           std::to_string(total.count()) + " ms after " + from + " was first seen down (" +
           std::to_string(v.down_for.count()) + " ms to decide)");
      if (probed->sample.process_alive) to_fence_.push_back(from);
      const auto done = unix_ms();
      if (!backends::append_jsonl(dir_ / kRdsEventsFile,
                                  {{"event", "in-region-failover"},
                                   {"cluster", "dr-lab-" + probed->region},
                                   {"from", from},
                                   {"to", v.target},
                                   {"cause", v.reason},
                                   {"first_down_unix_ms", done - total.count()},
                                   {"done_unix_ms", done},
                                   {"took_ms", total.count()}}))
        log_("in-region watch: cannot append to " + (dir_ / kRdsEventsFile).string());
    } else {
      log_("in-region watch: automatic failover " + from + " -> " + v.target + " did not " +
           "happen (" +
           (moved ? "the writer is " + (now.empty() ? "unknown" : now) : moved.error()) +
           "): the writer stays where it was; trying again in " +
           std::to_string(watch_.policy().retry_after.count()) + " ms");
      std::unique_lock lock(mu_);
      if (wake_.wait_for(lock, watch_.policy().retry_after, [&] { return stopping_; })) return;
    }
    last = Kind::kHealthy;
  }
}

}  // namespace dr::lab_aws
