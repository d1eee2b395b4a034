// MariaDB GTID lists ("0-1-42,1-3-7": domain-server_id-sequence) and the comparisons failover
// needs: which replica is the most advanced, and whether a server holds transactions that another
// one lacks (errant GTIDs, which make a rejoin unsafe).
//
// Two kinds of list, and each comparison takes one kind:
// - a position (@@gtid_binlog_pos, @@gtid_current_pos): the last GTID per domain. With
//   gtid_strict_mode sequence numbers only grow within a domain, so positions compare per domain
//   by sequence number: that is how replicas of one primary are ranked.
// - a binlog state (@@gtid_binlog_state): the last GTID per domain AND server id. Only a state
//   tells histories apart: after a failover, b1's state "0-1-131,0-3-255" says it holds a1's
//   writes up to 131, so a1's "0-1-132" is errant although 132 < 255. A position ("0-3-255")
//   cannot say that.
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

// Positions (one GTID per domain): true when `a` has every transaction `b` has: in each of b's
// domains, a's sequence is at least b's (and, at equal sequence, from the same server).
bool contains(const GtidList& a, const GtidList& b);

// The index of a position that contains every other one (the most advanced replica), or nullopt
// when there is none: the histories diverged, and no replica can catch the others up.
std::optional<std::size_t> most_advanced(const std::vector<GtidList>& positions);

// Binlog states (@@gtid_binlog_state), compared per domain and server id: the GTIDs of
// `candidate` that show it holds transactions `reference` never had: a (domain, server id) the
// reference has no transaction of, or a higher sequence number from that server.
GtidList errant_gtids(const GtidList& candidate_state, const GtidList& reference_state);

}  // namespace dr::lab
