// The query protocol's request parameters: an application/x-www-form-urlencoded body
// (Action=...&Version=...&Name.member.1=...) or, for GET, the query string. Decoding is strict:
// a bad %-escape, a name given twice, bytes that are not UTF-8 or too many parameters are a
// 400 (InvalidQueryParameter), never guessed at, since the values end up in XML answers and in
// the lab's own calls.
#pragma once

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lab_aws/aws_error.h"

namespace dr::lab_aws {

inline constexpr std::size_t kMaxParameters = 1000;

// %XY escapes (either case); with `plus_is_space` a '+' is a space (form encoding).
std::expected<std::string, std::string> percent_decode(std::string_view text, bool plus_is_space);
bool valid_utf8(std::string_view text);

class FormParams {
 public:
  static std::expected<FormParams, AwsError> parse(std::string_view encoded);
  // Already decoded pairs (a GET's query string): the same checks.
  static std::expected<FormParams, AwsError> from_pairs(
      const std::vector<std::pair<std::string, std::string>>& pairs);

  std::optional<std::string> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  // A required member: MissingParameter when absent.
  std::expected<std::string, AwsError> require(std::string_view name) const;
  // "true" / "false" (botocore's encoding); anything else is InvalidParameterValue.
  std::expected<std::optional<bool>, AwsError> boolean(std::string_view name) const;
  // A decimal integer within [lo, hi]; anything else is InvalidParameterValue.
  std::expected<std::optional<long long>, AwsError> integer(std::string_view name, long long lo,
                                                            long long hi) const;
  // Name.member.1, Name.member.2, ... in order (`member` as the model names it).
  std::vector<std::string> list(std::string_view name, std::string_view member = "member") const;

  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

}  // namespace dr::lab_aws
