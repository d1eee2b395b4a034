#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>

#include "lab/credentials.h"
#include "lab/temp_dir.h"

namespace dr::lab {
namespace {

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Secrets (the lab's credentials, its tokens) must never be readable by another user, not even
// for the moment between a write and a chmod: the file is created 0600, whatever the umask.
TEST(PrivateFile, IsCreatedOwnerOnlyWhateverTheUmask) {
  dr::testing::TempDir dir("dr-private");
  const mode_t old = ::umask(0);
  auto created = create_private_file_once(dir / "secret", "s3cret\n");
  ::umask(old);
  ASSERT_TRUE(created) << created.error();
  struct stat st {};
  ASSERT_EQ(::stat((dir / "secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  EXPECT_EQ(read(dir / "secret"), "s3cret\n");
  // Nothing else left in the directory (the temporary file is gone).
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(PrivateFile, TheFirstOneWinsAndIsNeverOverwritten) {
  dr::testing::TempDir dir("dr-private");
  ASSERT_TRUE(create_private_file_once(dir / "token", "first\n"));
  ASSERT_TRUE(create_private_file_once(dir / "token", "second\n"));
  EXPECT_EQ(read(dir / "token"), "first\n");
}

}  // namespace
}  // namespace dr::lab
