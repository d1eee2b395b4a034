// Network partitions between the lab's sites, made with an nftables table of the project's own.
// A cut drops every packet, both ways, between a site's /24 and the /24s it is cut from; clients
// on 127.0.0.1 (the internet) are not touched. Healing deletes the whole table, nothing else.
// Needs root and the `nft` binary (nftables); every call fails with a clear reason otherwise.
//
// A cut only cuts connections whose packets carry lab addresses: one that does not bind a source
// address leaves from 127.0.0.1 and crosses it untouched (docs/partitions.md says which do).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lab/error.h"
#include "lab/ports.h"

namespace dr::lab {

// The lab's own table. Tests pass a unique name of their own, which must also start with
// "dr_lab": a name outside the project's prefix is refused, so no call here can touch, or
// delete, a table that someone else owns.
inline constexpr std::string_view kPartitionTable = "dr_lab_partition";

// kNotFound when nft is missing, kRefused when we are not root: a test skips with the message.
Result<void> check_can_partition();

// Cuts `region` off from `from` (empty: from every other site). Both directions are dropped.
// Idempotent, and one cut per region: cutting a region again replaces its earlier cut; cuts of
// different regions add up. Atomic: nft applies the whole change or none of it.
Result<void> cut(Site region, const std::vector<Site>& from = {},
                 std::string_view table = kPartitionTable);

// Removes the table and with it every cut. Idempotent: healing a healed lab succeeds.
Result<void> heal(std::string_view table = kPartitionTable);

// The nft script that cut() and heal() run; pure, for tests and for operators to read.
Result<std::string> render_cut(Site region, const std::vector<Site>& from, std::string_view table);
Result<std::string> render_heal(std::string_view table);

// Heals on destruction (tests, drills): a cut never outlives the scope that made it, on an early
// return or a failed assertion too.
class ScopedPartition {
 public:
  explicit ScopedPartition(std::string table) : table_(std::move(table)) {}
  ScopedPartition(const ScopedPartition&) = delete;
  ScopedPartition& operator=(const ScopedPartition&) = delete;
  ~ScopedPartition() { (void)lab::heal(table_); }
  Result<void> cut(Site region, const std::vector<Site>& from = {}) {
    return lab::cut(region, from, table_);
  }
  Result<void> heal() { return lab::heal(table_); }
  const std::string& table() const { return table_; }

 private:
  std::string table_;
};

}  // namespace dr::lab
