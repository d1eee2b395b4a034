// The DynamoDB tables infra/ creates must have the keys the code reads and writes: the state
// table (src/backends/controller_store.h) and the sessions global table (src/app/session_store.h).
// They once did not ("pk" in infra/, "id" in the code): every request would have failed on AWS
// with a ValidationException, and nothing here would have noticed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "app/session_store.h"
#include "backends/aws/aws_targets.h"
#include "backends/controller_store.h"
#include "lease/dynamodb_store.h"

namespace {

// hash_key of `resource "aws_dynamodb_table" "<name>"` in `file` (terraform fmt's layout).
std::string hash_key(const std::string& file, const std::string& name) {
  std::ifstream in(std::filesystem::path(DR_SOURCE_DIR) / file);
  std::stringstream s;
  s << in.rdbuf();
  const std::string text = s.str();
  const std::string head = "resource \"aws_dynamodb_table\" \"" + name + "\" {";
  const auto start = text.find(head);
  if (start == std::string::npos) return "(no " + head + " in " + file + ")";
  const auto end = text.find("\n}", start);
  const std::string block = text.substr(start, end - start);
  std::smatch m;
  if (!std::regex_search(block, m, std::regex(R"(\n\s*hash_key\s*=\s*"([^"]*)\")")))
    return "(no hash_key)";
  return m[1];
}

TEST(TableKeys, TheStateTableHasTheKeyTheControllerUses) {
  EXPECT_EQ(hash_key("infra/modules/lambda/main.tf", "state"), dr::backends::kStateTableKey);
}

TEST(TableKeys, TheSessionsTableHasTheKeyDrAppUses) {
  EXPECT_EQ(hash_key("infra/modules/dynamodb/main.tf", "this"), dr::app::kSessionTableKey);
}

// The controller writes its fence records into the same table (src/aws/fence_record.h).
TEST(TableKeys, TheFenceRecordsUseTheSessionsTablesKey) {
  EXPECT_EQ(hash_key("infra/modules/dynamodb/main.tf", "this"),
            dr::backends::aws_world::AwsTargets{}.app_table_key);
}

// The write lease's table (infra/global) has the key its store reads and writes.
TEST(TableKeys, TheLeaseTableHasTheKeyTheLeaseStoreUses) {
  EXPECT_EQ(hash_key("infra/global/main.tf", "lease"), dr::lease::DynamoDbLeaseOptions{}.key_name);
}

}  // namespace
