#include "drill/readback.h"

#include <charconv>

namespace dr::drill {

std::expected<ReadBack, std::string> read_back_orders(const db::ConnectOptions& options) {
  if (options.database.empty()) return std::unexpected("read-back needs the app's database name");
  auto conn = db::Connection::connect(options);
  if (!conn)
    return std::unexpected("read-back from " + options.describe() + ": " + conn.error().describe());
  auto rows =
      conn->query("SELECT idempotency_key, customer, amount_cents, committed_by FROM orders");
  if (!rows)
    return std::unexpected("read-back from " + options.describe() + ": " + rows.error().describe());
  ReadBack r;
  r.source = options.describe() + "/" + options.database;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    auto key = rows->get(i, "idempotency_key");
    if (!key) continue;  // orders written without a key are not the drill's
    StoredOrder o;
    o.customer = rows->get(i, "customer").value_or("");
    auto amount = rows->get(i, "amount_cents").value_or("0");
    std::from_chars(amount.data(), amount.data() + amount.size(), o.amount_cents);
    o.committed_by = rows->get(i, "committed_by").value_or("");
    r.orders[*key] = std::move(o);
  }
  return r;
}

ServerMode read_server_mode(const std::string& name, const std::string& address,
                            db::ConnectOptions options) {
  ServerMode m{name, address, std::nullopt, ""};
  options.database.clear();
  // A dead server costs a known, short time: the read-back must not hang on the killed region.
  options.connect_timeout = std::chrono::milliseconds(1000);
  options.read_timeout = std::chrono::milliseconds(3000);
  auto conn = db::Connection::connect(options);
  if (!conn) {
    m.error = conn.error().describe();
    return m;
  }
  auto v = conn->query_value("SELECT @@GLOBAL.read_only");
  if (!v || !*v) {
    m.error = v ? "no value for @@read_only" : v.error().describe();
    return m;
  }
  m.read_only = **v != "0";
  return m;
}

}  // namespace dr::drill
