#include "aws/profile_file.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws/credential_util.h"

namespace dr::aws {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// An inline comment needs whitespace before it, so values may still contain '#' or ';'.
std::string_view strip_inline_comment(std::string_view value) {
  for (size_t i = 1; i < value.size(); ++i) {
    if ((value[i] == '#' || value[i] == ';') && is_space(value[i - 1])) return value.substr(0, i);
  }
  return value;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The profile a section header names, or nullopt for sections that are not profiles.
std::optional<std::string> profile_name(std::string_view header, ProfileFileKind kind) {
  std::string name = detail::trim(header);
  if (kind == ProfileFileKind::kCredentials) return name;
  if (name == "default") return name;
  if (name.starts_with("profile") && name.size() > 7 && is_space(name[7]))
    return detail::trim(std::string_view(name).substr(8));
  return std::nullopt;
}

}  // namespace

const std::map<std::string, std::string>* ProfileFile::profile(const std::string& name) const {
  auto it = profiles.find(name);
  return it == profiles.end() ? nullptr : &it->second;
}

Result<ProfileFile> parse_profile_file(std::string_view text, ProfileFileKind kind,
                                       const std::string& path) {
  ProfileFile file;
  file.path = path;
  std::map<std::string, std::string>* section = nullptr;  // nullptr: before any / skipped section
  bool in_section = false;                                // inside some section, profile or not
  std::string* last_value = nullptr;                      // for continuation lines
  size_t last_indent = 0;
  size_t line_no = 0;
  auto fail = [&](const std::string& why) {
    return std::unexpected(
        Error::credentials(path + " line " + std::to_string(line_no) + ": " + why));
  };
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view raw = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string line = detail::trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;

    if (line.front() == '[') {
      size_t close = line.find(']');
      if (close == std::string::npos) return fail("section header without ']'");
      std::string after = detail::trim(line.substr(close + 1));
      if (!after.empty() && after.front() != '#' && after.front() != ';')
        return fail("unexpected text after section header: '" + after + "'");
      std::string header = line.substr(1, close - 1);
      if (detail::trim(header).empty()) return fail("empty section name");
      auto name = profile_name(header, kind);
      section = name ? &file.profiles[*name] : nullptr;  // repeated sections merge
      in_section = true;
      last_value = nullptr;
      continue;
    }

    // A line indented deeper than the property before it continues that property (nested
    // settings like `s3 =\n  max_concurrent_requests = 20`), as Python's configparser reads it.
    size_t indent = raw.find_first_not_of(" \t");
    if (last_value != nullptr && indent > last_indent) {
      *last_value += "\n" + line;
      continue;
    }

    size_t eq = line.find('=');
    if (eq == std::string::npos) return fail("expected 'key = value', got '" + line + "'");
    if (!in_section) return fail("property before any section header");
    std::string key = lower(detail::trim(std::string_view(line).substr(0, eq)));
    if (key.empty()) return fail("property without a name");
    if (section == nullptr) {
      last_value = nullptr;
      continue;  // a non-profile section: parsed for syntax, otherwise ignored
    }
    std::string value = detail::trim(strip_inline_comment(std::string_view(line).substr(eq + 1)));
    auto& slot = (*section)[key];
    slot = std::move(value);
    last_value = &slot;
    last_indent = indent;
  }
  return file;
}

Result<std::optional<ProfileFile>> load_profile_file(const std::string& path,
                                                     ProfileFileKind kind) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) return std::optional<ProfileFile>{};
  if (ec) return std::unexpected(Error::credentials(path + ": cannot be read: " + ec.message()));
  if (status.type() != std::filesystem::file_type::regular)
    return std::unexpected(Error::credentials(path + ": not a regular file"));
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::unexpected(
        Error::credentials(path + ": cannot be read: " + std::string(std::strerror(errno))));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::unexpected(Error::credentials(path + ": read error"));
  auto parsed = parse_profile_file(text.str(), kind, path);
  if (!parsed) return std::unexpected(parsed.error());
  return std::optional<ProfileFile>(std::move(*parsed));
}

}  // namespace dr::aws
