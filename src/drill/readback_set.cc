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
  nlohmann::json j = {{"source", readback.source}, {"orders", orders}};
  if (readback.sessions) {
    j["sessions"] = *readback.sessions;
    j["sessions_source"] = readback.sessions_source;
  }
  nlohmann::json servers = nlohmann::json::array();
  for (const auto& s : readback.servers)
    servers.push_back({{"name", s.name},
                       {"address", s.address},
                       {"read_only", s.read_only ? nlohmann::json(*s.read_only) : nullptr},
                       {"error", s.error}});
  j["servers"] = servers;
  return j;
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
    if (j.contains("sessions") && !j["sessions"].is_null()) {
      r.sessions = j["sessions"].get<std::set<std::string>>();
      r.sessions_source = j.value("sessions_source", "");
    }
    if (j.contains("servers"))
      for (const auto& s : j["servers"]) {
        ServerMode m{s.at("name").get<std::string>(), s.value("address", ""), std::nullopt,
                     s.value("error", "")};
        if (s.contains("read_only") && !s["read_only"].is_null())
          m.read_only = s["read_only"].get<bool>();
        r.servers.push_back(std::move(m));
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
