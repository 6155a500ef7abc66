// SPDX-License-Identifier: Apache-2.0
// Facts about one AMD device, from hipDeviceGetAttribute, plus the gfx target name from
// hipGetDeviceProperties (api.h explains the structure layout).
#include <array>
#include <cstring>
#include <vector>

#include "gpu_common/api_status.h"
#include "hip/api.h"
#include "hip/runtime.h"
#include "tessera/error.h"
#include "tessera/platform/canonicalize.h"
#include "tessera/platform/target.h"

namespace tessera::backend::hip {

namespace {

struct ErrorTable {
  static std::string error_name(long c) { return hip_error_name(c); }
  static std::string error_text(long c) { return hip_error_text(c); }
  static bool is_out_of_memory(long c) { return c == kHipErrorOutOfMemory; }
};

/// The LLVM target id, e.g. "gfx90a:sramecc+:xnack-", or "" when the runtime cannot say.
std::string gcn_arch_name(int ordinal) {
  const HipApi& f = hip_runtime().fn;
  if (f.hipGetDeviceProperties == nullptr) return {};
  std::vector<char> props(kPropsBufferBytes, 0);
  if (f.hipGetDeviceProperties(props.data(), ordinal) != kHipSuccess) return {};
  const char* arch = props.data() + kPropsGcnArchNameOffset;
  return std::string(arch, strnlen(arch, 256));
}

}  // namespace

runtime::DeviceInfo query_device(int ordinal) {
  const HipApi& f = hip_runtime().fn;
  const runtime::DeviceId id{runtime::DeviceKind::hip, ordinal};
  auto ok = [&](hipError_t r, const char* call) { gpu::check<ErrorTable>({r, call}, id); };
  auto attr = [&](int attribute) {
    int v = 0;
    ok(f.hipDeviceGetAttribute(&v, attribute, ordinal), "hipDeviceGetAttribute");
    return v;
  };

  runtime::DeviceInfo info;
  info.id = id;
  std::array<char, 256> name{};
  ok(f.hipDeviceGetName(name.data(), int(name.size()) - 1, ordinal), "hipDeviceGetName");
  info.name = name.data();
  info.platform = platform::resolve_platform(info.name);
  const std::string arch = gcn_arch_name(ordinal);
  try {
    info.caps.target = arch.empty() ? "" : platform::Target::parse(arch).str();
  } catch (const UserError&) {
    info.caps.target.clear();  // a gfx processor newer than the target table
  }
  info.caps.warp_size = attr(kAttrWarpSize);
  info.caps.compute_units = attr(kAttrMultiprocessorCount);
  info.caps.max_threads_per_block = attr(kAttrMaxThreadsPerBlock);
  // AMD has no opt-in larger shared memory: a workgroup may use all of its CU's LDS limit.
  info.caps.smem_per_block_bytes = attr(kAttrMaxSharedMemoryPerBlock);
  info.caps.smem_per_sm_bytes = attr(kAttrMaxSharedMemoryPerMultiprocessor);
  std::size_t total = 0;
  ok(f.hipDeviceTotalMem(&total, ordinal), "hipDeviceTotalMem");
  info.memory_bytes = total;
  info.l2_bytes = attr(kAttrL2CacheSize);
  info.clock_khz = attr(kAttrClockRate);
  int version = 0;
  ok(f.hipDriverGetVersion(&version), "hipDriverGetVersion");
  info.driver_version = hip_version_string(version);
  info.runtime_version = hiprtc_version();
  return info;
}

}  // namespace tessera::backend::hip
