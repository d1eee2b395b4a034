// Reads the drill's session writes back from DynamoDB after recovery, so sessions have an RPO
// like orders: a session acknowledged by the app and found in no region's table was lost.
#pragma once

#include <expected>
#include <set>
#include <string>
#include <vector>

#include "aws/client.h"

namespace dr::drill {

struct SessionTable {
  std::string region;
  aws::ClientConfig config;  // endpoint and credentials of that region's DynamoDB
};

struct SessionReadBack {
  std::set<std::string> found;  // ids found in at least one table
  std::string source;           // "dr-app-sessions in us-east-1, us-west-2"
};

// Looks every id up (consistent reads) in every table given; the union is what survived. A
// table that does not answer is an error: half a read-back would report writes as lost.
std::expected<SessionReadBack, std::string> read_back_sessions(
    const std::vector<SessionTable>& tables, const std::string& table_name,
    const std::vector<std::string>& ids);

}  // namespace dr::drill
