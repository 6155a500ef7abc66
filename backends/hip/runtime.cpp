// SPDX-License-Identifier: Apache-2.0
// The HIP API trait for the shared GPU runtime (gpu_common/gpu_runtime.h) and the backend's
// registration. Everything vendor-specific about HIP's runtime is in this file and caps.cpp.
#include "hip/runtime.h"

#include <memory>
#include <vector>

#include "gpu_common/fill_kernel.h"
#include "gpu_common/gpu_runtime.h"
#include "hip/api.h"
#include "hip/codegen.h"
#include "hip/compiler.h"
#include "tessera/error.h"
#include "tessera/runtime/driver_error.h"
#include "tessera/runtime/registry.h"

namespace tessera::backend::hip {

namespace {

using gpu::ApiStatus;

const HipApi& fn() { return hip_runtime().fn; }

/// hipInit and the device count, once per process.
runtime::BackendStatus probe() {
  runtime::BackendStatus s;
  s.kind = runtime::DeviceKind::hip;
  const Loaded<HipApi>& rt = hip_runtime();
  if (!rt.ok()) {
    s.reason = rt.error;
    return s;
  }
  s.libraries.push_back(rt.library);
  if (hiprtc().ok() && hiprtc().library != rt.library) s.libraries.push_back(hiprtc().library);
  // With no AMD GPU (or no /dev/kfd) hipInit fails: ROCm 5.2 on a Debian 12 VM without a GPU
  // returns hipErrorInvalidDevice here (seen 2026-11-22); the expected "not available" path on
  // NVIDIA and CPU-only machines.
  if (const hipError_t r = rt.fn.hipInit(0); r != kHipSuccess) {
    s.reason = cat("hipInit: ", hip_error_name(r), " (", hip_error_text(r), ")");
    return s;
  }
  int count = 0;
  if (const hipError_t r = rt.fn.hipGetDeviceCount(&count); r != kHipSuccess) {
    s.reason = cat("hipGetDeviceCount: ", hip_error_name(r), " (", hip_error_text(r), ")");
    return s;
  }
  if (count == 0) {
    s.reason = "the HIP runtime reports no devices (check HIP_VISIBLE_DEVICES)";
    return s;
  }
  s.available = true;
  return s;
}

/// The trait: each function maps one-to-one onto a HIP call and names it.
struct HipApiTrait {
  static constexpr runtime::DeviceKind kKind = runtime::DeviceKind::hip;
  /// HIP binds a device, not a context, to the calling thread.
  struct Context {
    int ordinal = 0;
  };
  using Stream = hipStream_t;
  using Event = hipEvent_t;
  using Module = hipModule_t;
  using Function = hipFunction_t;

  static runtime::BackendStatus status() {
    static const runtime::BackendStatus s = probe();
    return s;
  }
  static int device_count() {
    int n = 0;
    return fn().hipGetDeviceCount(&n) == kHipSuccess ? n : 0;
  }
  static runtime::DeviceInfo query_device(int ordinal) { return hip::query_device(ordinal); }
  static std::string error_name(long c) { return hip_error_name(c); }
  static std::string error_text(long c) { return hip_error_text(c); }
  static bool is_out_of_memory(long c) { return c == kHipErrorOutOfMemory; }

  static ApiStatus context_retain(int ordinal, Context* c) {
    c->ordinal = ordinal;
    return {fn().hipSetDevice(ordinal), "hipSetDevice"};
  }
  static ApiStatus context_release(Context&) { return {kHipSuccess, "(none)"}; }
  static ApiStatus make_current(const Context& c) {
    return {fn().hipSetDevice(c.ordinal), "hipSetDevice"};
  }
  static ApiStatus malloc(void** p, std::size_t n) { return {fn().hipMalloc(p, n), "hipMalloc"}; }
  static ApiStatus free(void* p) { return {fn().hipFree(p), "hipFree"}; }
  // Portable, as on CUDA: pinned for every device, not only the allocating one.
  static ApiStatus malloc_host(void** p, std::size_t n) {
    return {fn().hipHostMalloc(p, n, kHipHostMallocPortable), "hipHostMalloc"};
  }
  static ApiStatus free_host(void* p) { return {fn().hipHostFree(p), "hipHostFree"}; }
  static ApiStatus mem_get_info(std::size_t* free, std::size_t* total) {
    return {fn().hipMemGetInfo(free, total), "hipMemGetInfo"};
  }
  // Stream-ordered forms only; the shared runtime waits on the null stream for synchronous
  // operations (hipMemcpy's host synchronization differs between ROCm releases).
  static ApiStatus memcpy(void* dst, const void* src, std::size_t n, CopyKind kind, Stream s) {
    const hipMemcpyKind k = kind == CopyKind::kHostToDevice   ? kHipMemcpyHostToDevice
                            : kind == CopyKind::kDeviceToHost ? kHipMemcpyDeviceToHost
                                                              : kHipMemcpyDeviceToDevice;
    return {fn().hipMemcpyAsync(dst, src, n, k, s), "hipMemcpyAsync"};
  }
  static ApiStatus memset(void* dst, std::uint8_t v, std::size_t n, Stream s) {
    return {fn().hipMemsetAsync(dst, v, n, s), "hipMemsetAsync"};
  }
  static ApiStatus stream_create(Stream* s) {
    return {fn().hipStreamCreateWithFlags(s, kHipStreamNonBlocking), "hipStreamCreateWithFlags"};
  }
  static ApiStatus stream_destroy(Stream s) { return {fn().hipStreamDestroy(s), "hipStreamDestroy"}; }
  static ApiStatus stream_synchronize(Stream s) {
    return {fn().hipStreamSynchronize(s), "hipStreamSynchronize"};
  }
  static ApiStatus event_create(Event* e) { return {fn().hipEventCreate(e), "hipEventCreate"}; }
  static ApiStatus event_destroy(Event e) { return {fn().hipEventDestroy(e), "hipEventDestroy"}; }
  static ApiStatus event_record(Event e, Stream s) { return {fn().hipEventRecord(e, s), "hipEventRecord"}; }
  static ApiStatus event_synchronize(Event e) {
    return {fn().hipEventSynchronize(e), "hipEventSynchronize"};
  }
  static ApiStatus event_elapsed(float* ms, Event start, Event end) {
    return {fn().hipEventElapsedTime(ms, start, end), "hipEventElapsedTime"};
  }
  static ApiStatus device_synchronize() { return {fn().hipDeviceSynchronize(), "hipDeviceSynchronize"}; }
  static ApiStatus module_load(Module* m, const void* image) {
    return {fn().hipModuleLoadData(m, image), "hipModuleLoadData"};
  }
  static ApiStatus module_unload(Module m) { return {fn().hipModuleUnload(m), "hipModuleUnload"}; }
  static ApiStatus module_function(Function* f, Module m, const char* name) {
    return {fn().hipModuleGetFunction(f, m, name), "hipModuleGetFunction"};
  }
  static ApiStatus launch(Function f, const LaunchParams& p, Stream s, void** args) {
    return {fn().hipModuleLaunchKernel(f, p.grid[0], p.grid[1], p.grid[2], p.block[0], p.block[1],
                                       p.block[2], p.smem_bytes, s, args, nullptr),
            "hipModuleLaunchKernel"};
  }

