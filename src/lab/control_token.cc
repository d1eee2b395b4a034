#include "lab/control_token.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "lab/credentials.h"

namespace dr::lab {
namespace fs = std::filesystem;

fs::path control_token_file(const fs::path& lab_dir) {
  return lab_dir / "control-token";
}

Result<std::string> read_private_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    const int e = errno;
    if (e == ENOENT) return fail(ErrorKind::kNotFound, path.string() + " does not exist");
    return std::unexpected(Error::system("cannot read " + path.string(), e));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return std::unexpected(Error::system("stat " + path.string(), e));
  }
  if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail(ErrorKind::kRefused, path.string() + " must be a regular file owned by uid " +
                                         std::to_string(::geteuid()) +
                                         " with mode 0600 (it is uid " + std::to_string(st.st_uid) +
                                         ", mode " + mode +
                                         "); remove it and run `drctl lab up` again");
  }
  std::string text(256, '\0');
  const ssize_t n = ::read(fd, text.data(), text.size());
  const int e = errno;
  ::close(fd);
  if (n < 0) return std::unexpected(Error::system("read " + path.string(), e));
  text.resize(static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty()) return fail(ErrorKind::kConfig, path.string() + " is empty");
  return text;
}

Result<void> check_lab_dir(const fs::path& lab_dir) {
  struct stat st {};
  if (::stat(lab_dir.c_str(), &st) != 0) {
    const int e = errno;
    if (e == ENOENT)
      return fail(ErrorKind::kNotFound, "no lab in " + lab_dir.string() +
                                            " (the directory does not exist; `drctl lab up --dir " +
                                            lab_dir.string() + "` creates one)");
    return std::unexpected(Error::system("stat " + lab_dir.string(), e));
  }
  if (!S_ISDIR(st.st_mode))
    return fail(ErrorKind::kConfig, lab_dir.string() + " is not a directory");
  if (st.st_uid != ::geteuid() || (st.st_mode & S_IWOTH) != 0)
    return fail(ErrorKind::kRefused,
                "the lab directory " + lab_dir.string() + " belongs to uid " +
                    std::to_string(st.st_uid) +
                    (st.st_mode & S_IWOTH ? " and anyone may write it" : "") +
                    ": another user could plant its files; use a directory of your own (--dir)");
  return {};
}

Result<std::string> load_or_create_control_token(const fs::path& lab_dir) {
  if (auto dir = check_lab_dir(lab_dir); !dir) return std::unexpected(dir.error());
  const fs::path path = control_token_file(lab_dir);
  if (auto existing = read_private_file(path);
      existing || existing.error().kind != ErrorKind::kNotFound)
    return existing;
  auto token = random_password(32);
  if (!token) return token;
  if (auto created = create_private_file_once(path, *token + "\n"); !created)
    return std::unexpected(created.error());
  return read_private_file(path);
}

Result<std::string> read_control_token(const fs::path& lab_dir) {
  if (auto dir = check_lab_dir(lab_dir); !dir) return std::unexpected(dir.error());
  auto token = read_private_file(control_token_file(lab_dir));
  if (!token && token.error().kind == ErrorKind::kNotFound) {
    return fail(ErrorKind::kNotFound, "no lab in " + lab_dir.string() + " (no " +
                                          control_token_file(lab_dir).filename().string() +
                                          "; `drctl lab up --dir " + lab_dir.string() + "`)");
  }
  return token;
}

}  // namespace dr::lab
