#include "app/fence_watch.h"

#include "app/session_store.h"

namespace dr::app {

FenceWatch::FenceWatch(FenceState& fence, std::string region, Read read)
    : fence_(fence), region_(std::move(region)), read_(std::move(read)) {}

FenceWatch::~FenceWatch() {
  stop();
}

std::string FenceWatch::poll_once() {
  auto record = read_();
  if (!record) return "cannot read the fence record: " + record.error();
  if (!*record) return "";
  const aws::FenceRecord& r = **record;
  // An item for another region is not ours to obey (a hand-written or corrupted item).
  if (r.region != region_) return "";
  if (applied_at_ && r.updated_at_ms <= *applied_at_) return "";
  applied_at_ = r.updated_at_ms;
  if (r.fenced) {
    fence_.fence(r.reason.empty() ? "fenced by the DR controller" : r.reason);
    return "fenced: " + fence_.reason();
  }
  if (!fence_.fenced()) return "";
  fence_.unfence();
  return "lifted";
}

void FenceWatch::start(std::chrono::milliseconds interval,
                       std::function<void(const std::string&)> log) {
  thread_ = std::thread([this, interval, log = std::move(log)] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      if (auto what = poll_once(); !what.empty() && log) log(what);
      lock.lock();
      wake_.wait_for(lock, interval, [this] { return stopping_; });
    }
  });
}

void FenceWatch::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

FenceWatch::Read read_fence_record(aws::DynamoDb& dynamodb, std::string table, std::string region) {
  return [&dynamodb, table = std::move(table),
          region =
              std::move(region)]() -> std::expected<std::optional<aws::FenceRecord>, std::string> {
    auto out = dynamodb.get_item(aws::fence_get_item(table, kSessionTableKey, region));
    if (!out) return std::unexpected(out.error().describe());
    return aws::parse_fence_item(*out);
  };
}

}  // namespace dr::app
