// SPDX-License-Identifier: Apache-2.0
// Facts about one NVIDIA device, from cuDeviceGetAttribute (the one enum-keyed query, STYLE A8).
#include <array>

#include "cuda/api.h"
#include "cuda/runtime.h"
#include "gpu_common/api_status.h"
#include "tessera/error.h"
#include "tessera/platform/canonicalize.h"
#include "tessera/platform/target.h"

namespace tessera::backend::cuda {

namespace {

struct ErrorTable {
  static std::string error_name(long c) { return cuda_error_name(c); }
  static std::string error_text(long c) { return cuda_error_text(c); }
  static bool is_out_of_memory(long c) { return c == kCudaErrorOutOfMemory; }
};

}  // namespace

runtime::DeviceInfo query_device(int ordinal) {
  const DriverApi& d = driver().fn;
  const runtime::DeviceId id{runtime::DeviceKind::cuda, ordinal};
  auto ok = [&](CUresult r, const char* call) { gpu::check<ErrorTable>({r, call}, id); };
  CUdevice dev = 0;
  ok(d.cuDeviceGet(&dev, ordinal), "cuDeviceGet");
  auto attr = [&](int attribute) {
    int v = 0;
    ok(d.cuDeviceGetAttribute(&v, attribute, dev), "cuDeviceGetAttribute");
    return v;
  };

  runtime::DeviceInfo info;
  info.id = id;
  std::array<char, 256> name{};
  ok(d.cuDeviceGetName(name.data(), int(name.size()) - 1, dev), "cuDeviceGetName");
  info.name = name.data();
  info.platform = platform::resolve_platform(info.name);

  const int major = attr(kAttrComputeCapabilityMajor);
  const int minor = attr(kAttrComputeCapabilityMinor);
  try {
    info.caps.target = platform::Target::for_compute_capability(major, minor).str();
  } catch (const UserError&) {
    // A GPU newer than the target table: memory and copies work, code generation does not,
    // and `tessera devices` shows an empty target.
    info.caps.target.clear();
  }
  info.caps.warp_size = attr(kAttrWarpSize);
  info.caps.compute_units = attr(kAttrMultiprocessorCount);
  info.caps.max_threads_per_block = attr(kAttrMaxThreadsPerBlock);
  // The opt-in maximum (cuFuncSetAttribute MAX_DYNAMIC_SHARED_SIZE_BYTES) is what a kernel can
  // really get: 227 KiB on sm_90 against 48 KiB without opting in.
  info.caps.smem_per_block_bytes = attr(kAttrMaxSharedMemoryPerBlockOptin);
  info.caps.smem_per_sm_bytes = attr(kAttrMaxSharedMemoryPerMultiprocessor);

  std::size_t total = 0;
  ok(d.cuDeviceTotalMem(&total, dev), "cuDeviceTotalMem");
  info.memory_bytes = total;
  info.l2_bytes = attr(kAttrL2CacheSize);
  // CU_DEVICE_ATTRIBUTE_CLOCK_RATE is deprecated since CUDA 12.x (NVML has the live clocks)
  // but still answered by 13.0 drivers; a driver that drops it leaves the clock at 0.
  int clock = 0;
  if (d.cuDeviceGetAttribute(&clock, kAttrClockRate, dev) == kCudaSuccess) info.clock_khz = clock;

  int version = 0;
  ok(d.cuDriverGetVersion(&version), "cuDriverGetVersion");
  info.driver_version = cuda_version_string(version);
  info.runtime_version = nvrtc_version();
  return info;
}

}  // namespace tessera::backend::cuda