  static Binary compile_fill_kernel(const runtime::DeviceInfo& info) {
    return hip::compile_fill_kernel(info);
  }
};

void hiprtc_check(int r, const char* call, const runtime::DeviceInfo& info, const std::string& log) {
  if (r == 0) return;
  const char* name = hiprtc().fn.hiprtcGetErrorString(r);
  throw runtime::DriverError(call, r, name ? name : cat("hiprtcResult ", r), "hiprtc failed",
                             info.id,
                             cat("compiling the runtime's kernel '", gpu::kFillKernelName,
                                 "' for ", info.caps.target, "; hiprtc log:\n", log));
}

}  // namespace

Binary compile_fill_kernel(const runtime::DeviceInfo& info) {
  const Loaded<HiprtcApi>& rtc = hiprtc();
  TS_USER_CHECK(rtc.ok()) << "filling memory on " << info.id.str()
                          << " needs hiprtc to compile a kernel, and hiprtc is not available: "
                          << rtc.error;
  // ../shared/DEPENDENCIES.md: comgr of ROCm 5.2 crashes the process for targets it does not
  // know (gfx940/942/1100) instead of failing, so only targets the table parsed are compiled,
  // and always with an explicit --gpu-architecture.
  TS_USER_CHECK(!info.caps.target.empty())
      << "cannot compile for " << info.id.str() << " (" << info.name
      << "): its gfx target is unknown or not in Tessera's target table";
  check_target_supported(info.caps.target, gpu::kFillKernelName);  // comgr's ISA list (compiler.h)
  const HiprtcApi& f = rtc.fn;
  hiprtcProgram prog = nullptr;
  hiprtc_check(f.hiprtcCreateProgram(&prog, gpu::kFillKernelSource, "tessera_fill.hip", 0,
                                     nullptr, nullptr),
               "hiprtcCreateProgram", info, "");
  std::unique_ptr<hiprtcProgram, void (*)(hiprtcProgram*)> guard(
      &prog, [](hiprtcProgram* p) { hiprtc().fn.hiprtcDestroyProgram(p); });
  std::string arch = "--gpu-architecture=" + info.caps.target;
  const char* options[] = {arch.c_str()};
  const int compiled = f.hiprtcCompileProgram(prog, 1, options);
  std::size_t log_size = 0;
  std::string log;
  if (f.hiprtcGetProgramLogSize(prog, &log_size) == 0 && log_size > 1) {
    log.resize(log_size);
    f.hiprtcGetProgramLog(prog, log.data());
    log.resize(log_size - 1);
  }
  hiprtc_check(compiled, "hiprtcCompileProgram", info, log);
  Binary b;
  b.format = Binary::Format::kHsaco;
  b.kernel_name = gpu::kFillKernelName;
  b.log = log;
  std::size_t size = 0;
  hiprtc_check(f.hiprtcGetCodeSize(prog, &size), "hiprtcGetCodeSize", info, log);
  b.image.resize(size);
  hiprtc_check(f.hiprtcGetCode(prog, reinterpret_cast<char*>(b.image.data())), "hiprtcGetCode",
               info, log);
  return b;
}

std::string hiprtc_version() {
  const Loaded<HiprtcApi>& rtc = hiprtc();
  if (!rtc.ok()) return cat("hiprtc unavailable (", rtc.error, ")");
  int major = 0, minor = 0;
  if (rtc.fn.hiprtcVersion(&major, &minor) != 0) return "hiprtc (hiprtcVersion failed)";
  return cat("hiprtc ", major, ".", minor);
}

}  // namespace tessera::backend::hip

namespace tessera::backend {

void register_hip_backend(Registry& registry) {
  Backend b;
  b.kind = runtime::DeviceKind::hip;
  b.runtime = std::make_unique<gpu::GpuRuntime<hip::HipApiTrait>>();
  // As for CUDA: neither role loads anything until used (hiprtc and comgr are dlopen'ed at the
  // first compile, which checks the target against comgr's ISA list before calling hiprtc).
  b.codegen = hip::make_hip_codegen();
  b.compiler = hip::make_hip_compiler();
  registry.add(std::move(b));
}

}  // namespace tessera::backend
