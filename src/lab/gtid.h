// MariaDB GTID positions ("0-1-42,1-3-7": domain-server_id-sequence, one per domain) and the
// comparisons failover needs: which replica is the most advanced, and whether a server holds
// transactions that another one lacks (errant GTIDs, which make a rejoin unsafe).
//
// With gtid_strict_mode, sequence numbers only grow within a domain, so positions can be compared
// per domain by sequence number. Limitation: two histories that diverged and then one of them
// fell behind cannot be told apart from positions alone; replication itself refuses such a
// server (error 1236/1950) when it connects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lab/error.h"

namespace dr::lab {

struct Gtid {
  std::uint32_t domain = 0;
  std::uint32_t server_id = 0;
  std::uint64_t sequence = 0;

  friend bool operator==(const Gtid&, const Gtid&) = default;
};

using GtidList = std::vector<Gtid>;

// Parses a position as MariaDB prints it; the empty string is the empty position.
Result<GtidList> parse_gtid_list(std::string_view text);
std::string to_string(const Gtid& gtid);
std::string to_string(const GtidList& list);

// True when `a` has every transaction `b` has: in each of b's domains, a's sequence is at least
// b's (and, at equal sequence, from the same server).
bool contains(const GtidList& a, const GtidList& b);

// The index of a position that contains every other one (the most advanced replica), or nullopt
// when there is none: the histories diverged, and no replica can catch the others up.
std::optional<std::size_t> most_advanced(const std::vector<GtidList>& positions);

// The GTIDs (at most one per domain) that show `candidate` holds transactions `reference` does
// not: a domain the reference has never seen, a higher sequence number, or the same sequence
// number from another server (the two histories diverged).
GtidList errant_gtids(const GtidList& candidate, const GtidList& reference);

}  // namespace dr::lab
