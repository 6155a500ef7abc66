// SPDX-License-Identifier: Apache-2.0
#include "tessera/platform/host_cpu.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#if defined(__aarch64__)
#include <sys/auxv.h>
#endif

#include "tessera/error.h"

namespace tessera::platform {

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

std::string trim(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// The target string for this host; the level is the highest one whose *every* defining feature
// is present, because the code generator may use any instruction of the level.
std::string detect_target_text() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  std::string level = "sse2";  // x86-64 baseline
  if (__builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("popcnt") &&
      __builtin_cpu_supports("ssse3")) {
    level = "sse4";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
        __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("f16c")) {
      level = "avx2";
      if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
          __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
          __builtin_cpu_supports("avx512vl")) {
        level = "avx512";
      }
    }
  }
  std::string text = "x86_64-" + level;
  if (level == "avx512" && __builtin_cpu_supports("avx512bf16")) text += "+bf16";
  return text;
#elif defined(__aarch64__)
  // HWCAP bits from the Linux arm64 ABI (arch/arm64/include/uapi/asm/hwcap.h), written as
  // numbers so older libc headers still compile: HWCAP_SVE = 1 << 22, HWCAP2_SVE2 = 1 << 1,
  // HWCAP2_BF16 = 1 << 14. NEON (ASIMD) is mandatory on aarch64.
  const unsigned long hwcap = getauxval(AT_HWCAP);
  const unsigned long hwcap2 = getauxval(AT_HWCAP2);
  std::string level = "neon";
  if (hwcap & (1UL << 22)) level = (hwcap2 & (1UL << 1)) ? "sve2" : "sve";
  std::string text = "aarch64-" + level;
  if (hwcap2 & (1UL << 14)) text += "+bf16";
  return text;
#else
#error "tessera: host CPU detection supports x86_64 and aarch64 only"
#endif
}

void read_caches(HostCpu& cpu) {
  const std::filesystem::path base = "/sys/devices/system/cpu/cpu0/cache";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("index")) continue;
    const std::string level = trim(read_text(entry.path() / "level"));
    const std::string type = trim(read_text(entry.path() / "type"));
    const std::int64_t size = parse_cache_size(trim(read_text(entry.path() / "size")));
    if (level == "1" && type == "Data") cpu.l1d_bytes = size;
    if (level == "2" && type != "Instruction") cpu.l2_bytes = size;
    if (level == "3" && type != "Instruction") cpu.l3_bytes = size;
  }
#if defined(_SC_LEVEL1_DCACHE_SIZE)
  // glibc's sysconf answers from CPUID on x86 and returns 0 (unknown) on most aarch64 kernels.
  if (cpu.l1d_bytes == 0) cpu.l1d_bytes = std::max<long>(0, sysconf(_SC_LEVEL1_DCACHE_SIZE));
  if (cpu.l2_bytes == 0) cpu.l2_bytes = std::max<long>(0, sysconf(_SC_LEVEL2_CACHE_SIZE));
  if (cpu.l3_bytes == 0) cpu.l3_bytes = std::max<long>(0, sysconf(_SC_LEVEL3_CACHE_SIZE));
#endif
}

}  // namespace

std::string cpu_platform_id(const Target& target) {
  TS_USER_CHECK(target.vendor == Vendor::kCpu)
      << "cpu_platform_id: '" << target.str() << "' is a " << vendor_name(target.vendor)
      << " target; only CPU targets (e.g. x86_64-avx512) have a cpu_<arch>_<level> platform id";
  return "cpu_" + target.arch + "_" + target.suffix;
}

std::string parse_cpuinfo_model_name(std::string_view cpuinfo) {
  std::istringstream in{std::string(cpuinfo)};
  for (std::string line; std::getline(in, line);) {
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    if (trim(std::string_view(line).substr(0, colon)) == "model name") {
      return trim(std::string_view(line).substr(colon + 1));
    }
  }
  return {};
}

std::int64_t parse_cache_size(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value < 0) return 0;
  std::string_view unit(end, text.data() + text.size() - end);
  if (unit.empty()) return value;
  if (unit == "K") return value << 10;
  if (unit == "M") return value << 20;
  if (unit == "G") return value << 30;
  return 0;
}

HostCpu detect_host_cpu() {
  HostCpu cpu;
  cpu.target = Target::parse(detect_target_text());
  cpu.platform = cpu_platform_id(cpu.target);
  cpu.model_name = parse_cpuinfo_model_name(read_text("/proc/cpuinfo"));
  if (cpu.model_name.empty()) cpu.model_name = "unknown";
  cpu.online_cpus = static_cast<int>(std::max<long>(1, sysconf(_SC_NPROCESSORS_ONLN)));
  cpu_set_t mask;
  CPU_ZERO(&mask);
  cpu.usable_cpus = sched_getaffinity(0, sizeof(mask), &mask) == 0
                        ? std::clamp(CPU_COUNT(&mask), 1, cpu.online_cpus)
                        : cpu.online_cpus;
  read_caches(cpu);
  return cpu;
}

const HostCpu& host_cpu() {
  static const HostCpu cpu = detect_host_cpu();
  return cpu;
}

}  // namespace tessera::platform
