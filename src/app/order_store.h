// Orders live in MySQL (Aurora on AWS, MariaDB in the lab), written through the region's writer
// endpoint and read through its reader endpoint. The interface keeps the outcomes a DR client must
// tell apart: refused (read-only / fenced: nothing written), unavailable (not sent or refused by a
// dead server) and unknown (the commit may have happened).
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include "app/requests.h"

namespace dr::app {

struct Order {
  int64_t id = 0;
  std::string customer;
  int64_t amount_cents = 0;
  std::string idempotency_key;
  std::string region;        // the app region that took the request
  std::string committed_by;  // the database server that committed it
  std::string created_at;    // UTC, millisecond precision
};

struct OrderWrite {
  Order order;
  bool created = false;  // false: the idempotency key existed and this is the same order
};

enum class StoreFailure {
  kNotFound,
  kKeyReused,       // idempotency key already used for a different order
  kReadOnly,        // the server refused writes (fenced or a replica): nothing was written
  kUnavailable,     // could not reach a server, or it failed before the commit
  kUnknownOutcome,  // the connection broke during the commit: it may or may not have happened
  kStaleEpoch,      // the database has seen a newer write lease holder: nothing was written
};

struct StoreError {
  StoreFailure failure;
  std::string message;
};

class OrderStore {
 public:
  virtual ~OrderStore() = default;
  // Idempotent on create.idempotency_key. Thread-safe. With `epoch` (the write lease's fencing
  // token), the write commits only while the database's guard row holds no newer epoch, checked
  // in the same statement: a delayed write from a region that lost the lease cannot land.
  virtual std::expected<OrderWrite, StoreError> create(const CreateOrder& create,
                                                       std::optional<int64_t> epoch) = 0;
  // consistent=true reads the writer; otherwise the reader endpoint (may lag).
  virtual std::expected<Order, StoreError> get(int64_t id, bool consistent) = 0;
  // Proves the writer answers and accepts writes (for /health/deep).
  virtual std::expected<void, std::string> check_writer() = 0;
};

}  // namespace dr::app
