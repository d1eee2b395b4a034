#include "app/lease_keeper.h"

namespace dr::app {

LeaseKeeper::LeaseKeeper(lease::EtcdOptions etcd, std::string region, lease::LeaseTimings timings,
                         Now now)
    : etcd_(std::move(etcd)),
      store_(etcd_),
      holder_(store_, std::move(region), timings, std::move(now)) {}

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
  auto renewed = holder_.renew();
  std::string what;
  if (!renewed && !failing_) what = "cannot renew the write lease: " + renewed.error().describe();
  if (renewed && failing_) what = "the write lease store answers again";
  failing_ = !renewed.has_value();
  const auto now = epoch();
  if (now != last_epoch_) {
    std::string change = now ? "holds the write lease (epoch " + std::to_string(*now) + ")"
                             : "may not write: " + why_not();
    what = what.empty() ? change : what + "; " + change;
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
