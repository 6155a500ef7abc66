// SPDX-License-Identifier: Apache-2.0
#include "tessera/platform/host_cpu.h"

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tessera/error.h"

namespace tessera::platform {
namespace {

TEST(HostCpu, DetectionIsConsistent) {
  const HostCpu& cpu = host_cpu();
  EXPECT_EQ(cpu.target.vendor, Vendor::kCpu);
#if defined(__x86_64__)
  EXPECT_EQ(cpu.target.arch, "x86_64");
  // The detected level must agree with what the compiler's own CPU probe reports.
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512cd");
  EXPECT_EQ(cpu.target.suffix == "avx512", avx512);
  if (!__builtin_cpu_supports("avx2")) {
    EXPECT_NE(cpu.target.suffix, "avx2");
  }
#elif defined(__aarch64__)
  EXPECT_EQ(cpu.target.arch, "aarch64");
#endif
  EXPECT_EQ(cpu.platform, "cpu_" + cpu.target.arch + "_" + cpu.target.suffix);
  EXPECT_EQ(Target::parse(cpu.target.str()), cpu.target);
  EXPECT_GE(cpu.online_cpus, 1);
  EXPECT_GE(cpu.usable_cpus, 1);
  EXPECT_LE(cpu.usable_cpus, cpu.online_cpus);
  EXPECT_EQ(cpu.online_cpus, sysconf(_SC_NPROCESSORS_ONLN));
  EXPECT_FALSE(cpu.model_name.empty());
  // Caches, where known, are ordered as hardware builds them.
  if (cpu.l1d_bytes && cpu.l2_bytes) {
    EXPECT_LE(cpu.l1d_bytes, cpu.l2_bytes);
  }
  EXPECT_GE(cpu.l1d_bytes, 0);
  EXPECT_EQ(&host_cpu(), &cpu);  // detected once
}

TEST(HostCpu, PlatformIdOmitsFeatures) {
  EXPECT_EQ(cpu_platform_id(Target::parse("x86_64-avx512+bf16")), "cpu_x86_64_avx512");
  EXPECT_EQ(cpu_platform_id(Target::parse("x86_64-avx2")), "cpu_x86_64_avx2");
  EXPECT_EQ(cpu_platform_id(Target::parse("aarch64-sve")), "cpu_aarch64_sve");
  try {
    cpu_platform_id(Target::parse("sm_90a"));
    ADD_FAILURE() << "accepted a GPU target";
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("'sm_90a' is a nvidia target"));
  }
}

TEST(HostCpu, ParsesCpuinfoModelName) {
  EXPECT_EQ(parse_cpuinfo_model_name("processor\t: 0\nvendor_id\t: GenuineIntel\n"
                                     "model name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz\n"
                                     "processor\t: 1\nmodel name\t: other\n"),
            "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz");
  EXPECT_EQ(parse_cpuinfo_model_name("processor\t: 0\nCPU part\t: 0xd4f\n"), "");
  EXPECT_EQ(parse_cpuinfo_model_name(""), "");
}

TEST(HostCpu, ParsesSysfsCacheSizes) {
  EXPECT_EQ(parse_cache_size("48K"), 48 * 1024);
  EXPECT_EQ(parse_cache_size("2048K"), 2048 * 1024);
  EXPECT_EQ(parse_cache_size("32M"), 32LL << 20);
  EXPECT_EQ(parse_cache_size("1G"), 1LL << 30);
  EXPECT_EQ(parse_cache_size("512"), 512);
  EXPECT_EQ(parse_cache_size(""), 0);
  EXPECT_EQ(parse_cache_size("K"), 0);
  EXPECT_EQ(parse_cache_size("12Q"), 0);
}

}  // namespace
}  // namespace tessera::platform
