#include "lease/etcd_store.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

namespace dr::lease {

namespace {

const std::string kLease(kLeaseKey);
const std::string kEpoch(kEpochKey);

Result<int64_t> parse_epoch(const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0)
    return fail(ErrorKind::kBadReply,
                "the epoch at " + kEpoch + " is not a number: '" + text + "'");
  return v;
}

// The record at kLeaseKey with its revision, or nullopt when nobody holds the lease.
struct Held {
  LeaseRecord record;
  int64_t mod_revision = 0;
};

Result<std::optional<Held>> read_held(Etcd& etcd) {
  auto kv = etcd.get(kLease);
  if (!kv) return std::unexpected(kv.error());
  if (!*kv) return std::optional<Held>();
  auto record = parse_lease_record((*kv)->value);
  if (!record) return std::unexpected(record.error());
  return std::optional<Held>(Held{*record, (*kv)->mod_revision});
}

// After a transaction whose outcome is unknown or that did not apply: is the record ours now?
bool is_now(Etcd& etcd, const LeaseRecord& mine) {
  auto held = read_held(etcd);
  return held && *held && (*held)->record == mine;
}

}  // namespace

std::string to_json_text(const LeaseRecord& record) {
  return nlohmann::json{{"region", record.region},
                        {"epoch", record.epoch},
                        {"etcd_lease", std::to_string(record.token)}}
      .dump();
}

Result<LeaseRecord> parse_lease_record(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [&](const std::string& why) {
    return fail(ErrorKind::kBadReply,
                "the write lease record " + std::string(text.substr(0, 200)) + " " + why);
  };
  if (!j.is_object()) return bad("is not a JSON object");
  LeaseRecord r;
  auto region = j.find("region");
  if (region == j.end() || !region->is_string() || region->get<std::string>().empty())
    return bad("has no region");
  r.region = region->get<std::string>();
  auto epoch = j.find("epoch");
  if (epoch == j.end() || !epoch->is_number_integer() || epoch->get<int64_t>() < 1)
    return bad("has no epoch >= 1");
  r.epoch = epoch->get<int64_t>();
  auto lease = j.find("etcd_lease");
  auto id = lease == j.end() ? std::nullopt : json_int64(*lease);
  if (!id || *id == 0) return bad("has no etcd lease");
  r.token = *id;
  return r;
}

Result<std::optional<LeaseRecord>> read_lease(Etcd& etcd) {
  auto held = read_held(etcd);
  if (!held) return std::unexpected(held.error());
  if (!*held) return std::optional<LeaseRecord>();
  return std::optional<LeaseRecord>((*held)->record);
}

Result<void> seed_epoch(Etcd& etcd, int64_t at_least) {
  auto done = etcd.txn({{kEpoch, Compare::Target::kCreateRevision, 0, ""}},
                       {{kEpoch, std::to_string(at_least), 0}});
  if (!done) return std::unexpected(done.error());
  return {};  // not applied: the store has its own epoch, which is what it has given out
}

Result<LeaseRecord> acquire(Etcd& etcd, const std::string& region, std::chrono::seconds ttl) {
  auto held = read_held(etcd);
  if (!held) return std::unexpected(held.error());
  if (*held) {
    if ((*held)->record.region == region) return (*held)->record;
    return fail(ErrorKind::kRefused, "the write lease is held by " + describe((*held)->record) +
                                         ": it passes on only once its TTL has run out");
  }
  auto epoch_kv = etcd.get(kEpoch);
  if (!epoch_kv) return std::unexpected(epoch_kv.error());
  int64_t last = 0;
  if (*epoch_kv) {
    auto e = parse_epoch((*epoch_kv)->value);
    if (!e) return std::unexpected(e.error());
    last = *e;
  }
  auto id = etcd.grant(ttl);
  if (!id) return std::unexpected(id.error());
  const LeaseRecord mine{region, last + 1, *id};
  std::vector<Compare> compares = {{kLease, Compare::Target::kCreateRevision, 0, ""}};
  compares.push_back(
      *epoch_kv ? Compare{kEpoch, Compare::Target::kModRevision, (*epoch_kv)->mod_revision, ""}
                : Compare{kEpoch, Compare::Target::kCreateRevision, 0, ""});
  auto done = etcd.txn(
      compares, {{kLease, to_json_text(mine), *id}, {kEpoch, std::to_string(mine.epoch), 0}});
  if (done && *done) return mine;
  // Not applied, or the answer was lost: only the record itself tells which.
  if (is_now(etcd, mine)) return mine;
  (void)etcd.revoke(*id);  // best effort: it would expire anyway
  if (!done) return std::unexpected(done.error());
  auto now = read_lease(etcd);
  return fail(ErrorKind::kRefused,
              "another taker was first: the write lease is " +
                  (now && *now ? describe(**now) : std::string("held by someone else")));
}

Result<LeaseRecord> hand_over(Etcd& etcd, const LeaseRecord& from, const std::string& region,
                              std::chrono::seconds ttl) {
  auto held = read_held(etcd);
  if (!held) return std::unexpected(held.error());
  if (*held && (*held)->record.region == region) return (*held)->record;
  if (!*held || (*held)->record != from)
    return fail(ErrorKind::kRefused,
                "the write lease is no longer " + describe(from) + "'s: it is " +
                    (*held ? describe((*held)->record) : std::string("nobody's")));
  auto id = etcd.grant(ttl);
  if (!id) return std::unexpected(id.error());
  const LeaseRecord mine{region, from.epoch + 1, *id};
  auto done =
      etcd.txn({{kLease, Compare::Target::kModRevision, (*held)->mod_revision, ""},
                {kEpoch, Compare::Target::kValue, 0, std::to_string(from.epoch)}},
               {{kLease, to_json_text(mine), *id}, {kEpoch, std::to_string(mine.epoch), 0}});
  if ((done && *done) || is_now(etcd, mine)) {
    (void)etcd.revoke(from.token);  // the record is bound to the new lease already
    return mine;
  }
  (void)etcd.revoke(*id);
  if (!done) return std::unexpected(done.error());
  return fail(ErrorKind::kRefused, "the write lease changed while it was handed over");
}

Result<std::optional<Renewed>> EtcdLeaseStore::renew(const LeaseRecord& held) {
  auto left = etcd_.keep_alive(held.token);
  if (!left) return std::unexpected(left.error());
  if (*left <= 0) return std::optional<Renewed>();
  return std::optional<Renewed>(Renewed{held, std::chrono::seconds(*left)});
}

}  // namespace dr::lease
