// SPDX-License-Identifier: Apache-2.0
#include "tessera/cache/jit_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "tessera/error.h"
#include "tessera/support/atomic_file.h"

namespace tessera::cache {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class JitCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "tessera-cache-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    ::unsetenv("TS_ASSERT_CACHE_HIT");
  }
  void TearDown() override {
    ::unsetenv("TS_ASSERT_CACHE_HIT");
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  CacheRequest request(const std::string& source) const {
    CacheKeyInputs in;
    in.backend = "cpu";
    in.target = "test";
    in.source = source;
    in.codegen_version = "test-1";
    in.compiler_identity = "fake-cc 1.0";
    CacheRequest r;
    r.kernel_name = "k";
    r.platform = "cpu_test";
    r.key = make_cache_key(in);
    r.source = source;
    return r;
  }

  /// A "compiler" that checks the dumped source and returns a binary derived from it.
  CompileFn counting_compiler(std::atomic<int>& calls, int sleep_ms = 0) const {
    return [&calls, sleep_ms](const fs::path& source_path, const fs::path& scratch) {
      ++calls;
      EXPECT_TRUE(fs::is_directory(scratch));
      if (sleep_ms) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
      std::optional<std::string> src = read_file_if_exists(source_path);
      EXPECT_TRUE(src.has_value());
      return "BIN(" + src.value_or("") + ")";
    };
  }

  fs::path root_;
};

TEST_F(JitCacheTest, CompilesOnceThenHitsMemoryThenDisk) {
  std::atomic<int> calls{0};
  CacheRequest req = request("source A");
  {
    JitCache cache(JitCacheOptions{root_});
    CachedBinary first = cache.get_or_compile(req, counting_compiler(calls));
    EXPECT_EQ(first.outcome, CacheOutcome::kCompiled);
    EXPECT_EQ(*first.bytes, "BIN(source A)");
    EXPECT_EQ(first.binary_path, root_ / "1" / "cpu_test" / req.key.hex / "kernel.so");
    EXPECT_EQ(read_file_if_exists(first.source_path), "source A");
    EXPECT_EQ(read_file_if_exists(first.binary_path), "BIN(source A)");
    CachedBinary second = cache.get_or_compile(req, counting_compiler(calls));
    EXPECT_EQ(second.outcome, CacheOutcome::kMemoryHit);
    EXPECT_EQ(second.bytes, first.bytes);
    EXPECT_EQ(cache.stats().compiles, 1);
    EXPECT_EQ(cache.stats().memory_hits, 1);
    // Only the entry's files remain: the scratch folder is gone.
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(first.binary_path.parent_path()))
      names.push_back(e.path().filename().string());
    EXPECT_THAT(names, ::testing::UnorderedElementsAre("kernel.cpp", "kernel.so", "meta.json", "lock"));
  }
  JitCache fresh(JitCacheOptions{root_});  // a new process, as far as the cache can tell
  CachedBinary from_disk = fresh.get_or_compile(req, counting_compiler(calls));
  EXPECT_EQ(from_disk.outcome, CacheOutcome::kDiskHit);
  EXPECT_EQ(*from_disk.bytes, "BIN(source A)");
  EXPECT_EQ(calls.load(), 1);
  // A different source is a different entry.
  EXPECT_EQ(fresh.get_or_compile(request("source B"), counting_compiler(calls)).outcome,
            CacheOutcome::kCompiled);
  EXPECT_EQ(calls.load(), 2);
}

TEST_F(JitCacheTest, CorruptOrIncompleteEntriesAreRebuilt) {
  std::atomic<int> calls{0};
  CacheRequest req = request("source C");
  fs::path bin;
  {
    JitCache cache(JitCacheOptions{root_});
    bin = cache.get_or_compile(req, counting_compiler(calls)).binary_path;
  }
  const fs::path meta = bin.parent_path() / "meta.json";
  const std::string good_meta = read_file_if_exists(meta).value();
  struct Damage {
    const char* what;
    std::function<void()> apply;
  };
  std::vector<Damage> damages = {
      {"truncated binary", [&] { fs::resize_file(bin, 3); }},
      {"same-size bit flip", [&] { write_file_atomically(bin, "BIN(source D)"); }},
      {"missing meta.json", [&] { fs::remove(meta); }},
      {"garbage meta.json", [&] { write_file_atomically(meta, "{not json"); }},
      {"missing binary", [&] { fs::remove(bin); }},
  };
  int expected_calls = 1;
  for (const Damage& d : damages) {
    SCOPED_TRACE(d.what);
    d.apply();
    JitCache cache(JitCacheOptions{root_});
    CachedBinary rebuilt = cache.get_or_compile(req, counting_compiler(calls));
    EXPECT_EQ(rebuilt.outcome, CacheOutcome::kCompiled);
    EXPECT_EQ(cache.stats().corrupt_rebuilt, 1);
    EXPECT_EQ(calls.load(), ++expected_calls);
    EXPECT_EQ(read_file_if_exists(bin), "BIN(source C)");
    EXPECT_THAT(read_file_if_exists(meta).value_or(""), HasSubstr(req.key.hex));
    JitCache again(JitCacheOptions{root_});
    EXPECT_EQ(again.get_or_compile(req, counting_compiler(calls)).outcome, CacheOutcome::kDiskHit);
  }
  EXPECT_THAT(good_meta, HasSubstr("\"binary_sha256\""));
  EXPECT_THAT(good_meta, HasSubstr("\"binary_size\": 13"));
}

