#include "drill/workload.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "drill/classify.h"

namespace dr::drill {

namespace {

bool valid_run_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

// Connection refused or timed out while connecting: the request never left. Anything else (a
// reset, a read timeout) may have come after the server read the request.
bool may_have_been_sent(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
    case httplib::Error::ConnectionTimeout:
    case httplib::Error::BindIPAddress:
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLLoadingCerts:
    case httplib::Error::SSLServerVerification:
    case httplib::Error::UnsupportedMultipartBoundaryChars:
      return false;
    case httplib::Error::Success:
    case httplib::Error::Unknown:
    case httplib::Error::Read:
    case httplib::Error::Write:
    case httplib::Error::ExceedRedirectCount:
    case httplib::Error::Canceled:
    case httplib::Error::Compression:
      return true;
  }
  return true;
}

void record_order_response(Operation& op, const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return;
  if (j.contains("committed_by") && j["committed_by"].is_string())
    op.committed_by = j["committed_by"].get<std::string>();
  if (j.contains("served_by") && j["served_by"].is_object() && j["served_by"].contains("region") &&
      j["served_by"]["region"].is_string())
    op.served_region = j["served_by"]["region"].get<std::string>();
}

Operation make_operation(const WorkloadOptions& options, std::uint64_t seq) {
  Operation op;
  op.seq = seq;
  op.via = options.via;
  const bool session =
      options.session_every > 0 && seq % options.session_every == options.session_every - 1;
  op.kind = session ? OpKind::kSession : OpKind::kOrder;
  if (session) {
    op.key = options.run_id + "-s-" + std::to_string(seq);
  } else {
    op.key = options.run_id + "-o-" + std::to_string(seq);
    op.customer = "drill-" + std::to_string(seq);
    op.amount_cents = 100 + static_cast<std::int64_t>(seq);
  }
  return op;
}

std::string request_body(const Operation& op) {
  if (op.kind == OpKind::kSession)
    return nlohmann::json{{"data", {{"seq", op.seq}}}, {"version", 0}}.dump();
  return nlohmann::json{
      {"customer", op.customer}, {"amount_cents", op.amount_cents}, {"idempotency_key", op.key}}
      .dump();
}

}  // namespace

std::expected<std::unique_ptr<Workload>, std::string> Workload::create(WorkloadOptions options,
                                                                       DrillEpoch epoch) {
  if (options.base_url.rfind("http://", 0) != 0)
    return std::unexpected("the workload's URL must be http://host:port, not '" + options.base_url +
                           "'");
  if (!(options.rate > 0)) return std::unexpected("the workload's rate must be positive");
  if (options.threads == 0) return std::unexpected("the workload needs at least one thread");
  if (options.duration <= std::chrono::milliseconds::zero())
    return std::unexpected("the workload's duration must be positive");
  if (!valid_run_id(options.run_id))
    return std::unexpected("the run id '" + options.run_id +
                           "' must be 1-64 characters of [A-Za-z0-9_.-]");
  return std::unique_ptr<Workload>(new Workload(std::move(options), epoch));
}

Workload::Workload(WorkloadOptions options, DrillEpoch epoch)
    : options_(std::move(options)),
      epoch_(epoch),
      clock_(options_.clock ? *options_.clock : lab::steady_clock()) {}

Workload::~Workload() {
  stop();
  threads_.clear();  // joins
}

void Workload::start() {
  limiter_ = std::make_unique<RateLimiter>(options_.rate, options_.duration, clock_);
  for (unsigned i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { client_loop(); });
}

History Workload::wait() {
  threads_.clear();
  return snapshot();
}

void Workload::client_loop() {
  httplib::Client client(options_.base_url);
  const auto timeout = options_.timeout;
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  client.set_keep_alive(true);
  // A POST goes out as headers then body; with Nagle on, the body waits for the server's delayed
  // ACK (40 ms on Linux) and every latency the drill reports would include it.
  client.set_tcp_nodelay(true);
  while (!stopping_) {
    auto seq = limiter_->acquire();
    if (!seq || stopping_) break;
    Operation op = make_operation(options_, *seq);
    const std::string body = request_body(op);
    op.start_ms = epoch_.ms_since_start(clock_.now());
    auto res = op.kind == OpKind::kOrder
                   ? client.Post("/orders", body, "application/json")
                   : client.Put("/sessions/" + op.key, body, "application/json");
    op.end_ms = epoch_.ms_since_start(clock_.now());
    Verdict verdict;
    if (res) {
      op.http_status = res->status;
      verdict = classify_response(res->status, res->body);
      if (op.kind == OpKind::kOrder && verdict.outcome == Outcome::kOk)
        record_order_response(op, res->body);
    } else {
      verdict =
          classify_no_response(may_have_been_sent(res.error()), httplib::to_string(res.error()));
    }
    op.outcome = verdict.outcome;
    op.error = std::move(verdict.error);
    recorder_.record(std::move(op));
  }
}

std::expected<History, std::string> run_workload(const WorkloadOptions& options, DrillEpoch epoch) {
  auto workload = Workload::create(options, epoch);
  if (!workload) return std::unexpected(workload.error());
  (*workload)->start();
  return (*workload)->wait();
}

}  // namespace dr::drill
