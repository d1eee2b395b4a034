// Static keys from the shared credentials/config files, and the region from the config file.
#include <pwd.h>
#include <unistd.h>

#include <array>
#include <vector>

#include "aws/credential_chain.h"
#include "aws/credential_util.h"
#include "aws/profile_file.h"

namespace dr::aws {

namespace {

std::string home_dir() {
  if (auto home = detail::env("HOME")) return *home;
  // No HOME (some service managers): ask the password database.
  std::array<char, 4096> buf{};
  passwd pw{};
  passwd* found = nullptr;
  if (getpwuid_r(getuid(), &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr)
    return found->pw_dir;
  return {};
}

std::string expand_home(std::string path) {
  if (path == "~" || path.starts_with("~/")) return home_dir() + path.substr(1);
  return path;
}

// Options with every empty field filled from the environment or the defaults.
struct ResolvedPaths {
  std::string profile;
  bool profile_chosen = false;  // named by the caller or AWS_PROFILE: its absence is an error
  std::string credentials_file;
  std::string config_file;
};

ResolvedPaths resolve(const ProfileOptions& options) {
  ResolvedPaths out;
  if (!options.profile.empty()) {
    out.profile = options.profile;
    out.profile_chosen = true;
  } else if (auto profile = detail::env("AWS_PROFILE")) {
    out.profile = *profile;
    out.profile_chosen = true;
  } else {
    out.profile = "default";
  }
  out.credentials_file =
      expand_home(!options.credentials_file.empty()
                      ? options.credentials_file
                      : detail::env("AWS_SHARED_CREDENTIALS_FILE").value_or("~/.aws/credentials"));
  out.config_file = expand_home(!options.config_file.empty()
                                    ? options.config_file
                                    : detail::env("AWS_CONFIG_FILE").value_or("~/.aws/config"));
  return out;
}

using Section = std::map<std::string, std::string>;

bool has_keys(const Section& s) {
  return s.contains("aws_access_key_id") || s.contains("aws_secret_access_key");
}

// Settings that ask for credentials we do not fetch (assume-role, SSO, a helper process, web
// identity). Skipping such a profile would silently use some other identity instead.
constexpr std::array<std::string_view, 7> kUnsupported = {
    "role_arn",      "source_profile",          "credential_source", "credential_process",
    "sso_start_url", "web_identity_token_file", "sso_session"};

std::string describe(const ResolvedPaths& p) {
  return "profile '" + p.profile + "'";
}

}  // namespace

Result<Credentials> ProfileCredentialsProvider::credentials() {
  ResolvedPaths paths = resolve(options_);
  auto creds_file = load_profile_file(paths.credentials_file, ProfileFileKind::kCredentials);
  if (!creds_file)
    return std::unexpected(Error::credentials("shared files: " + creds_file.error().message));
  auto config_file = load_profile_file(paths.config_file, ProfileFileKind::kConfig);
  if (!config_file)
    return std::unexpected(Error::credentials("shared files: " + config_file.error().message));

  // The credentials file wins: it is where `aws configure` writes keys.
  const Section* section = nullptr;
  const ProfileFile* from = nullptr;
  for (const auto* file : {&*creds_file, &*config_file}) {
    if (!file->has_value()) continue;
    const Section* s = (*file)->profile(paths.profile);
    if (s != nullptr && has_keys(*s)) {
      section = s;
      from = &**file;
      break;
    }
  }

  if (section == nullptr) {
    for (const auto* file : {&*creds_file, &*config_file}) {
      if (!file->has_value()) continue;
      const Section* s = (*file)->profile(paths.profile);
      if (s == nullptr) continue;
      for (std::string_view key : kUnsupported) {
        if (s->contains(std::string(key)))
          return std::unexpected(Error::credentials(
              describe(paths) + " in " + (*file)->path + ": uses " + std::string(key) +
              ", which dr-app does not support (give the profile static keys, or use the "
              "environment, the container endpoint or the instance profile)"));
      }
    }
    std::string where = paths.credentials_file + (creds_file->has_value() ? "" : " (absent)") +
                        " or " + paths.config_file + (config_file->has_value() ? "" : " (absent)");
    std::string why = describe(paths) + " has no aws_access_key_id in " + where;
    bool known = (creds_file->has_value() && (*creds_file)->profile(paths.profile)) ||
                 (config_file->has_value() && (*config_file)->profile(paths.profile));
    if (!known) why = describe(paths) + " not found in " + where;
    // A profile someone asked for by name must exist (botocore's ProfileNotFound); one that
    // exists without keys (region only) leaves credentials to the next source, as in botocore.
    if (paths.profile_chosen && !known)
      return std::unexpected(Error::credentials("shared files: " + why));
    return std::unexpected(credentials_not_found("shared files: " + why));
  }

  std::string prefix = describe(paths) + " in " + from->path + ": ";
  auto value = [&](const char* key) -> std::string {
    auto it = section->find(key);
    return it == section->end() ? std::string{} : it->second;
  };
  Credentials creds;
  creds.access_key_id = value("aws_access_key_id");
  creds.secret_access_key = value("aws_secret_access_key");
  creds.session_token = value("aws_session_token");
  if (creds.access_key_id.empty())
    return std::unexpected(Error::credentials(prefix + "aws_access_key_id missing or empty"));
  if (creds.secret_access_key.empty())
    return std::unexpected(Error::credentials(prefix + "aws_secret_access_key missing or empty"));
  creds.source = "profile " + paths.profile + " (" + from->path + ")";
  return creds;
}

Result<std::string> resolve_region(const ProfileOptions& options) {
  if (auto region = detail::env("AWS_REGION")) return *region;
  if (auto region = detail::env("AWS_DEFAULT_REGION")) return *region;
  ResolvedPaths paths = resolve(options);
  auto config = load_profile_file(paths.config_file, ProfileFileKind::kConfig);
  if (!config) return std::unexpected(Error::invalid_argument("region: " + config.error().message));
  std::string looked = "region: AWS_REGION and AWS_DEFAULT_REGION not set, and ";
  if (!config->has_value())
    return std::unexpected(Error::invalid_argument(looked + paths.config_file + " does not exist"));
  const Section* section = (*config)->profile(paths.profile);
  if (section == nullptr)
    return std::unexpected(
        Error::invalid_argument(looked + describe(paths) + " not found in " + paths.config_file));
  auto it = section->find("region");
  if (it == section->end() || it->second.empty())
    return std::unexpected(Error::invalid_argument(looked + describe(paths) + " in " +
                                                   paths.config_file + " has no region"));
  return it->second;
}

}  // namespace dr::aws
