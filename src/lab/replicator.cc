#include "lab/replicator.h"

#include <charconv>

namespace dr::lab {

namespace {

constexpr size_t kMaxLagSamples = 100000;

std::expected<int64_t, std::string> number_of(const nlohmann::json& image, const char* name) {
  auto it = image.find(name);
  if (it == image.end() || !it->is_object() || !it->contains("N") || !(*it)["N"].is_string())
    return std::unexpected(std::string("image has no numeric ") + name);
  const auto& s = (*it)["N"].get_ref<const std::string&>();
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    return std::unexpected(std::string(name) + " is not an integer: " + s);
  return v;
}

// Condition shared by put and delete: the target has nothing, or something strictly older, or
// the same time from a region that loses the tie.
const char* kWinsCondition =
    "attribute_not_exists(id) OR updated_at_ms < :t OR "
    "(updated_at_ms = :t AND origin_region < :r)";

}  // namespace

std::expected<ChangeStamp, std::string> stamp_of(const nlohmann::json& image) {
  auto t = number_of(image, "updated_at_ms");
  if (!t) return std::unexpected(t.error());
  auto r = image.find("origin_region");
  if (r == image.end() || !r->is_object() || !r->contains("S") || !(*r)["S"].is_string())
    return std::unexpected("image has no origin_region");
  return ChangeStamp{*t, (*r)["S"].get<std::string>()};
}

nlohmann::ordered_json lww_put_input(const std::string& table, const nlohmann::json& image) {
  auto stamp = stamp_of(image);
  nlohmann::ordered_json item = nlohmann::ordered_json::object();
  for (const auto& [k, v] : image.items()) item[k] = v;
  return {{"TableName", table},
          {"Item", item},
          {"ConditionExpression", kWinsCondition},
          {"ExpressionAttributeValues",
           {{":t", {{"N", std::to_string(stamp ? stamp->updated_at_ms : 0)}}},
            {":r", {{"S", stamp ? stamp->origin_region : ""}}}}}};
}

nlohmann::ordered_json lww_delete_input(const std::string& table, const nlohmann::json& old_image) {
  auto stamp = stamp_of(old_image);
  // A delete wins only over the write it deleted or older ones (<=), never over a newer write.
  return {{"TableName", table},
          {"Key", {{"id", old_image.value("id", nlohmann::json::object())}}},
          {"ConditionExpression", "attribute_not_exists(id) OR updated_at_ms <= :t"},
          {"ExpressionAttributeValues",
           {{":t", {{"N", std::to_string(stamp ? stamp->updated_at_ms : 0)}}}}}};
}

StreamReplicator::StreamReplicator(ReplicationLink link,
                                   std::shared_ptr<aws::DynamoDbStreams> source_streams,
                                   std::shared_ptr<aws::DynamoDb> target, WallClock clock)
    : link_(std::move(link)),
      streams_(std::move(source_streams)),
      target_(std::move(target)),
      clock_(std::move(clock)) {}

std::expected<void, std::string> StreamReplicator::refresh_shards() {
  if (stream_arn_.empty()) {
    auto listed = streams_->list_streams({{"TableName", link_.table}});
    if (!listed) return std::unexpected("ListStreams: " + listed.error().describe());
    const auto& streams = (*listed)["Streams"];
    if (!streams.is_array() || streams.empty())
      return std::unexpected("table " + link_.table + " in " + link_.source_region +
                             " has no stream yet");
    stream_arn_ = streams.back().value("StreamArn", "");
  }
  auto described = streams_->describe_stream({{"StreamArn", stream_arn_}});
  if (!described) return std::unexpected("DescribeStream: " + described.error().describe());
  const auto& shards = (*described)["StreamDescription"]["Shards"];
  if (!shards.is_array()) return std::unexpected("DescribeStream: no Shards list");
  for (const auto& shard : shards) {
    std::string id = shard.value("ShardId", "");
    if (id.empty() || iterators_.contains(id) || drained_.contains(id)) continue;
    auto it = streams_->get_shard_iterator(
        {{"StreamArn", stream_arn_}, {"ShardId", id}, {"ShardIteratorType", "TRIM_HORIZON"}});
    if (!it) return std::unexpected("GetShardIterator: " + it.error().describe());
    iterators_[id] = it->value("ShardIterator", "");
  }
  return {};
}

std::expected<void, std::string> StreamReplicator::apply(const nlohmann::json& record) {
  std::string event = record.value("eventName", "");
  const auto& ddb = record.contains("dynamodb") ? record["dynamodb"] : nlohmann::json::object();
  nlohmann::json image = event == "REMOVE" ? ddb.value("OldImage", nlohmann::json())
                                           : ddb.value("NewImage", nlohmann::json());
  if (!image.is_object()) return std::unexpected(event + " record without its image");
  auto stamp = stamp_of(image);
  if (!stamp && image.contains("updated_at_ms") && !image.contains("origin_region")) {
    // An item written straight into one replica by other than dr-app (the AWS controller's fence
    // record, aws/fence_record.h): a global table replicates it all the same. It comes from this
    // link's source; stamped so, its echo from the target is recognised and not sent back.
    // Refused, it stopped this direction's replication for good (the record is read again).
    image["origin_region"] = {{"S", link_.source_region}};
    stamp = stamp_of(image);
  }
  if (!stamp) return std::unexpected("record skipped: " + stamp.error());
  if (stamp->origin_region != link_.source_region) {
    ++stats_.skipped_echo;  // the replicator wrote it here; sending it back would loop forever
    return {};
  }
  auto out = event == "REMOVE" ? target_->delete_item(lww_delete_input(link_.table, image))
                               : target_->put_item(lww_put_input(link_.table, image));
  if (!out) {
    if (aws::is_conditional_check_failed(out.error())) {
      ++stats_.skipped_older;
      return {};
    }
    return std::unexpected("apply to " + link_.target_region + ": " + out.error().describe());
  }
  ++stats_.applied;
  if (stats_.lag_ms.size() < kMaxLagSamples) {
    int64_t now =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_().time_since_epoch()).count();
    stats_.lag_ms.push_back(now - stamp->updated_at_ms);
  }
  return {};
}

