#include "infra/source_map.h"

#include <regex>
#include <string>

namespace dr::infra {

namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      if (start < text.size()) lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

bool is_ident(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// Does the line start with the header words (bare or quoted) followed by '{'?
bool header_matches(std::string_view line, const std::vector<std::string>& words) {
  std::size_t i = 0;
  auto skip_space = [&] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  };
  for (const auto& w : words) {
    skip_space();
    bool quoted = i < line.size() && line[i] == '"';
    if (quoted) ++i;
    if (line.substr(i, w.size()) != w) return false;
    i += w.size();
    if (quoted) {
      if (i >= line.size() || line[i] != '"') return false;
      ++i;
    } else if (i < line.size() && is_ident(line[i])) {
      return false;
    }
  }
  skip_space();
  return i < line.size() && line[i] == '{';
}

// Finds the line holding the brace that closes the block opened on line `first` (0-based),
// skipping strings (with nested interpolations), heredocs and comments.
int closing_line(const std::vector<std::string_view>& lines, std::size_t first) {
  int depth = 0;
  std::vector<int> modes;  // 0 = expression, 1 = string; interpolations push expression
  std::string heredoc;
  bool block_comment = false;
  for (std::size_t ln = first; ln < lines.size(); ++ln) {
    std::string_view l = lines[ln];
    if (!heredoc.empty()) {
      std::size_t b = l.find_first_not_of(" \t");
      if (b != std::string_view::npos && l.substr(b) == heredoc) heredoc.clear();
      continue;
    }
    for (std::size_t i = 0; i < l.size(); ++i) {
      char c = l[i];
      if (block_comment) {
        if (c == '*' && i + 1 < l.size() && l[i + 1] == '/') block_comment = false, ++i;
        continue;
      }
      bool in_string = !modes.empty() && modes.back() == 1;
      if (in_string) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          modes.pop_back();
        } else if ((c == '$' || c == '%') && i + 1 < l.size() && l[i + 1] == '{') {
          modes.push_back(0);
          ++i;
        }
        continue;
      }
      if (c == '#' || (c == '/' && i + 1 < l.size() && l[i + 1] == '/')) break;
      if (c == '/' && i + 1 < l.size() && l[i + 1] == '*') {
        block_comment = true;
        ++i;
      } else if (c == '"') {
        modes.push_back(1);
      } else if (c == '<' && l.substr(i, 2) == "<<") {
        std::size_t j = i + 2;
        if (j < l.size() && l[j] == '-') ++j;
        std::size_t k = j;
        while (k < l.size() && is_ident(l[k])) ++k;
        if (k > j) {
          heredoc = std::string(l.substr(j, k - j));
          break;
        }
      } else if (c == '{') {
        if (modes.empty())
          ++depth;
        else
          modes.push_back(0);  // an object inside an interpolation
      } else if (c == '}') {
        if (!modes.empty())
          modes.pop_back();  // back to the enclosing string or expression
        else if (--depth == 0)
          return static_cast<int>(ln) + 1;
      }
    }
  }
  return static_cast<int>(lines.size());
}

}  // namespace

LineRange find_block(std::string_view text, const std::vector<std::string>& header_words,
                     int occurrence) {
  auto lines = split_lines(text);
  int seen = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!header_matches(lines[i], header_words)) continue;
    if (seen++ < occurrence) continue;
    return {static_cast<int>(i) + 1, closing_line(lines, i)};
  }
  return {};
}

std::vector<SkipComment> skip_comments(std::string_view text, LineRange range) {
  static const std::regex skip(R"((?:#|//)\s*checkov:skip=([A-Z0-9_]+)(?::\s*(.*\S))?)");
  std::vector<SkipComment> out;
  auto lines = split_lines(text);
  for (int ln = range.first; ln >= 1 && ln <= range.last && ln <= static_cast<int>(lines.size());
       ++ln) {
    std::string line(lines[static_cast<std::size_t>(ln - 1)]);
    std::smatch m;
    if (std::regex_search(line, m, skip)) out.push_back({ln, m[1].str(), m[2].str()});
  }
  return out;
}

}  // namespace dr::infra