TEST_F(JitCacheTest, ConcurrentRequestsCompileOnce) {
  std::atomic<int> calls{0};
  CacheRequest req = request("source E");
  JitCache a(JitCacheOptions{root_});
  JitCache b(JitCacheOptions{root_});  // a second "process": only the lock file is shared
  std::vector<std::thread> threads;
  std::vector<CachedBinary> results(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      results[i] = (i % 2 ? a : b).get_or_compile(req, counting_compiler(calls, 100));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(calls.load(), 1);
  int compiled = 0;
  for (const CachedBinary& r : results) {
    EXPECT_EQ(*r.bytes, "BIN(source E)");
    compiled += r.outcome == CacheOutcome::kCompiled;
  }
  EXPECT_EQ(compiled, 1);
  EXPECT_EQ(a.stats().compiles + b.stats().compiles, 1);
  EXPECT_EQ(a.stats().disk_hits + b.stats().disk_hits, 1);  // the other cache found it on disk
}

TEST_F(JitCacheTest, FailedCompileIsNotCachedAndRetries) {
  JitCache cache(JitCacheOptions{root_});
  CacheRequest req = request("source F");
  int calls = 0;
  auto failing = [&](const fs::path&, const fs::path&) -> std::string {
    ++calls;
    throw UserError("compile failed");
  };
  EXPECT_THROW(cache.get_or_compile(req, failing), UserError);
  EXPECT_THROW(cache.get_or_compile(req, failing), UserError);
  EXPECT_EQ(calls, 2);
  std::atomic<int> ok_calls{0};
  EXPECT_EQ(cache.get_or_compile(req, counting_compiler(ok_calls)).outcome, CacheOutcome::kCompiled);
}

TEST_F(JitCacheTest, AssertCacheHitMakesCompilesErrors) {
  std::atomic<int> calls{0};
  CacheRequest warm = request("source G");
  {
    JitCache cache(JitCacheOptions{root_});
    cache.get_or_compile(warm, counting_compiler(calls));
  }
  ::setenv("TS_ASSERT_CACHE_HIT", "1", 1);
  JitCache cache(JitCacheOptions{root_});
  EXPECT_EQ(cache.get_or_compile(warm, counting_compiler(calls)).outcome, CacheOutcome::kDiskHit);
  try {
    cache.get_or_compile(request("source H"), counting_compiler(calls));
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("TS_ASSERT_CACHE_HIT=1"));
    EXPECT_THAT(e.what(), HasSubstr("kernel 'k'"));
    EXPECT_THAT(e.what(), HasSubstr("no entry"));
  }
  EXPECT_EQ(calls.load(), 1);
  ::setenv("TS_ASSERT_CACHE_HIT", "yes", 1);
  EXPECT_THROW(assert_cache_hit_enabled(), UserError);
  ::setenv("TS_ASSERT_CACHE_HIT", "0", 1);
  EXPECT_FALSE(assert_cache_hit_enabled());
}

TEST_F(JitCacheTest, DefaultRootFollowsTheEnvironment) {
  ::setenv("TESSERA_CACHE_DIR", root_.c_str(), 1);
  EXPECT_EQ(default_cache_root(), root_);
  ::unsetenv("TESSERA_CACHE_DIR");
  const char* home = std::getenv("HOME");
  if (home) {
    EXPECT_EQ(default_cache_root(), fs::path(home) / ".cache" / "tessera");
  }
}

}  // namespace
}  // namespace tessera::cache
