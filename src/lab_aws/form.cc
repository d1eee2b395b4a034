#include "lab_aws/form.h"

#include <charconv>

namespace dr::lab_aws {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

AwsError bad_query(const std::string& why) {
  return {400, "InvalidQueryParameter",
          "The AWS query string is malformed or does not adhere to AWS standards: " + why};
}

}  // namespace

std::expected<std::string, std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%') {
      const int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) return std::unexpected("bad %-escape at offset " + std::to_string(i));
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xE  ? 3
                      : (c >> 3) == 0x1E ? 4
                                         : 0;
    if (len == 0 || i + len > s.size()) return false;
    unsigned cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d >> 6) != 0x2) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8; control
    // characters other than tab and line breaks cannot go into XML 1.0 either.
    const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
    if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') return false;
    i += len;
  }
  return true;
}

std::expected<FormParams, AwsError> FormParams::parse(std::string_view encoded) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t pos = 0;
  while (pos < encoded.size()) {
    std::size_t amp = encoded.find('&', pos);
    if (amp == std::string_view::npos) amp = encoded.size();
    std::string_view pair = encoded.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    if (pairs.size() >= kMaxParameters)
      return std::unexpected(
          bad_query("more than " + std::to_string(kMaxParameters) + " parameters"));
    const std::size_t eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!name) return std::unexpected(bad_query(name.error()));
    if (!value) return std::unexpected(bad_query(value.error()));
    pairs.emplace_back(std::move(*name), std::move(*value));
  }
  return from_pairs(pairs);
}

std::expected<FormParams, AwsError> FormParams::from_pairs(
    const std::vector<std::pair<std::string, std::string>>& pairs) {
  if (pairs.size() > kMaxParameters)
    return std::unexpected(
        bad_query("more than " + std::to_string(kMaxParameters) + " parameters"));
  FormParams out;
  for (const auto& [name, value] : pairs) {
    if (name.empty()) return std::unexpected(bad_query("a parameter without a name"));
    if (!valid_utf8(name) || !valid_utf8(value))
      return std::unexpected(bad_query("parameter " + std::to_string(out.items_.size() + 1) +
                                       " is not valid UTF-8 text"));
    if (out.has(name)) return std::unexpected(bad_query("parameter " + name + " is given twice"));
    out.items_.emplace_back(name, value);
  }
  return out;
}

std::optional<std::string> FormParams::get(std::string_view name) const {
  for (const auto& [k, v] : items_)
    if (k == name) return v;
  return std::nullopt;
}

std::expected<std::string, AwsError> FormParams::require(std::string_view name) const {
  auto v = get(name);
  if (!v || v->empty()) return std::unexpected(missing_parameter(std::string(name)));
  return *v;
}

std::expected<std::optional<bool>, AwsError> FormParams::boolean(std::string_view name) const {
  auto v = get(name);
  if (!v) return std::optional<bool>();
  if (*v == "true") return std::optional<bool>(true);
  if (*v == "false") return std::optional<bool>(false);
  return std::unexpected(invalid_parameter_value("Invalid value '" + *v + "' for " +
                                                 std::string(name) + ": expected true or false"));
}

std::expected<std::optional<long long>, AwsError> FormParams::integer(std::string_view name,
                                                                      long long lo,
                                                                      long long hi) const {
  auto v = get(name);
  if (!v) return std::optional<long long>();
  long long n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size() || n < lo || n > hi)
    return std::unexpected(invalid_parameter_value(
        "Invalid value '" + *v + "' for " + std::string(name) + ": expected an integer from " +
        std::to_string(lo) + " to " + std::to_string(hi)));
  return std::optional<long long>(n);
}

std::vector<std::string> FormParams::list(std::string_view name, std::string_view member) const {
  std::vector<std::string> out;
  for (int i = 1;; ++i) {
    auto v = get(std::string(name) + "." + std::string(member) + "." + std::to_string(i));
    if (!v) break;
    out.push_back(*v);
  }
  return out;
}

}  // namespace dr::lab_aws
