// A JSON Lines file that another process appends to (the controller's events, bootstrap's log),
// read as it grows: each poll parses only the complete lines added since the last one, so a drill
// that polls every few ms does not re-read and re-parse the whole file each time.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

namespace dr::drill {

class JsonlTail {
 public:
  // Which objects to keep (all when empty): a line that is not a JSON object is never kept.
  using Keep = std::function<bool(const nlohmann::json&)>;

  explicit JsonlTail(std::filesystem::path file, Keep keep = {});

  // Reads what was appended since the last poll and returns every object kept so far, in the
  // file's order. A line without its '\n' yet waits for it (a writer mid-line). A file that is
  // gone reads as empty; one that shrank or was replaced is read again from its beginning.
  const std::vector<nlohmann::json>& poll();

 private:
  void restart();

  std::filesystem::path file_;
  Keep keep_;
  std::vector<nlohmann::json> objects_;
  std::uintmax_t offset_ = 0;  // just past the last complete line read
  dev_t device_ = 0;           // the file read from offset_, to tell a replaced one
  ino_t inode_ = 0;
};

}  // namespace dr::drill
