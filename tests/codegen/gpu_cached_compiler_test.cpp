// SPDX-License-Identifier: Apache-2.0
// The shared half of the CUDA and HIP cached compiles (gpu_common/cached_compiler.h), with a
// fake vendor compiler: what enters the key and in which order, the entry's file names, one
// compile per key, and the bytes that reach the Binary.
#include "gpu_common/cached_compiler.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tessera::backend::gpu {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::byte> bytes_of(const std::string& s) {
  std::vector<std::byte> out(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) out[i] = static_cast<std::byte>(s[i]);
  return out;
}

class GpuCachedCompiler : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "tessera-gpu-cache-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    cache_ = std::make_unique<cache::JitCache>(cache::JitCacheOptions{root_});
  }
  void TearDown() override {
    cache_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  static VendorCompile vendor() {
    return {.backend = "fake",
            .codegen_version = "fake-codegen-7",
            .compiler_identity = "fakertc 1.2",
            .options = {"--arch=x", "-O9"},
            .source_file_name = "kernel.fk",
            .binary_file_name = "kernel.fbin"};
  }

  fs::path root_;
  std::unique_ptr<cache::JitCache> cache_;
};

TEST_F(GpuCachedCompiler, KeysOnTheVendorFactsThenTheCallersFlags) {
  Source src;
  src.kernel_name = "ts_k", src.language = "fake", src.text = "kernel text";
  const CompileOptions opts{"sm_fake", {"-DA=1", "-DB=2"}};
  int calls = 0;
  std::string dumped;
  const auto compile_now = [&](const std::string& source_path) {
    ++calls;
    dumped = slurp(source_path);
    return bytes_of("BIN:" + dumped);
  };
  const cache::CachedBinary first = compile_through_cache(src, opts, *cache_, vendor(), compile_now);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(dumped, "kernel text");
  EXPECT_EQ(*first.bytes, "BIN:kernel text");
  EXPECT_EQ(first.source_path.filename(), "kernel.fk");
  EXPECT_EQ(first.binary_path.filename(), "kernel.fbin");
  EXPECT_EQ(slurp(first.binary_path), "BIN:kernel text");

  // The entry is the one of these inputs exactly: vendor options first, then the flags.
  cache::CacheKeyInputs in;
  in.backend = "fake";
  in.target = "sm_fake";
  in.source = "kernel text";
  in.codegen_version = "fake-codegen-7";
  in.compiler_identity = "fakertc 1.2";
  in.options = {"--arch=x", "-O9", "-DA=1", "-DB=2"};
  cache::CacheRequest req;
  req.platform = "sm_fake";
  req.key = cache::make_cache_key(in);
  EXPECT_EQ(first.binary_path.parent_path(), cache_->entry_dir(req));

  const cache::CachedBinary again = compile_through_cache(src, opts, *cache_, vendor(), compile_now);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(again.outcome, cache::CacheOutcome::kMemoryHit);

  // Each fact is part of the key: change one, compile again.
  VendorCompile other = vendor();
  other.compiler_identity = "fakertc 1.3";
  compile_through_cache(src, opts, *cache_, other, compile_now);
  EXPECT_EQ(calls, 2);
  const CompileOptions swapped{"sm_fake", {"-DB=2", "-DA=1"}};
  compile_through_cache(src, swapped, *cache_, vendor(), compile_now);
  EXPECT_EQ(calls, 3);
}

cache::CachedBinary fake_cached(const Source& source, const CompileOptions& options, cache::JitCache& cache) {
  return compile_through_cache(source, options, cache, {.backend = "fake",
                                                        .codegen_version = "1",
                                                        .compiler_identity = "fakertc 9",
                                                        .options = {},
                                                        .source_file_name = "k.fk",
                                                        .binary_file_name = "k.fbin"},
                               [&](const std::string&) { return bytes_of(source.kernel_name); });
}
std::string fake_version() { return "fakertc 9"; }

TEST_F(GpuCachedCompiler, TheCompilerRoleReturnsTheCachedBytesInItsFormat) {
  const std::unique_ptr<Compiler> c = make_cached_compiler(*cache_, Binary::Format::kHsaco, &fake_cached, &fake_version);
  Source src;
  src.kernel_name = "ts_add", src.language = "fake", src.text = "t";
  const Binary b = c->compile(src, {"gfx_fake", {}});
  EXPECT_EQ(b.format, Binary::Format::kHsaco);
  EXPECT_EQ(b.kernel_name, "ts_add");
  EXPECT_EQ(b.image, bytes_of("ts_add"));
  EXPECT_EQ(c->version(), "fakertc 9");

  // to_binary copies every byte, NULs and high bytes included.
  cache::CachedBinary cached;
  cached.bytes = std::make_shared<const std::string>(std::string("a\0\xff" "b", 4));
  const Binary copy = to_binary(cached, Binary::Format::kCubin, "k");
  EXPECT_EQ(copy.format, Binary::Format::kCubin);
  EXPECT_EQ(copy.kernel_name, "k");
  EXPECT_EQ(copy.image, bytes_of(std::string("a\0\xff" "b", 4)));
}

}  // namespace
}  // namespace tessera::backend::gpu
