// Database users of the lab. Their passwords are generated on first use and kept in the lab root
// (mode 0600), never written in the repository: the seed's hard-coded password is one of the
// faults this project fixes.
#pragma once

#include <filesystem>
#include <string>

#include "lab/error.h"

namespace dr::lab {

struct DbUser {
  std::string name;
  std::string password;
};

struct LabCredentials {
  DbUser admin;        // the controller: fencing, promotion, re-pointing (over TCP)
  DbUser replication;  // replicas connecting to their primary
  DbUser app;          // dr-app: its own schema only, and it obeys read_only

  // Reads <root>/credentials, or creates it with fresh random passwords. Safe when several
  // instances of the same lab call it at once: the first file written wins.
  static Result<LabCredentials> load_or_create(const std::filesystem::path& root);
};

// Creates `path` (mode 0600 from the start, never a moment readable by others) holding `text`,
// unless it exists: when several processes race, the first one's file wins and every one of
// them then reads that one.
Result<void> create_private_file_once(const std::filesystem::path& path, const std::string& text);

// `length` characters from [A-Za-z0-9], from the kernel's CSPRNG.
Result<std::string> random_password(std::size_t length = 24);

}  // namespace dr::lab
