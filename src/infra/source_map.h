// Maps blocks of the parser's JSON form back to lines of the source text: hcl2json keeps no
// positions, and a violation must name file and line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dr::infra {

struct LineRange {
  int first = 0;  // line of the block header, 1-based; 0 when not found
  int last = 0;   // line of its closing brace
};

// header_words: e.g. {"resource", "aws_lb", "this"}, {"locals"}. occurrence: 0 for the first
// block with that header in the file, 1 for the second, ...
LineRange find_block(std::string_view text, const std::vector<std::string>& header_words,
                     int occurrence = 0);

struct SkipComment {
  int line = 0;
  std::string check;
  std::string reason;  // empty when none was written
};

// "# checkov:skip=CKV_AWS_2:reason" (or //) comments within the given lines.
std::vector<SkipComment> skip_comments(std::string_view text, LineRange range);

}  // namespace dr::infra
