// Network partitions between the lab's sites, made with an nftables table of the project's own.
// A cut drops every packet, both ways, between a site's /24 and the /24s it is cut from; clients
// on 127.0.0.1 (the internet) are not touched. Healing deletes the whole table, nothing else.
// Needs root and the `nft` binary (nftables); every call fails with a clear reason otherwise.
//
// A connection that does not bind a source address leaves from 127.0.0.1, which no address rule
// can place in a site. MariaDB replication cannot bind (10.11 has no MASTER_BIND), so the lab's
// servers run in a cgroup v2 per site (join_site_cgroup), and a cut also drops what their sockets
// send to, or receive from, the other side, whatever address those leave from
// (docs/partitions.md).
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
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

// "us-east-1", "us-west-2", "global" -> the site; nullopt for anything else.
std::optional<Site> site_from_name(std::string_view name);

// The site whose /24 holds `address` ("127.0.2.11" -> us-west-2); nullopt for any other address.
std::optional<Site> site_of_address(std::string_view address);

// Moves process `pid` (and the threads and children it has) into its site's cgroup v2,
// `<cgroup2 mount>/dr_lab/<site>`, so that a cut also drops its sockets' packets. Sockets keep
// the cgroup they were created in: call it right after the spawn. Fails (kNotFound) without a
// cgroup2 mount, or when we may not write there; the caller carries on without it.
Result<void> join_site_cgroup(pid_t pid, Site site);

struct CutResult {
  std::vector<Site> from;  // the sites it is cut off from
  // True when the cut also drops the packets of the sites' servers' sockets (cgroup rules); false
  // without cgroup v2 under /sys/fs/cgroup, and then `note` says what still crosses the cut.
  bool servers_cut = false;
  std::string note;
};

// Cuts `region` off from `from` (empty: from every other site). Both directions are dropped.
// Idempotent, and one cut per region: cutting a region again replaces its earlier cut; cuts of
// different regions add up. Atomic: nft applies the whole change or none of it.
Result<CutResult> cut(Site region, const std::vector<Site>& from = {},
                      std::string_view table = kPartitionTable);

// Whether `table` exists, i.e. some cut is on (`nft list table`); an error without root or nft.
Result<bool> is_active(std::string_view table = kPartitionTable);

// Removes the table and with it every cut. Idempotent: healing a healed lab succeeds.
Result<void> heal(std::string_view table = kPartitionTable);

// The nft script that cut() and heal() run; pure, for tests and for operators to read.
// `site_cgroups`: each site's cgroup as nft names it (relative to /sys/fs/cgroup); a site without
// one gets address rules only.
Result<std::string> render_cut(Site region, const std::vector<Site>& from, std::string_view table,
                               const std::map<Site, std::string>& site_cgroups = {});
Result<std::string> render_heal(std::string_view table);

// Heals on destruction (tests, drills): a cut never outlives the scope that made it, on an early
// return or a failed assertion too.
class ScopedPartition {
 public:
  explicit ScopedPartition(std::string table) : table_(std::move(table)) {}
  ScopedPartition(const ScopedPartition&) = delete;
  ScopedPartition& operator=(const ScopedPartition&) = delete;
  ~ScopedPartition() { (void)lab::heal(table_); }
  Result<CutResult> cut(Site region, const std::vector<Site>& from = {}) {
    return lab::cut(region, from, table_);
  }
  Result<void> heal() { return lab::heal(table_); }
  const std::string& table() const { return table_; }

 private:
  std::string table_;
};

}  // namespace dr::lab
