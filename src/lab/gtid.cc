#include "lab/gtid.h"

#include <algorithm>
#include <charconv>

namespace dr::lab {
namespace {

template <class T>
bool parse_number(std::string_view text, T& out) {
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && !text.empty();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::optional<Gtid> find_domain(const GtidList& list, std::uint32_t domain) {
  for (const auto& g : list) {
    if (g.domain == domain) return g;
  }
  return std::nullopt;
}

}  // namespace

Result<GtidList> parse_gtid_list(std::string_view text) {
  GtidList out;
  text = trim(text);
  if (text.empty()) return out;
  while (true) {
    const auto comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    const auto d1 = item.find('-');
    const auto d2 = d1 == std::string_view::npos ? d1 : item.find('-', d1 + 1);
    Gtid gtid;
    if (d2 == std::string_view::npos || !parse_number(item.substr(0, d1), gtid.domain) ||
        !parse_number(item.substr(d1 + 1, d2 - d1 - 1), gtid.server_id) ||
        !parse_number(item.substr(d2 + 1), gtid.sequence)) {
      return fail(ErrorKind::kProtocol, "not a GTID position: '" + std::string(text) + "'");
    }
    out.push_back(gtid);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string to_string(const Gtid& gtid) {
  return std::to_string(gtid.domain) + "-" + std::to_string(gtid.server_id) + "-" +
         std::to_string(gtid.sequence);
}

std::string to_string(const GtidList& list) {
  std::string out;
  for (const auto& g : list) {
    if (!out.empty()) out += ",";
    out += to_string(g);
  }
  return out;
}

bool contains(const GtidList& a, const GtidList& b) {
  for (const auto& g : b) {
    const auto mine = find_domain(a, g.domain);
    if (!mine || mine->sequence < g.sequence ||
        (mine->sequence == g.sequence && mine->server_id != g.server_id)) {
      return false;
    }
  }
  return true;
}

std::optional<std::size_t> most_advanced(const std::vector<GtidList>& positions) {
  for (std::size_t i = 0; i < positions.size(); ++i) {
    bool all = true;
    for (const auto& other : positions) all = all && contains(positions[i], other);
    if (all) return i;
  }
  return std::nullopt;
}

GtidList errant_gtids(const GtidList& candidate_state, const GtidList& reference_state) {
  GtidList out;
  for (const auto& c : candidate_state) {
    const auto r = std::find_if(reference_state.begin(), reference_state.end(), [&](const Gtid& g) {
      return g.domain == c.domain && g.server_id == c.server_id;
    });
    if (r == reference_state.end() || c.sequence > r->sequence) out.push_back(c);
  }
  return out;
}

}  // namespace dr::lab
