// The shared `credentials` and `config` files: INI with `[name]` sections in credentials,
// `[profile name]` (and `[default]`) in config, `#` / `;` comments, and indented continuation
// lines for nested settings. Used for credentials and for the region.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "aws/error.h"

namespace dr::aws {

enum class ProfileFileKind { kCredentials, kConfig };

// Profile name -> lower-cased key -> value. Sections that are not profiles (config's
// `[sso-session x]`, `[services x]`) are skipped.
struct ProfileFile {
  std::string path;
  std::map<std::string, std::map<std::string, std::string>> profiles;

  const std::map<std::string, std::string>* profile(const std::string& name) const;
};

// Errors (kCredentials) name the path and the line.
Result<ProfileFile> parse_profile_file(std::string_view text, ProfileFileKind kind,
                                       const std::string& path);

// nullopt when the file does not exist; an error when it exists but cannot be read or parsed.
Result<std::optional<ProfileFile>> load_profile_file(const std::string& path, ProfileFileKind kind);

}  // namespace dr::aws
