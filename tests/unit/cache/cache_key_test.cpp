// SPDX-License-Identifier: Apache-2.0
#include "tessera/cache/cache_key.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "tessera/cache/sha256.h"

namespace tessera::cache {
namespace {

TEST(Sha256, MatchesFipsVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.update("a").update("bc");
  EXPECT_EQ(h.hex_digest(), sha256_hex("abc"));
}

TEST(Sha256, FieldFramingIsPrefixFree) {
  Sha256 a, b;
  a.field("x", "ab").field("y", "c");
  b.field("x", "a").field("y", "bc");
  EXPECT_NE(a.hex_digest(), b.hex_digest());
}

CacheKeyInputs base_inputs() {
  CacheKeyInputs in;
  in.backend = "cpu";
  in.target = "znver3";
  in.source = "extern \"C\" void k() {}";
  in.codegen_version = "cpu-1";
  in.compiler_identity = "g++ (Debian 12.2.0-14) 12.2.0";
  in.options = {"-O3", "-march=native"};
  in.header_hash = "abc";
  return in;
}

TEST(CacheKey, EqualInputsGiveEqualKeysAndEveryFieldCounts) {
  ::unsetenv("TESSERA_CXX");
  const std::string k0 = make_cache_key(base_inputs()).hex;
  EXPECT_EQ(k0.size(), 64u);
  EXPECT_EQ(make_cache_key(base_inputs()).hex, k0);

  auto changed = [&](auto edit) {
    CacheKeyInputs in = base_inputs();
    edit(in);
    return make_cache_key(in).hex;
  };
  EXPECT_NE(changed([](CacheKeyInputs& in) { in.backend = "cuda"; }), k0);
  EXPECT_NE(changed([](CacheKeyInputs& in) { in.target = "icelake-server"; }), k0);
  EXPECT_NE(changed([](CacheKeyInputs& in) { in.source += " "; }), k0);
  EXPECT_NE(changed([](CacheKeyInputs& in) { in.codegen_version = "cpu-2"; }), k0);
  EXPECT_NE(changed([](CacheKeyInputs& in) { in.compiler_identity = "clang 14"; }), k0);
  EXPECT_NE(changed([](CacheKeyInputs& in) { in.options = {"-march=native", "-O3"}; }), k0);
  EXPECT_NE(changed([](CacheKeyInputs& in) { in.options = {"-O3-march=native"}; }), k0);
  EXPECT_NE(changed([](CacheKeyInputs& in) { in.header_hash = "abd"; }), k0);
}

TEST(CacheKey, CacheAffectingEnvironmentEntersTheKey) {
  ::unsetenv("TESSERA_CXX");
  const CacheKey plain = make_cache_key(base_inputs());
  ::setenv("TESSERA_CXX", "clang++", 1);
  const CacheKey with_cxx = make_cache_key(base_inputs());
  ::unsetenv("TESSERA_CXX");
  EXPECT_NE(plain.hex, with_cxx.hex);
  EXPECT_EQ(with_cxx.env_values, "TESSERA_CXX=clang++\n");
  // A neutral variable does not change the key.
  ::setenv("TESSERA_PLATFORM", "nvidia_h100", 1);
  EXPECT_EQ(make_cache_key(base_inputs()).hex, plain.hex);
  ::unsetenv("TESSERA_PLATFORM");
  EXPECT_STREQ(library_version(), plain.library_version.c_str());
}

}  // namespace
}  // namespace tessera::cache
