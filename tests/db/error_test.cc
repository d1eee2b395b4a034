#include "db/error.h"

#include <gtest/gtest.h>

namespace dr::db {
namespace {

TEST(DbErrorClassification, TellsAGoneServerFromARefusedStatement) {
  for (unsigned code : {2002U, 2003U}) {
    const Error e = Error::from_code(code, "HY000", "x");
    EXPECT_EQ(e.kind, ErrorKind::kConnectFailed) << code;
    EXPECT_TRUE(e.server_gone());
    EXPECT_FALSE(e.outcome_unknown());
  }
  for (unsigned code : {2006U, 2013U}) {
    const Error e = Error::from_code(code, "HY000", "x");
    EXPECT_EQ(e.kind, ErrorKind::kConnectionLost) << code;
    EXPECT_TRUE(e.server_gone());
    EXPECT_TRUE(e.outcome_unknown()) << "a write may have committed before the connection broke";
  }
  EXPECT_EQ(classify(1062), ErrorKind::kDuplicateKey);
  EXPECT_EQ(classify(1290), ErrorKind::kReadOnly);
  EXPECT_EQ(classify(1213), ErrorKind::kDeadlock);
  EXPECT_EQ(classify(1045), ErrorKind::kAccessDenied);
  EXPECT_EQ(classify(1064), ErrorKind::kServerError);
  EXPECT_FALSE(Error::from_code(1062, "23000", "dup").server_gone());
}

TEST(DbErrorClassification, DescribesKindCodeAndState) {
  EXPECT_EQ(Error::from_code(1062, "23000", "Duplicate entry '1'").describe(),
            "duplicate-key (1062/23000): Duplicate entry '1'");
  EXPECT_EQ(Error::client("no rows").describe(), "client-error: no rows");
}

}  // namespace
}  // namespace dr::db
