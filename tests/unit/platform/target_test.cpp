// SPDX-License-Identifier: Apache-2.0
#include "tessera/platform/target.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tessera/error.h"

namespace tessera::platform {
namespace {

using ::testing::HasSubstr;

struct Expected {
  const char* text;
  Vendor vendor;
  const char* arch;
  int major, minor, stepping;
  const char* suffix;
  const char* family;
  int warp_size;
};

// Every form the header promises, with the facts the arch tables must derive for it.
const Expected kCases[] = {
    {"sm_70", Vendor::kNvidia, "sm_70", 7, 0, 0, "", "volta", 32},
    {"sm_75", Vendor::kNvidia, "sm_75", 7, 5, 0, "", "turing", 32},
    {"sm_80", Vendor::kNvidia, "sm_80", 8, 0, 0, "", "ampere", 32},
    {"sm_86", Vendor::kNvidia, "sm_86", 8, 6, 0, "", "ampere", 32},
    {"sm_89", Vendor::kNvidia, "sm_89", 8, 9, 0, "", "ada", 32},
    {"sm_90", Vendor::kNvidia, "sm_90", 9, 0, 0, "", "hopper", 32},
    {"sm_90a", Vendor::kNvidia, "sm_90", 9, 0, 0, "a", "hopper", 32},
    {"sm_100a", Vendor::kNvidia, "sm_100", 10, 0, 0, "a", "blackwell", 32},
    {"sm_100f", Vendor::kNvidia, "sm_100", 10, 0, 0, "f", "blackwell", 32},
    {"sm_103a", Vendor::kNvidia, "sm_103", 10, 3, 0, "a", "blackwell", 32},
    {"sm_110", Vendor::kNvidia, "sm_110", 11, 0, 0, "", "blackwell", 32},
    {"sm_120", Vendor::kNvidia, "sm_120", 12, 0, 0, "", "blackwell_rtx", 32},
    {"sm_121a", Vendor::kNvidia, "sm_121", 12, 1, 0, "a", "blackwell_rtx", 32},
    {"gfx906", Vendor::kAmd, "gfx906", 9, 0, 6, "", "gcn5", 64},
    {"gfx908", Vendor::kAmd, "gfx908", 9, 0, 8, "", "cdna1", 64},
    {"gfx90a", Vendor::kAmd, "gfx90a", 9, 0, 10, "", "cdna2", 64},
    {"gfx942", Vendor::kAmd, "gfx942", 9, 4, 2, "", "cdna3", 64},
    {"gfx950", Vendor::kAmd, "gfx950", 9, 5, 0, "", "cdna4", 64},
    {"gfx1030", Vendor::kAmd, "gfx1030", 10, 3, 0, "", "rdna2", 32},
    {"gfx1100", Vendor::kAmd, "gfx1100", 11, 0, 0, "", "rdna3", 32},
    {"gfx1151", Vendor::kAmd, "gfx1151", 11, 5, 1, "", "rdna3_5", 32},
    {"gfx1201", Vendor::kAmd, "gfx1201", 12, 0, 1, "", "rdna4", 32},
    {"x86_64-sse2", Vendor::kCpu, "x86_64", 0, 0, 0, "sse2", "x86_64", 1},
    {"x86_64-sse4", Vendor::kCpu, "x86_64", 0, 0, 0, "sse4", "x86_64", 1},
    {"x86_64-avx2", Vendor::kCpu, "x86_64", 0, 0, 0, "avx2", "x86_64", 1},
    {"x86_64-avx512", Vendor::kCpu, "x86_64", 0, 0, 0, "avx512", "x86_64", 1},
    {"aarch64-neon", Vendor::kCpu, "aarch64", 0, 0, 0, "neon", "aarch64", 1},
    {"aarch64-sve2", Vendor::kCpu, "aarch64", 0, 0, 0, "sve2", "aarch64", 1},
};

TEST(Target, ParsesEveryFormWithItsFacts) {
  for (const Expected& e : kCases) {
    SCOPED_TRACE(e.text);
    const Target t = Target::parse(e.text);
    EXPECT_EQ(t.vendor, e.vendor);
    EXPECT_EQ(t.arch, e.arch);
    EXPECT_EQ(t.major, e.major);
    EXPECT_EQ(t.minor, e.minor);
    EXPECT_EQ(t.stepping, e.stepping);
    EXPECT_EQ(t.suffix, e.suffix);
    EXPECT_EQ(t.family, e.family);
    EXPECT_EQ(t.warp_size, e.warp_size);
    EXPECT_TRUE(t.features.empty());
    EXPECT_EQ(t.str(), e.text);
  }
}

TEST(Target, EveryTableEntryRoundTripsAndHasAFamily) {
  const auto archs = known_target_archs();
  ASSERT_GT(archs.size(), 40u);
  for (const std::string& a : archs) {
    SCOPED_TRACE(a);
    const Target t = Target::parse(a);
    EXPECT_EQ(t.str(), a);
    EXPECT_FALSE(t.family.empty());
    EXPECT_TRUE(t.warp_size == 1 || t.warp_size == 32 || t.warp_size == 64);
    if (t.vendor == Vendor::kAmd) {
      EXPECT_EQ(t.warp_size, t.major == 9 ? 64 : 32);
    }
  }
}

TEST(Target, FeaturesRoundTripInTheOrderWritten) {
  for (const char* text : {"gfx942:sramecc+:xnack-", "gfx90a:xnack+", "gfx90a:xnack-:sramecc-",
                           "x86_64-avx512+bf16", "aarch64-sve+bf16"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(Target::parse(text).str(), text);
  }
  const Target t = Target::parse("gfx942:sramecc+:xnack-");
  EXPECT_EQ(t.arch, "gfx942");
  EXPECT_EQ(t.features, (std::vector<std::string>{"sramecc+", "xnack-"}));
  EXPECT_EQ(Target::parse("x86_64-avx512+bf16").features, std::vector<std::string>{"bf16"});
}

TEST(Target, EqualityIsByCanonicalText) {
  EXPECT_EQ(Target::parse("sm_90a"), Target::parse("sm_90a"));
  EXPECT_FALSE(Target::parse("sm_90a") == Target::parse("sm_90"));
  EXPECT_FALSE(Target::parse("gfx942") == Target::parse("gfx942:xnack-"));
}

TEST(Target, BadTargetsEchoTheInputAndListValidForms) {
  const std::pair<const char*, const char*> bad[] = {
      {"", "unknown vendor"},
      {"sm_", "two or three digits"},
      {"sm_9", "two or three digits"},
      {"sm_090", "two or three digits"},
      {"sm_91", "unknown compute capability sm_91"},
      {"sm_80a", "'a' (arch-specific) suffix exists from sm_90a"},
      {"sm_90f", "'f' (family-specific) suffix exists from sm_100f"},
      {"sm_90b", "two or three digits"},
      {"SM_90", "unknown vendor"},
      {"gfx943", "unknown AMD processor 'gfx943'"},
      {"gfx942:", "must end in '+' or '-'"},
      {"gfx942:xnack", "must end in '+' or '-'"},
      {"gfx942:wavefrontsize64+", "unknown target-ID feature 'wavefrontsize64'"},
      {"gfx942:xnack+:xnack-", "feature 'xnack' is given twice"},
      {"x86_64", "needs an ISA level"},
      {"x86_64-", "unknown ISA level ''"},
      {"x86_64-avx512f", "unknown ISA level 'avx512f'"},
      {"x86_64-neon", "unknown ISA level 'neon' for x86_64"},
      {"x86_64-avx512+amx", "unknown CPU feature 'amx'"},
      {"x86_64-avx512+bf16+bf16", "feature 'bf16' is given twice"},
      {"riscv64-rvv", "unknown vendor or CPU architecture"},
  };
  for (const auto& [text, why] : bad) {
    SCOPED_TRACE(text);
    try {
      Target::parse(text);
      ADD_FAILURE() << "parsed";
    } catch (const UserError& e) {
      const std::string msg = e.what();
      EXPECT_THAT(msg, HasSubstr(std::string("invalid target '") + text + "'"));
      EXPECT_THAT(msg, HasSubstr(why));
      EXPECT_THAT(msg, HasSubstr("valid forms: sm_<CC>[a|f]"));
      EXPECT_THAT(msg, HasSubstr("gfx942"));
    }
  }
}

TEST(Target, ForComputeCapabilityUsesArchSpecificFromSm90) {
  EXPECT_EQ(Target::for_compute_capability(8, 0).str(), "sm_80");
  EXPECT_EQ(Target::for_compute_capability(8, 9).str(), "sm_89");
  EXPECT_EQ(Target::for_compute_capability(9, 0).str(), "sm_90a");
  EXPECT_EQ(Target::for_compute_capability(10, 0).str(), "sm_100a");
  EXPECT_EQ(Target::for_compute_capability(12, 1).str(), "sm_121a");
  EXPECT_THROW(Target::for_compute_capability(9, 1), UserError);
  EXPECT_THROW(Target::for_compute_capability(0, 0), UserError);
  EXPECT_THROW(Target::for_compute_capability(8, 10), UserError);
}

TEST(Target, VendorNames) {
  EXPECT_EQ(vendor_name(Vendor::kNvidia), "nvidia");
  EXPECT_EQ(vendor_name(Vendor::kAmd), "amd");
  EXPECT_EQ(vendor_name(Vendor::kCpu), "cpu");
}

}  // namespace
}  // namespace tessera::platform
