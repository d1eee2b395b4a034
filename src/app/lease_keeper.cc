#include "app/lease_keeper.h"

#include "aws/dynamodb.h"
#include "lease/dynamodb_store.h"
#include "lease/etcd_store.h"

namespace dr::app {

namespace {

// A store that owns the client it speaks through (declared first, so it outlives the store).
template <typename Client, typename Store>
class Owning final : public lease::LeaseStore {
 public:
  template <typename ClientArg, typename... StoreArgs>
  explicit Owning(ClientArg&& client, StoreArgs&&... store_args)
      : client_(std::forward<ClientArg>(client)),
        store_(client_, std::forward<StoreArgs>(store_args)...) {}

  lease::Result<std::optional<lease::LeaseRecord>> read() override { return store_.read(); }
  lease::Result<std::optional<lease::Renewed>> renew(const lease::LeaseRecord& held) override {
    return store_.renew(held);
  }
  lease::Result<lease::LeaseRecord> acquire(const std::string& region,
                                            std::chrono::seconds ttl) override {
    return store_.acquire(region, ttl);
  }
  lease::Result<lease::LeaseRecord> hand_over(const lease::LeaseRecord& from,
                                              const std::string& region,
                                              std::chrono::seconds ttl) override {
    return store_.hand_over(from, region, ttl);
  }

 private:
  Client client_;
  Store store_;
};

}  // namespace

std::unique_ptr<lease::LeaseStore> etcd_lease_store(lease::EtcdOptions etcd) {
  return std::make_unique<Owning<lease::Etcd, lease::EtcdLeaseStore>>(std::move(etcd));
}

std::unique_ptr<lease::LeaseStore> dynamodb_lease_store(aws::ClientConfig client,
                                                        std::string table) {
  lease::DynamoDbLeaseOptions options;
  options.table = std::move(table);
  return std::make_unique<Owning<aws::DynamoDb, lease::DynamoDbLeaseStore>>(std::move(client),
                                                                            std::move(options));
}

LeaseKeeper::LeaseKeeper(std::unique_ptr<lease::LeaseStore> store, std::string region,
                         lease::LeaseTimings timings, Now now, const FenceState* fence)
    : store_(std::move(store)),
      holder_(*store_, std::move(region), timings, std::move(now)),
      fence_(fence) {}

LeaseKeeper::~LeaseKeeper() {
  stop();
}

std::optional<int64_t> LeaseKeeper::epoch() const {
  if (!holder_.may_write()) return std::nullopt;
  return holder_.epoch();
}

std::string LeaseKeeper::why_not() const {
  return holder_.why_not();
}

std::string LeaseKeeper::renew_once() {
  std::string what;
  const bool fenced = fence_ != nullptr && fence_->fenced();
  if (fenced != paused_)
    what = fenced ? "fenced (" + fence_->reason() + "): not renewing the write lease"
                  : "unfenced: renewing the write lease again";
  paused_ = fenced;
  // What this instance may still believe runs out by time, as a cut's would.
  if (fenced) return what;
  auto renewed = holder_.renew();
  const auto add = [&what](const std::string& more) { what += (what.empty() ? "" : "; ") + more; };
  if (!renewed && !failing_) add("cannot renew the write lease: " + renewed.error().describe());
  if (renewed && failing_) add("the write lease store answers again");
  failing_ = !renewed.has_value();
  const auto now = epoch();
  if (now != last_epoch_) {
    std::string change = now ? "holds the write lease (epoch " + std::to_string(*now) + ")"
                             : "may not write: " + why_not();
    add(change);
    last_epoch_ = now;
  }
  return what;
}

void LeaseKeeper::start(std::chrono::milliseconds interval,
                        std::function<void(const std::string&)> log) {
  std::lock_guard guard(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, interval, log = std::move(log)] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      auto what = renew_once();
      if (!what.empty() && log) log(what);
      lock.lock();
      wake_.wait_for(lock, interval, [this] { return stopping_; });
    }
  });
}

void LeaseKeeper::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace dr::app
