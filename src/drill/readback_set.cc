#include "drill/readback_set.h"

#include <fstream>

namespace dr::drill {

nlohmann::json to_json(const ReadBack& readback) {
  nlohmann::json orders = nlohmann::json::array();
  for (const auto& [key, o] : readback.orders)
    orders.push_back({{"idempotency_key", key},
                      {"customer", o.customer},
                      {"amount_cents", o.amount_cents},
                      {"committed_by", o.committed_by}});
  return {{"source", readback.source}, {"orders", orders}};
}

std::expected<ReadBack, std::string> readback_from_json(const nlohmann::json& j) {
  try {
    ReadBack r;
    r.source = j.value("source", "");
    for (const auto& o : j.at("orders")) {
      r.orders[o.at("idempotency_key").get<std::string>()] =
          StoredOrder{o.at("customer").get<std::string>(), o.at("amount_cents").get<std::int64_t>(),
                      o.value("committed_by", "")};
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(std::string("bad read-back: ") + e.what());
  }
}

std::expected<void, std::string> save_readback(const ReadBack& readback,
                                               const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return std::unexpected("cannot write " + path.string());
  out << to_json(readback).dump(1) << '\n';
  if (!out) return std::unexpected("error writing " + path.string());
  return {};
}

std::expected<ReadBack, std::string> load_readback(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::unexpected("cannot read " + path.string());
  auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::unexpected(path.string() + ": not JSON");
  return readback_from_json(j);
}

}  // namespace dr::drill
