// SPDX-License-Identifier: Apache-2.0
#include "tessera/support/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tessera/error.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("tessera_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

TEST(AtomicFile, WritesCreatesFoldersAndReadsBack) {
  fs::path d = fresh_dir("atomic_rw");
  fs::path f = d / "a" / "b.json";
  EXPECT_FALSE(read_file_if_exists(f).has_value());
  write_file_atomically(f, "first");
  EXPECT_EQ(read_file_if_exists(f).value(), "first");
  write_file_atomically(f, "second, longer contents");
  EXPECT_EQ(read_file_if_exists(f).value(), "second, longer contents");
  // No temporary files are left behind.
  int n = 0;
  for (auto& e : fs::directory_iterator(f.parent_path())) n += e.is_regular_file();
  EXPECT_EQ(n, 1);
  fs::remove_all(d);
}

TEST(AtomicFile, ConcurrentWritersNeverLeaveAPartialFile) {
  fs::path d = fresh_dir("atomic_conc");
  fs::path f = d / "x.txt";
  std::vector<std::thread> threads;
  std::atomic<bool> bad{false};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::string body(10000 + t, static_cast<char>('a' + t));
      for (int i = 0; i < 50; ++i) {
        write_file_atomically(f, body);
        auto got = read_file_if_exists(f);
        // Whatever we read is one writer's complete contents.
        if (!got || got->empty() || got->find_first_not_of(got->front()) != std::string::npos ||
            got->size() != 10000u + static_cast<unsigned>(got->front() - 'a'))
          bad = true;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_FALSE(bad);
  fs::remove_all(d);
}

TEST(AtomicFile, UnwritableFolderIsAUserError) {
  if (::geteuid() == 0) {
    // root ignores permissions; use a path under a regular file instead.
    fs::path d = fresh_dir("atomic_bad");
    write_file_atomically(d / "file", "x");
    EXPECT_THROW(write_file_atomically(d / "file" / "sub.json", "y"), UserError);
    fs::remove_all(d);
  } else {
    EXPECT_THROW(write_file_atomically("/proc/tessera_cannot_write/x.json", "y"), UserError);
  }
}

}  // namespace
}  // namespace tessera
