#include "drill/readback_sessions.h"

#include "aws/dynamodb.h"

namespace dr::drill {

std::expected<SessionReadBack, std::string> read_back_sessions(
    const std::vector<SessionTable>& tables, const std::string& table_name,
    const std::vector<std::string>& ids) {
  if (tables.empty()) return std::unexpected("no DynamoDB to read the sessions back from");
  SessionReadBack out;
  out.source = table_name + " in";
  for (const auto& t : tables) {
    out.source += (&t == &tables.front() ? " " : ", ") + t.region;
    aws::DynamoDb ddb(t.config);
    for (const auto& id : ids) {
      if (out.found.contains(id)) continue;
      auto item = ddb.get_item(
          {{"TableName", table_name}, {"Key", {{"id", {{"S", id}}}}}, {"ConsistentRead", true}});
      if (!item)
        return std::unexpected("read back session " + id + " from " + t.region + ": " +
                               item.error().describe());
      if (item->contains("Item")) out.found.insert(id);
    }
  }
  return out;
}

}  // namespace dr::drill
