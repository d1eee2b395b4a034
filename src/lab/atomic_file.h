// Whole-file reads and atomic replacements for the lab's small JSON records (state.json,
// topology.json): written to a temporary file and renamed over the old one, so a reader (or a
// crash) never sees half a file.
#pragma once

#include <filesystem>
#include <string>

#include "lab/error.h"

namespace dr::lab {

// kNotFound when the file does not exist or cannot be opened.
Result<std::string> read_whole_file(const std::filesystem::path& path);
Result<void> replace_file(const std::filesystem::path& path, const std::string& text);
// The same for a file with secrets (keys): created mode 0600 from the first byte, so neither the
// new file nor an older, wider one is ever readable by others.
Result<void> replace_private_file(const std::filesystem::path& path, const std::string& text);

}  // namespace dr::lab
