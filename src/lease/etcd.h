// etcd v3 through its JSON gateway (POST /v3/...), only the calls a write lease needs: leases
// (grant, keep-alive, revoke), a linearizable read, and a transaction of compares and puts.
// Keys and values are bytes (the gateway's base64 is this file's business); 64-bit numbers travel
// as strings, and fields at their default value are left out of replies, as protobuf's JSON does.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/transport.h"
#include "lease/error.h"

namespace dr::lease {

struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t lease = 0;  // the etcd lease the key is bound to (0: none)
};

// A compare of a transaction: `key`'s value equals `value`, or its create / mod revision equals
// `revision` (a create revision of 0: the key does not exist).
struct Compare {
  enum class Target { kValue, kCreateRevision, kModRevision };
  std::string key;
  Target target = Target::kCreateRevision;
  int64_t revision = 0;
  std::string value;
};

struct Put {
  std::string key;
  std::string value;
  int64_t lease = 0;
};

struct EtcdOptions {
  std::vector<std::string> endpoints;  // "host:port" of each member; tried in turn
  // Per call and member. A member cut off from the quorum never answers a linearizable read: the
  // next member is asked after this.
  std::chrono::milliseconds timeout{500};
  // Where the calls leave from (a lab site's address, so that a partition cuts them); "": the
  // kernel's choice.
  std::string local_address;
};

class Etcd {
 public:
  explicit Etcd(EtcdOptions options);

  // A new lease of `ttl`; its ID.
  Result<int64_t> grant(std::chrono::seconds ttl);
  // Renews `lease`; the seconds it has left (0: it has expired or never existed).
  Result<int64_t> keep_alive(int64_t lease);
  Result<void> revoke(int64_t lease);
  // `key` as a quorum sees it now (a linearizable read); nullopt when it does not exist.
  Result<std::optional<KeyValue>> get(const std::string& key);
  // When every compare holds, applies every put, atomically. Whether it did. Not retried on
  // another member once sent (the outcome is unknown then: kUnavailable; re-read).
  Result<bool> txn(const std::vector<Compare>& compares, const std::vector<Put>& puts);

  const EtcdOptions& options() const { return options_; }

 private:
  // POSTs `body` to `path` on the member that answered last, then the others in turn.
  Result<nlohmann::json> call(const std::string& path, const nlohmann::json& body,
                              bool retry_when_sent);

  EtcdOptions options_;
  std::shared_ptr<aws::HttpTransport> http_;
  std::atomic<size_t> preferred_{0};
};

// Parses the gateway's int64 (a string, or a number from older gateways); nullopt otherwise.
std::optional<int64_t> json_int64(const nlohmann::json& value);

}  // namespace dr::lease
