#include "lab_aws/aws_credentials.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <utility>

#include "lab/control_token.h"
#include "lab/credentials.h"

namespace dr::lab_aws {

namespace fs = std::filesystem;
using lab::ErrorKind;

fs::path aws_credentials_file(const fs::path& lab_dir) {
  return lab_dir / "aws-credentials";
}

namespace {

lab::Result<aws::Credentials> parse(const fs::path& path, const std::string& text) {
  const auto nl = text.find('\n');
  aws::Credentials c;
  c.access_key_id = text.substr(0, nl);
  c.secret_access_key = nl == std::string::npos ? "" : text.substr(nl + 1);
  c.source = path.string();
  auto plain = [](const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](unsigned char ch) { return std::isalnum(ch) != 0; });
  };
  if (!plain(c.access_key_id) || !plain(c.secret_access_key))
    return lab::fail(ErrorKind::kConfig,
                     path.string() +
                         " must hold an access key id and a secret, one a line; "
                         "remove it and run `drctl lab up` again");
  return c;
}

}  // namespace

lab::Result<aws::Credentials> load_or_create_aws_credentials(const fs::path& lab_dir) {
  if (auto dir = lab::check_lab_dir(lab_dir); !dir) return std::unexpected(dir.error());
  const fs::path path = aws_credentials_file(lab_dir);
  auto existing = lab::read_private_file(path);
  if (!existing && existing.error().kind == ErrorKind::kNotFound) {
    auto key = lab::random_password(16);
    if (!key) return std::unexpected(key.error());
    auto secret = lab::random_password(40);
    if (!secret) return std::unexpected(secret.error());
    // AKIA...: the shape of a long-term access key id, so tools that check it are content.
    std::string id = "AKIA" + *key;
    std::transform(id.begin(), id.end(), id.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    if (auto created = lab::create_private_file_once(path, id + "\n" + *secret + "\n"); !created)
      return std::unexpected(created.error());
    existing = lab::read_private_file(path);
  }
  if (!existing) return std::unexpected(existing.error());
  return parse(path, *existing);
}

lab::Result<aws::Credentials> read_aws_credentials(const fs::path& lab_dir) {
  if (auto dir = lab::check_lab_dir(lab_dir); !dir) return std::unexpected(dir.error());
  const fs::path path = aws_credentials_file(lab_dir);
  auto text = lab::read_private_file(path);
  if (!text && text.error().kind == ErrorKind::kNotFound)
    return lab::fail(ErrorKind::kNotFound, "no AWS keys in " + lab_dir.string() +
                                               " (the lab's AWS endpoint creates them: `drctl lab "
                                               "up --dir " +
                                               lab_dir.string() + "`)");
  if (!text) return std::unexpected(text.error());
  return parse(path, *text);
}

aws::ClientConfig client_config(const lab::LabState& state, const aws::Credentials& keys,
                                std::string region) {
  aws::ClientConfig config;
  config.region = std::move(region);
  config.endpoint_url = state.aws_endpoint_url;
  config.credentials = std::make_shared<aws::StaticCredentialsProvider>(keys);
  return config;
}

}  // namespace dr::lab_aws
