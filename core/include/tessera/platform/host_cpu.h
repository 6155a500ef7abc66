// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The host CPU as a device: its code-generation target (`x86_64-avx512+bf16`) and its
/// platform id (`cpu_x86_64_avx512`), so CPU configs route through the same
/// `configs/<kernel>/<platform>.json` files as GPUs. The platform id carries the arch and ISA
/// level only, not extra features, so one tuned file serves every machine of that level.

#include <cstdint>
#include <string>
#include <string_view>

#include "tessera/platform/target.h"

namespace tessera::platform {

/// Facts about the host CPU, detected once (see `host_cpu`).
struct HostCpu {
  /// Code-generation target: the arch, the highest ISA level all of whose features the CPU
  /// reports, and `+bf16` when present. x86_64: sse2 < sse4 (x86-64-v2) < avx2 (v3) < avx512
  /// (v4: AVX512 F/BW/CD/DQ/VL), via `__builtin_cpu_supports`; aarch64: neon < sve < sve2, via
  /// the kernel's HWCAP bits.
  Target target;
  /// `cpu_<arch>_<level>`, e.g. `cpu_x86_64_avx512` (see `cpu_platform_id`).
  std::string platform;
  /// `model name` from /proc/cpuinfo (x86), or "unknown" where the kernel does not report one
  /// (most aarch64 kernels).
  std::string model_name;
  /// CPUs online (sysconf) and CPUs this process may run on (its affinity mask, which is what
  /// a container or `taskset` restricts). `usable_cpus <= online_cpus`, both >= 1.
  int online_cpus = 1;
  int usable_cpus = 1;
  /// Per-core L1 data and L2 cache and the shared L3 of cpu0, in bytes; 0 where unknown.
  /// Read from /sys/devices/system/cpu/cpu0/cache, falling back to sysconf.
  std::int64_t l1d_bytes = 0;
  std::int64_t l2_bytes = 0;
  std::int64_t l3_bytes = 0;
};

/// Detects the host CPU now (reads /proc and /sys; a few hundred microseconds). Never throws
/// for missing /proc or /sys entries: the corresponding fields stay at their defaults.
HostCpu detect_host_cpu();

/// The host CPU, detected on first use; thread-safe.
const HostCpu& host_cpu();

/// `cpu_<arch>_<level>` for a CPU target (`x86_64-avx512+bf16` -> `cpu_x86_64_avx512`).
/// Throws `UserError` if `target` is not a CPU target.
std::string cpu_platform_id(const Target& target);

/// The `model name` field of /proc/cpuinfo text (the first one), or "" if absent.
std::string parse_cpuinfo_model_name(std::string_view cpuinfo);

/// A cache size as the kernel writes it in /sys (`"48K"`, `"2048K"`, `"32M"`), in bytes; 0 for
/// text it cannot read.
std::int64_t parse_cache_size(std::string_view text);

}  // namespace tessera::platform
