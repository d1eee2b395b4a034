#include "lab/credentials.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <map>
#include <vector>

namespace dr::lab {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

Result<LabCredentials> read_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorKind::kNotFound, path.string() + ": cannot read");
  std::map<std::string, std::string> values;
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  LabCredentials c{{"dr_admin", values["admin_password"]},
                   {"dr_repl", values["replication_password"]},
                   {"dr_app", values["app_password"]}};
  if (c.admin.password.empty() || c.replication.password.empty() || c.app.password.empty()) {
    return fail(ErrorKind::kProtocol, path.string() + ": missing a password");
  }
  return c;
}

}  // namespace

Result<std::string> random_password(std::size_t length) {
  std::string out;
  std::vector<unsigned char> bytes(length * 2);
  while (out.size() < length) {
    const ssize_t n = ::getrandom(bytes.data(), bytes.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(Error::system("getrandom", errno));
    }
    for (ssize_t i = 0; i < n && out.size() < length; ++i) {
      const unsigned char b = bytes[static_cast<std::size_t>(i)];
      // Rejection sampling keeps every character equally likely.
      if (b < 248) out.push_back(kAlphabet[b % kAlphabet.size()]);
    }
  }
  return out;
}

Result<void> create_private_file_once(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + "." + std::to_string(::getpid()) + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return std::unexpected(Error::system("create " + tmp.string(), errno));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  // link() fails if the file exists: whoever links first wins, everyone reads that one.
  const int linked = written ? ::link(tmp.c_str(), path.c_str()) : -1;
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (!written) return fail(ErrorKind::kSystem, "cannot write " + tmp.string());
  if (linked != 0 && link_errno != EEXIST)
    return std::unexpected(Error::system("link " + path.string(), link_errno));
  return {};
}

Result<LabCredentials> LabCredentials::load_or_create(const fs::path& root) {
  const fs::path path = root / "credentials";
  if (fs::exists(path)) return read_file(path);

  std::string text;
  for (const char* key : {"admin_password", "replication_password", "app_password"}) {
    auto password = random_password();
    if (!password) return std::unexpected(password.error());
    text += std::string(key) + "=" + *password + "\n";
  }
  if (auto created = create_private_file_once(path, text); !created)
    return std::unexpected(created.error());
  return read_file(path);
}

}  // namespace dr::lab
