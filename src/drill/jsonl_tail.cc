#include "drill/jsonl_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <utility>

namespace dr::drill {

JsonlTail::JsonlTail(std::filesystem::path file, Keep keep)
    : file_(std::move(file)), keep_(std::move(keep)) {}

void JsonlTail::restart() {
  objects_.clear();
  offset_ = 0;
  device_ = 0;
  inode_ = 0;
}

const std::vector<nlohmann::json>& JsonlTail::poll() {
  // Opened first and stat'ed through the descriptor: what is read is the file that was checked.
  const int fd = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    restart();
    return objects_;
  }
  struct stat st {};
  std::string added;
  if (::fstat(fd, &st) == 0) {
    const auto size = static_cast<std::uintmax_t>(st.st_size);
    if (st.st_dev != device_ || st.st_ino != inode_ || size < offset_) {
      restart();
      device_ = st.st_dev;
      inode_ = st.st_ino;
    }
    char buffer[64 * 1024];
    for (std::uintmax_t at = offset_;;) {
      const ssize_t n = ::pread(fd, buffer, sizeof buffer, static_cast<off_t>(at));
      if (n <= 0) break;  // the end, or an error: what was read so far is parsed
      added.append(buffer, static_cast<std::size_t>(n));
      at += static_cast<std::uintmax_t>(n);
    }
  }
  ::close(fd);
  std::size_t begin = 0;
  for (std::size_t end = added.find('\n'); end != std::string::npos;
       begin = end + 1, end = added.find('\n', begin)) {
    auto j =
        nlohmann::json::parse(std::string_view(added).substr(begin, end - begin), nullptr, false);
    if (j.is_object() && (!keep_ || keep_(j))) objects_.push_back(std::move(j));
  }
  offset_ += begin;  // a partial last line is read again, whole, on a later poll
  return objects_;
}

}  // namespace dr::drill
