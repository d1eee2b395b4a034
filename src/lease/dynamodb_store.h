// The write lease in DynamoDB (AWS's store): one item in a table with multi-Region strong
// consistency (replicas in us-east-1 and us-west-2, a witness in us-east-2; GA June 2025), so that
// a region cut off from the other two can neither renew nor read it. Conditional writes only.
//
// DynamoDB has no leases that expire by themselves: the item {id, region, epoch, version, ttl_ms}
// stays, and a holder's renewal bumps its version (conditional on region and epoch). A taker
// never compares clocks across machines: it takes the lease only after it has seen the same
// version, unrenewed, for ttl + margin on its own clock, and then with a write conditional on that
// version. The holder's last renewal committed at some T >= its round's start t0, and it stops
// writing at t0 + ttl - margin; the taker first saw that version at or after T, and takes at or
// after T + ttl + margin. Only the clocks' rates matter, not their offsets.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "aws/dynamodb.h"
#include "lease/store.h"

namespace dr::lease {

struct DynamoDbLeaseOptions {
  std::string table;
  std::string key_name = "id";  // the table's hash key
  std::string item_id = "write-lease";
  // What a taker adds to the holder's TTL before it takes an unrenewed lease: the clocks' rate
  // difference over one TTL and the reads' spread, rounded up.
  std::chrono::milliseconds taker_margin{500};
  std::function<std::chrono::steady_clock::time_point()> now = [] {
    return std::chrono::steady_clock::now();
  };
};

class DynamoDbLeaseStore final : public LeaseStore {
 public:
  DynamoDbLeaseStore(aws::DynamoDb& dynamodb, DynamoDbLeaseOptions options);

  Result<std::optional<LeaseRecord>> read() override;
  Result<std::optional<Renewed>> renew(const LeaseRecord& held) override;
  Result<LeaseRecord> acquire(const std::string& region, std::chrono::seconds ttl) override;
  Result<LeaseRecord> hand_over(const LeaseRecord& from, const std::string& region,
                                std::chrono::seconds ttl) override;

 private:
  struct Item {
    LeaseRecord record;  // token = version
    std::chrono::milliseconds ttl{};
  };
  Result<std::optional<Item>> read_item();
  nlohmann::json key() const;

  aws::DynamoDb& ddb_;
  DynamoDbLeaseOptions options_;
  std::mutex mu_;
  // The version a taker saw unrenewed, and since when (its own clock).
  std::optional<std::pair<int64_t, std::chrono::steady_clock::time_point>> seen_;
};

}  // namespace dr::lease
