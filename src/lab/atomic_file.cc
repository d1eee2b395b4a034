#include "lab/atomic_file.h"

#include <fstream>
#include <sstream>

namespace dr::lab {
namespace fs = std::filesystem;

Result<std::string> read_whole_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorKind::kNotFound, "cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<void> replace_file(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return fail(ErrorKind::kSystem, "cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return fail(ErrorKind::kSystem, "rename " + tmp.string() + ": " + ec.message());
  return {};
}

}  // namespace dr::lab
