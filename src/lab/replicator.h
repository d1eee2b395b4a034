// The lab's stand-in for DynamoDB global tables: reads one region's table stream and applies each
// change to the other region's table, last writer wins. An item's `updated_at_ms` orders writes;
// on a tie the greater `origin_region` wins, so both regions converge to the same value whatever
// order changes arrive in. A change whose origin is not the source region was itself written by
// the replicator: it is never sent back (no echo).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "aws/dynamodb.h"

namespace dr::lab {

struct ReplicationLink {
  std::string source_region;
  std::string target_region;
  std::string table;
};

struct ReplicatorStats {
  uint64_t applied = 0;  // changes written to the target
  uint64_t skipped_echo = 0;
  uint64_t skipped_older = 0;  // the target already had a newer write (LWW)
  uint64_t errors = 0;
  std::vector<int64_t> lag_ms;  // apply time - write time, per applied change (bounded)
};

// What the LWW condition needs from a stream image.
struct ChangeStamp {
  int64_t updated_at_ms = 0;
  std::string origin_region;
};
std::expected<ChangeStamp, std::string> stamp_of(const nlohmann::json& image);

// The conditional put that applies `image` only when it wins against what the target holds.
nlohmann::ordered_json lww_put_input(const std::string& table, const nlohmann::json& image);
// The conditional delete for a REMOVE whose old image was `old_image`.
nlohmann::ordered_json lww_delete_input(const std::string& table, const nlohmann::json& old_image);

class StreamReplicator {
 public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;

  // The replicator shares ownership of the clients it polls: whoever replaces a region's clients
  // (its DynamoDB Local restarted) can drop its own references at any time, and a poll running on
  // another thread still uses live objects. The clients must not be used by another thread while
  // this one polls (the AWS clients are not thread-safe).
  StreamReplicator(ReplicationLink link, std::shared_ptr<aws::DynamoDbStreams> source_streams,
                   std::shared_ptr<aws::DynamoDb> target, WallClock clock);

  // One pass: finds the stream and its shards, reads every open shard once, applies what it
  // read. Returns the number of records read. Errors are counted and returned; the shard
  // positions survive them, so the next pass resumes where this one stopped.
  std::expected<size_t, std::string> poll_once();

  const ReplicatorStats& stats() const { return stats_; }
  const ReplicationLink& link() const { return link_; }

 private:
  std::expected<void, std::string> refresh_shards();
  std::expected<void, std::string> apply(const nlohmann::json& record);
  void reopen(const std::string& shard);

  ReplicationLink link_;
  std::shared_ptr<aws::DynamoDbStreams> streams_;  // never null
  std::shared_ptr<aws::DynamoDb> target_;          // never null
  WallClock clock_;
  std::string stream_arn_;
  // shard id -> iterator ("" until opened; erased when the shard is closed and drained).
  std::map<std::string, std::string> iterators_;
  std::map<std::string, std::string> last_sequence_;  // last applied record per shard
  std::set<std::string> drained_;
  ReplicatorStats stats_;
};

}  // namespace dr::lab
