#include "app/mysql_order_store.h"

#include <charconv>

namespace dr::app {

namespace {

// The database itself comes with the cluster (Terraform's database_name, the lab's setup); the
// app creates only its tables, so its user needs no global privileges.
constexpr const char* kSchema[] = {
    "CREATE TABLE IF NOT EXISTS orders ("
    " id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
    " customer VARCHAR(128) NOT NULL,"
    " amount_cents BIGINT NOT NULL,"
    " idempotency_key VARCHAR(128) NOT NULL,"
    " region VARCHAR(32) NOT NULL,"
    " committed_by VARCHAR(64) NOT NULL,"
    " created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),"
    " UNIQUE KEY uk_idempotency (idempotency_key)"
    ") ENGINE=InnoDB",
    // The write lease's fencing token (src/lease): the newest epoch that has written here. One
    // row, read under a shared lock by every write that carries an epoch (so writes never wait
    // on each other) and raised under an exclusive one (which waits for the writes in flight).
    "CREATE TABLE IF NOT EXISTS dr_write_guard ("
    " id TINYINT NOT NULL PRIMARY KEY,"
    " epoch BIGINT NOT NULL"
    ") ENGINE=InnoDB",
    "INSERT IGNORE INTO dr_write_guard (id, epoch) VALUES (1, 0)",
};

constexpr const char* kColumns =
    "id, customer, amount_cents, idempotency_key, region, committed_by, "
    "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS created_at";

int64_t to_int(const std::optional<std::string>& s) {
  int64_t v = 0;
  if (s) std::from_chars(s->data(), s->data() + s->size(), v);
  return v;
}

using Lease = DbPool::Lease;

// Runs `fn` on a leased connection; drops the connection when the server went away.
template <class Fn>
auto with_connection(DbPool& pool, const std::string& what, Fn fn)
    -> decltype(fn(std::declval<db::Connection&>())) {
  auto lease = pool.acquire();
  if (!lease) return std::unexpected(store_error(lease.error(), what));
  auto result = fn(**lease);
  if (!result && (result.error().failure == StoreFailure::kUnavailable ||
                  result.error().failure == StoreFailure::kUnknownOutcome))
    lease->discard();
  return result;
}

}  // namespace

StoreError store_error(const db::Error& e, const std::string& what) {
  StoreFailure f = StoreFailure::kUnavailable;
  switch (e.kind) {
    case db::ErrorKind::kReadOnly:
      f = StoreFailure::kReadOnly;
      break;
    case db::ErrorKind::kConnectionLost:
      f = StoreFailure::kUnknownOutcome;
      break;
    case db::ErrorKind::kDuplicateKey:
      f = StoreFailure::kKeyReused;
      break;
    case db::ErrorKind::kConnectFailed:
    case db::ErrorKind::kAccessDenied:
    case db::ErrorKind::kDeadlock:
    case db::ErrorKind::kLockWaitTimeout:
    case db::ErrorKind::kServerError:
    case db::ErrorKind::kClientError:
      f = StoreFailure::kUnavailable;
      break;
  }
  return {f, what + ": " + e.describe()};
}

MysqlOrderStore::MysqlOrderStore(DbPool& writer, DbPool& reader, std::string region)
    : writer_(writer), reader_(reader), region_(std::move(region)) {}

std::expected<void, StoreError> MysqlOrderStore::ensure_migrated(db::Connection& conn) {
  if (migrated_) return {};
  std::lock_guard lock(migrate_mu_);
  if (migrated_) return {};
  for (const char* sql : kSchema) {
    auto r = conn.exec(sql);
    if (!r) return std::unexpected(store_error(r.error(), "migrate"));
  }
  migrated_ = true;
  return {};
}

std::expected<void, StoreError> MysqlOrderStore::migrate() {
  return with_connection(writer_, "migrate", [&](db::Connection& c) { return ensure_migrated(c); });
}

std::expected<Order, StoreError> MysqlOrderStore::select_one(db::Connection& conn,
                                                             const std::string& where) {
  auto rows = conn.query(std::string("SELECT ") + kColumns + " FROM orders WHERE " + where);
  if (!rows) return std::unexpected(store_error(rows.error(), "read order"));
  if (rows->empty()) return std::unexpected(StoreError{StoreFailure::kNotFound, "no such order"});
  Order o;
  o.id = to_int(rows->get(0, "id"));
  o.customer = rows->get(0, "customer").value_or("");
  o.amount_cents = to_int(rows->get(0, "amount_cents"));
  o.idempotency_key = rows->get(0, "idempotency_key").value_or("");
  o.region = rows->get(0, "region").value_or("");
  o.committed_by = rows->get(0, "committed_by").value_or("");
  std::string created = rows->get(0, "created_at").value_or("");
  // %f is microseconds; keep milliseconds.
  if (created.size() == 27) created = created.substr(0, 23) + "Z";
  o.created_at = created;
  return o;
}

std::expected<OrderWrite, StoreError> MysqlOrderStore::create(const CreateOrder& in,
                                                              std::optional<int64_t> epoch) {
  return with_connection(
      writer_, "write order", [&](db::Connection& c) -> std::expected<OrderWrite, StoreError> {
        if (auto m = ensure_migrated(c); !m) return std::unexpected(m.error());
        if (epoch && *epoch > raised_epoch_.load()) {
          auto raised = c.exec("UPDATE dr_write_guard SET epoch = " + std::to_string(*epoch) +
                               " WHERE id = 1 AND epoch < " + std::to_string(*epoch));
          if (!raised) return std::unexpected(store_error(raised.error(), "raise the write guard"));
          int64_t seen = raised_epoch_.load();
          while (seen < *epoch && !raised_epoch_.compare_exchange_weak(seen, *epoch)) {
          }
        }
        // committed_by is evaluated by the server that commits: the proof of where a write landed.
        const std::string values = c.quote(in.customer) + ", " + std::to_string(in.amount_cents) +
                                   ", " + c.quote(in.idempotency_key) + ", " + c.quote(region_) +
                                   ", COALESCE(NULLIF(@@global.report_host, ''), @@hostname)";
        const std::string into =
            "INSERT INTO orders (customer, amount_cents, idempotency_key, region, committed_by) ";
        // With an epoch, one statement both checks the guard (under a shared lock, so a raise
        // waits for it and it cannot slip in after one) and writes: no row when a newer holder
        // has written here.
        const std::string sql =
            epoch ? into + "SELECT " + values +
                        " FROM dr_write_guard WHERE id = 1 AND epoch <= " + std::to_string(*epoch) +
                        " LOCK IN SHARE MODE"
                  : into + "VALUES (" + values + ")";
        auto inserted = c.exec(sql);
        if (inserted && inserted->affected_rows == 0) {
          auto guard = c.query_value("SELECT epoch FROM dr_write_guard WHERE id = 1");
          return std::unexpected(StoreError{StoreFailure::kStaleEpoch,
                                            "write lease epoch " + std::to_string(*epoch) +
                                                " is stale: the database has seen epoch " +
                                                (guard && *guard ? **guard : std::string("?")) +
                                                "; nothing was written"});
        }
        if (inserted) {
          auto order = select_one(c, "id = " + std::to_string(inserted->last_insert_id));
          if (!order) return std::unexpected(order.error());
          return OrderWrite{*order, true};
        }
        if (inserted.error().kind != db::ErrorKind::kDuplicateKey)
          return std::unexpected(store_error(inserted.error(), "write order"));
        // The key exists: this is a retry of an order we already took, or a client bug.
        auto existing = select_one(c, "idempotency_key = " + c.quote(in.idempotency_key));
        if (!existing) return std::unexpected(existing.error());
        if (existing->customer != in.customer || existing->amount_cents != in.amount_cents)
          return std::unexpected(
              StoreError{StoreFailure::kKeyReused, "idempotency key " + in.idempotency_key +
                                                       " was used for a different order (id " +
                                                       std::to_string(existing->id) + ")"});
        return OrderWrite{*existing, false};
      });
}

std::expected<Order, StoreError> MysqlOrderStore::get(int64_t id, bool consistent) {
  return with_connection(consistent ? writer_ : reader_, "read order", [&](db::Connection& c) {
    return select_one(c, "id = " + std::to_string(id));
  });
}

std::expected<void, std::string> MysqlOrderStore::check_writer() {
  auto r = with_connection(
      writer_, "check writer", [&](db::Connection& c) -> std::expected<void, StoreError> {
        auto ro = c.query_value("SELECT @@global.read_only");
        if (!ro) return std::unexpected(store_error(ro.error(), "check writer"));
        if (ro->value_or("0") != "0")
          return std::unexpected(
              StoreError{StoreFailure::kReadOnly, "writer endpoint reaches a read-only server"});
        return {};
      });
  if (!r) return std::unexpected(r.error().message);
  return {};
}

}  // namespace dr::app
