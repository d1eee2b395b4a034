#include "drill/history.h"

#include <algorithm>
#include <fstream>

namespace dr::drill {

std::int64_t DrillEpoch::started_at_unix_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(wall_.time_since_epoch()).count();
}

double DrillEpoch::ms_since_start(std::chrono::steady_clock::time_point t) const {
  return std::chrono::duration<double, std::milli>(t - steady_).count();
}

double DrillEpoch::ms_from_unix_ms(std::int64_t unix_ms) const {
  return static_cast<double>(unix_ms - started_at_unix_ms());
}

void Recorder::record(Operation op) {
  std::lock_guard lock(mu_);
  ops_.push_back(std::move(op));
}

std::size_t Recorder::size() const {
  std::lock_guard lock(mu_);
  return ops_.size();
}

History Recorder::snapshot(std::int64_t started_at_unix_ms) const {
  History h;
  h.started_at_unix_ms = started_at_unix_ms;
  {
    std::lock_guard lock(mu_);
    h.ops = ops_;
  }
  std::ranges::sort(h.ops, {}, &Operation::seq);
  return h;
}

std::expected<void, std::string> save_history(const History& history,
                                              const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return std::unexpected("cannot write " + path.string());
  out << nlohmann::json{{"drill_history", 1}, {"started_at_unix_ms", history.started_at_unix_ms}}
             .dump()
      << '\n';
  for (const auto& op : history.ops) out << to_json(op).dump() << '\n';
  out.flush();
  if (!out) return std::unexpected("error writing " + path.string());
  return {};
}

std::expected<History, std::string> load_history(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::unexpected("cannot read " + path.string());
  History h;
  std::string line;
  std::size_t number = 0;
  bool header = false;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
      return std::unexpected(path.string() + ":" + std::to_string(number) + ": not JSON");
    if (!header) {
      if (!j.is_object() || !j.contains("drill_history"))
        return std::unexpected(path.string() + ": the first line is not a drill history header");
      h.started_at_unix_ms = j.value("started_at_unix_ms", std::int64_t{0});
      header = true;
      continue;
    }
    auto op = operation_from_json(j);
    if (!op)
      return std::unexpected(path.string() + ":" + std::to_string(number) + ": " + op.error());
    h.ops.push_back(std::move(*op));
  }
  if (!header) return std::unexpected(path.string() + ": empty history");
  std::ranges::sort(h.ops, {}, &Operation::seq);
  return h;
}

}  // namespace dr::drill
