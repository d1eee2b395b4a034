#include "aws/encoding.h"

#include <gtest/gtest.h>

namespace dr::aws {
namespace {

TEST(UriEncode, KeepsUnreservedAndEncodesTheRestUpperCase) {
  EXPECT_EQ(uri_encode("a-b_c.d~e/f g+h", true), "a-b_c.d~e%2Ff%20g%2Bh");
  EXPECT_EQ(uri_encode("a/b c", false), "a/b%20c");
  EXPECT_EQ(uri_encode("\xE1\x88\xB4", true), "%E1%88%B4");
}

TEST(UriDecode, DecodesEscapesAndLeavesBrokenOnesAlone) {
  EXPECT_EQ(uri_decode("%E1%88%B4x"), "\xE1\x88\xB4x");
  EXPECT_EQ(uri_decode("100%"), "100%");
  EXPECT_EQ(uri_decode("%zz%4"), "%zz%4");
}

TEST(Sha256, MatchesTheEmptyStringDigest) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Base64, RoundTripsEveryPaddingLength) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto back = base64_decode(base64_encode(s));
    ASSERT_TRUE(back.has_value()) << s;
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_FALSE(base64_decode("Zm9v!mFy").has_value());
  EXPECT_FALSE(base64_decode("Zm9").has_value());
  EXPECT_FALSE(base64_decode("Zg==Zg==").has_value());
}

TEST(Iso8601, ParsesAwsTimestampsAndRejectsGarbage) {
  auto t = parse_iso8601("2015-08-30T12:36:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(amz_date(*t), "20150830T123600Z");
  EXPECT_EQ(date_stamp(*t), "20150830");
  EXPECT_EQ(iso8601(*t), "2015-08-30T12:36:00Z");
  EXPECT_TRUE(parse_iso8601("2015-08-30T12:36:00.123Z"));
  EXPECT_TRUE(parse_iso8601("2015-08-30T12:36:00+00:00"));
  EXPECT_FALSE(parse_iso8601("2015-13-30T12:36:00Z"));
  EXPECT_FALSE(parse_iso8601("2015-02-30T12:36:00Z"));
  EXPECT_FALSE(parse_iso8601("yesterday"));
  EXPECT_FALSE(parse_iso8601("2015-08-30T12:36:00+02:00"));
}

}  // namespace
}  // namespace dr::aws
