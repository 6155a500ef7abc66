// SPDX-License-Identifier: Apache-2.0
// Facts about the host CPU as a Tessera device. The CPU model, target and platform id come
// from the platform layer (tessera/platform/host_cpu.h), so the CPU routes to config files by
// the same rule as GPUs; the rest is read from sysconf / sysfs here.
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <oneapi/tbb/version.h>

#include "runtime.h"
#include "tessera/error.h"
#include "tessera/platform/canonicalize.h"
#include "tessera/platform/host_cpu.h"

namespace tessera::backend::cpu {

namespace {

/// Highest frequency the kernel's cpufreq driver allows, in kHz; 0 where cpufreq is absent
/// (common in VMs and containers).
std::int64_t max_clock_khz() {
  std::ifstream in("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
  std::int64_t khz = 0;
  if (in >> khz) return khz;
  return 0;
}

std::string kernel_release() {
  utsname u{};
  if (uname(&u) != 0) return "unknown";
  return cat("Linux ", u.release);
}

}  // namespace

runtime::DeviceInfo query_cpu_device_info() {
  const platform::HostCpu& host = platform::host_cpu();
  runtime::DeviceInfo info;
  info.id = runtime::DeviceId::cpu();
  info.name = host.model_name;
  // resolve_platform applies TESSERA_PLATFORM, as for GPUs; canonicalization leaves cpu_* ids.
  info.platform = platform::resolve_platform(host.platform);
  info.caps.target = host.target.str();
  info.caps.warp_size = 1;
  info.caps.compute_units = host.usable_cpus;
  info.caps.max_threads_per_block = 1;
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  info.memory_bytes = pages > 0 && page_size > 0 ? std::uint64_t(pages) * std::uint64_t(page_size) : 0;
  // The last level the cores share: L3 where there is one, else L2.
  info.l2_bytes = host.l3_bytes > 0 ? host.l3_bytes : host.l2_bytes;
  info.clock_khz = max_clock_khz();
  info.driver_version = kernel_release();
#if defined(__clang__)
  const char* compiler = "clang ";
#elif defined(__GNUC__)
  const char* compiler = "g++ ";
#else
  const char* compiler = "";
#endif
  info.runtime_version = cat(compiler, __VERSION__, ", oneTBB ", TBB_runtime_version());
  return info;
}

}  // namespace tessera::backend::cpu
