// dr-app on AWS honours the controller's fence record (aws/fence_record.h): an item in the
// app's DynamoDB global table, written by the controller in the region that survives and
// replicated here when this region comes back. While it says fenced, this instance refuses
// writes (503 with the reason) and fails /health/deep, as a lab instance fenced through its
// admin port does; instances launched later read it at start.
//
// Only a change of the record acts: a newer record (updated_at_ms) than the last one applied.
// So an operator's local override (POST /admin/unfence) stands until the controller writes
// again, and a record that replicates late, older than one already applied, is ignored. A read
// that fails changes nothing: the last known fence holds.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <expected>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "app/service.h"
#include "aws/dynamodb.h"
#include "aws/fence_record.h"

namespace dr::app {

class FenceWatch {
 public:
  using Read = std::function<std::expected<std::optional<aws::FenceRecord>, std::string>()>;

  FenceWatch(FenceState& fence, std::string region, Read read);
  ~FenceWatch();
  FenceWatch(const FenceWatch&) = delete;
  FenceWatch& operator=(const FenceWatch&) = delete;

  // One look; says what it did ("fenced: <reason>", "lifted"), "" when nothing changed, or
  // "cannot read the fence record: ..." (the state is left as it was).
  std::string poll_once();

  // Looks every `interval` on a thread of its own until stop() (or destruction); `log` gets
  // every non-empty outcome of poll_once.
  void start(std::chrono::milliseconds interval, std::function<void(const std::string&)> log);
  void stop();

 private:
  FenceState& fence_;
  std::string region_;
  Read read_;
  std::optional<int64_t> applied_at_;  // updated_at_ms of the last record applied
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// The Read for the region's table: a strongly consistent GetItem of fence#<region>.
FenceWatch::Read read_fence_record(aws::DynamoDb& dynamodb, std::string table, std::string region);

}  // namespace dr::app