void StreamReplicator::reopen(const std::string& shard) {
  const std::string& after = last_sequence_[shard];
  nlohmann::ordered_json in = {{"StreamArn", stream_arn_}, {"ShardId", shard}};
  if (after.empty()) {
    in["ShardIteratorType"] = "TRIM_HORIZON";
  } else {
    in["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER";
    in["SequenceNumber"] = after;
  }
  // If this fails too, the old iterator stays and the next pass tries again.
  if (auto fresh = streams_->get_shard_iterator(in))
    iterators_[shard] = fresh->value("ShardIterator", "");
}

std::expected<size_t, std::string> StreamReplicator::poll_once() {
  if (auto r = refresh_shards(); !r) {
    ++stats_.errors;
    return std::unexpected(r.error());
  }
  size_t read = 0;
  std::string first_error;
  for (auto it = iterators_.begin(); it != iterators_.end();) {
    auto& [shard, iterator] = *it;
    auto got = streams_->get_records({{"ShardIterator", iterator}, {"Limit", 1000}});
    if (!got) {
      ++stats_.errors;
      if (first_error.empty()) first_error = "GetRecords: " + got.error().describe();
      reopen(shard);  // an expired iterator: resume after the last applied record
      ++it;
      continue;
    }
    const auto& records = (*got)["Records"];
    bool failed = false;
    if (records.is_array()) {
      for (const auto& record : records) {
        ++read;
        if (auto a = apply(record); !a) {
          ++stats_.errors;
          if (first_error.empty()) first_error = a.error();
          failed = true;
          break;
        }
        last_sequence_[shard] = record["dynamodb"].value("SequenceNumber", "");
      }
    }
    if (failed) {
      // Keep order: the failed record and those after it are read again on the next pass.
      reopen(shard);
      ++it;
      continue;
    }
    auto next = got->find("NextShardIterator");
    if (next == got->end() || next->is_null()) {
      drained_.insert(shard);  // closed and fully read
      it = iterators_.erase(it);
      continue;
    }
    iterator = next->get<std::string>();
    ++it;
  }
  if (!first_error.empty()) return std::unexpected(first_error);
  return read;
}

}  // namespace dr::lab
