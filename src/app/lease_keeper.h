// dr-app's side of the write lease (src/lease, docs/partitions.md): a thread renews the lease
// for this instance's region every interval, and every write asks it for the epoch to carry to
// the database. A region cut off from the lease store's quorum stops writing by time, before
// another region can take the lease; a region the lease moved away from stops at the next
// renewal. The store is the lab's etcd cluster or AWS's DynamoDB table (src/lease/store.h).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "app/service.h"
#include "aws/client.h"
#include "lease/etcd.h"
#include "lease/store.h"
#include "lease/write_lease.h"

namespace dr::app {

// The stores, each with the client it speaks through (owned by the store).
std::unique_ptr<lease::LeaseStore> etcd_lease_store(lease::EtcdOptions etcd);
std::unique_ptr<lease::LeaseStore> dynamodb_lease_store(aws::ClientConfig client,
                                                        std::string table);

class LeaseKeeper final : public WritePermit {
 public:
  using Now = lease::LeaseHolder::Now;

  // While `fence` (when given) says fenced, nothing is renewed: the lease runs out by time, so a
  // region failover whose database fence failed can take it after the TTL (issue 12: a fenced
  // region's apps renewing on would keep it from ever moving).
  LeaseKeeper(
      std::unique_ptr<lease::LeaseStore> store, std::string region, lease::LeaseTimings timings,
      Now now = [] { return std::chrono::steady_clock::now(); }, const FenceState* fence = nullptr);
  ~LeaseKeeper() override;
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  std::optional<int64_t> epoch() const override;
  std::string why_not() const override;

  // One renewal; says what changed ("holds the write lease (epoch 3)", "lost the write lease:
  // ...", "cannot renew the write lease: ..." once per outage, "fenced: not renewing ..." once
  // per fence), "" when nothing did.
  std::string renew_once();

  // Renews every `interval` on a thread of its own until stop() (or destruction); `log` gets
  // every non-empty outcome of renew_once.
  void start(std::chrono::milliseconds interval, std::function<void(const std::string&)> log);
  void stop();

 private:
  std::unique_ptr<lease::LeaseStore> store_;
  lease::LeaseHolder holder_;
  std::optional<int64_t> last_epoch_;  // as last reported (renewal thread only)
  bool failing_ = false;               // the last renewal failed (renewal thread only)
  const FenceState* fence_;
  bool paused_ = false;  // the last round was skipped for the fence (renewal thread only)
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace dr::app
