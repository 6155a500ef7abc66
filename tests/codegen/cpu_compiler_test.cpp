// SPDX-License-Identifier: Apache-2.0
// The CPU compiler: host C++ -> shared object through the JIT cache; errors carry the log.
#include "cpu/compiler.h"

#include <dlfcn.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>

#include "tessera/error.h"

namespace tessera::backend::cpu {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class CpuCompilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "tessera-cpu-compiler-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    ::unsetenv("TESSERA_CXX");
    ::unsetenv("TS_ASSERT_CACHE_HIT");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  fs::path root_;
};

// A kernel with the CPU launch ABI: out[pid_x] = 2 * in[pid_x].
Source doubling_source(const std::string& tag) {
  Source s;
  s.kernel_name = "ts_double";
  s.language = "c++";
  s.text = "// " + tag + "\n#include <cstdint>\n"
           "extern \"C\" void ts_double(void* const* args, std::int64_t pid_x, std::int64_t, std::int64_t) {\n"
           "  const float* in = static_cast<const float*>(*static_cast<void* const*>(args[0]));\n"
           "  float* out = static_cast<float*>(*static_cast<void* const*>(args[1]));\n"
           "  out[pid_x] = 2.0f * in[pid_x];\n}\n";
  return s;
}

TEST_F(CpuCompilerTest, CompilesLoadsAndCaches) {
  cache::JitCache cache(cache::JitCacheOptions{root_});
  cache::CachedBinary bin = compile_cached(doubling_source("a"), {}, cache);
  EXPECT_EQ(bin.outcome, cache::CacheOutcome::kCompiled);
  ASSERT_TRUE(fs::exists(bin.binary_path));
  EXPECT_EQ(bin.bytes->substr(1, 3), "ELF");

  void* handle = ::dlopen(bin.binary_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << ::dlerror();
  using Fn = void (*)(void* const*, std::int64_t, std::int64_t, std::int64_t);
  auto fn = reinterpret_cast<Fn>(::dlsym(handle, "ts_double"));
  ASSERT_NE(fn, nullptr);
  float in[3] = {1.5f, -2.0f, 4.0f}, out[3] = {0, 0, 0};
  void* in_ptr = in;
  void* out_ptr = out;
  void* args[2] = {&in_ptr, &out_ptr};
  for (int pid = 0; pid < 3; ++pid) fn(args, pid, 0, 0);
  EXPECT_EQ(out[0], 3.0f);
  EXPECT_EQ(out[1], -4.0f);
  EXPECT_EQ(out[2], 8.0f);
  ::dlclose(handle);

  EXPECT_EQ(compile_cached(doubling_source("a"), {}, cache).outcome, cache::CacheOutcome::kMemoryHit);
  cache::JitCache fresh(cache::JitCacheOptions{root_});
  EXPECT_EQ(compile_cached(doubling_source("a"), {}, fresh).outcome, cache::CacheOutcome::kDiskHit);
  // Extra flags are part of the key.
  CompileOptions opts;
  opts.flags = {"-DTS_TEST_FLAG=1"};
  EXPECT_EQ(compile_cached(doubling_source("a"), opts, fresh).outcome, cache::CacheOutcome::kCompiled);

  auto compiler = make_cpu_compiler(fresh);
  Binary b = compiler->compile(doubling_source("a"), {});
  EXPECT_EQ(b.format, Binary::Format::kSharedObject);
  EXPECT_EQ(b.kernel_name, "ts_double");
  EXPECT_EQ(b.image.size(), bin.bytes->size());
  EXPECT_THAT(compiler->version(), HasSubstr("-march=native="));
}

TEST_F(CpuCompilerTest, CompileErrorsCarryTheLogAndTheSourcePath) {
  cache::JitCache cache(cache::JitCacheOptions{root_});
  Source bad = doubling_source("b");
  bad.text += "this is not C++;\n";
  try {
    compile_cached(bad, {}, cache);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    const std::string msg = e.what();
    EXPECT_THAT(msg, HasSubstr("CPU compile of kernel 'ts_double' failed"));
    EXPECT_THAT(msg, HasSubstr("error:"));             // the compiler's own diagnostic
    EXPECT_THAT(msg, HasSubstr("this is not C++"));    // the offending line, from the log
    EXPECT_THAT(msg, HasSubstr("-march=native"));      // the command line
    const auto at = msg.find("source:  \"");
    ASSERT_NE(at, std::string::npos);
    const std::string path = msg.substr(at + 10, msg.find('"', at + 10) - at - 10);
    EXPECT_TRUE(fs::exists(path)) << path;  // the dumped source is kept for the user
  }
  EXPECT_EQ(cache.stats().compiles, 0);
}

TEST_F(CpuCompilerTest, MissingCompilerIsAClearError) {
  ::setenv("TESSERA_CXX", "/nonexistent/tessera-cxx", 1);
  cache::JitCache cache(cache::JitCacheOptions{root_});
  try {
    compile_cached(doubling_source("c"), {}, cache);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("TESSERA_CXX"));
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/tessera-cxx"));
  }
  ::unsetenv("TESSERA_CXX");
}

}  // namespace
}  // namespace tessera::backend::cpu
