#include "app/db_pool.h"

namespace dr::app {

DbPool::DbPool(db::ConnectOptions options, size_t max_idle)
    : options_(std::move(options)), max_idle_(max_idle) {}

DbPool::Lease::~Lease() {
  if (pool_ == nullptr) return;
  std::lock_guard lock(pool_->mu_);
  --pool_->in_use_;
  if (conn_ && pool_->idle_.size() < pool_->max_idle_) pool_->idle_.push_back(std::move(*conn_));
}

db::Result<DbPool::Lease> DbPool::acquire() {
  for (;;) {
    std::optional<db::Connection> conn;
    {
      std::lock_guard lock(mu_);
      if (idle_.empty()) break;
      conn.emplace(std::move(idle_.back()));
      idle_.pop_back();
    }
    // A pooled connection may point at a server that died or was demoted since: a ping costs a
    // loopback round trip and keeps a stale socket from turning a write into "outcome unknown".
    if (!conn->ping()) continue;
    std::lock_guard lock(mu_);
    ++in_use_;
    return Lease(*this, std::move(*conn));
  }
  auto conn = db::Connection::connect(options_);
  if (!conn) return std::unexpected(conn.error());
  std::lock_guard lock(mu_);
  ++in_use_;
  return Lease(*this, std::move(*conn));
}

size_t DbPool::idle() const {
  std::lock_guard lock(mu_);
  return idle_.size();
}

size_t DbPool::in_use() const {
  std::lock_guard lock(mu_);
  return in_use_;
}

}  // namespace dr::app
