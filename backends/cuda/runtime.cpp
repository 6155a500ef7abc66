// SPDX-License-Identifier: Apache-2.0
// The CUDA API trait for the shared GPU runtime (gpu_common/gpu_runtime.h) and the backend's
// registration. Everything vendor-specific about CUDA's runtime is in this file and caps.cpp.
#include "cuda/runtime.h"

#include <cstdint>
#include <memory>
#include <vector>

#include "cuda/api.h"
#include "cuda/codegen.h"
#include "cuda/compiler.h"
#include "gpu_common/fill_kernel.h"
#include "gpu_common/gpu_runtime.h"
#include "tessera/error.h"
#include "tessera/runtime/driver_error.h"
#include "tessera/runtime/registry.h"

namespace tessera::backend::cuda {

namespace {

using gpu::ApiStatus;

const DriverApi& fn() { return driver().fn; }
CUdeviceptr dptr(const void* p) { return reinterpret_cast<CUdeviceptr>(p); }

/// cuInit and the device count, once per process.
runtime::BackendStatus probe() {
  runtime::BackendStatus s;
  s.kind = runtime::DeviceKind::cuda;
  const Loaded<DriverApi>& drv = driver();
  if (!drv.ok()) {
    s.reason = drv.error;
    return s;
  }
  s.libraries.push_back(drv.library);
  if (nvrtc().ok()) s.libraries.push_back(nvrtc().library);
  if (const CUresult r = drv.fn.cuInit(0); r != kCudaSuccess) {
    s.reason = cat("cuInit: ", cuda_error_name(r), " (", cuda_error_text(r), ")");
    return s;
  }
  int count = 0;
  if (const CUresult r = drv.fn.cuDeviceGetCount(&count); r != kCudaSuccess) {
    s.reason = cat("cuDeviceGetCount: ", cuda_error_name(r), " (", cuda_error_text(r), ")");
    return s;
  }
  if (count == 0) {
    s.reason = "the CUDA driver reports no devices (check CUDA_VISIBLE_DEVICES)";
    return s;
  }
  s.available = true;
  return s;
}

/// The trait: each function maps one-to-one onto a driver call and names it.
struct CudaApi {
  static constexpr runtime::DeviceKind kKind = runtime::DeviceKind::cuda;
  struct Context {
    CUdevice device = 0;
    CUcontext context = nullptr;
  };
  using Stream = CUstream;
  using Event = CUevent;
  using Module = CUmodule;
  using Function = CUfunction;

  static runtime::BackendStatus status() {
    static const runtime::BackendStatus s = probe();
    return s;
  }
  static int device_count() {
    int n = 0;
    return fn().cuDeviceGetCount(&n) == kCudaSuccess ? n : 0;
  }
  static runtime::DeviceInfo query_device(int ordinal) { return cuda::query_device(ordinal); }
  static std::string error_name(long c) { return cuda_error_name(c); }
  static std::string error_text(long c) { return cuda_error_text(c); }
  static bool is_out_of_memory(long c) { return c == kCudaErrorOutOfMemory; }

  // The primary context is the one the CUDA runtime (and so PyTorch) uses: sharing it makes
  // pointers and streams interchangeable with theirs.
  static ApiStatus context_retain(int ordinal, Context* c) {
    if (CUresult r = fn().cuDeviceGet(&c->device, ordinal); r != kCudaSuccess) {
      return {r, "cuDeviceGet"};
    }
    return {fn().cuDevicePrimaryCtxRetain(&c->context, c->device), "cuDevicePrimaryCtxRetain"};
  }
  static ApiStatus context_release(Context& c) {
    return {fn().cuDevicePrimaryCtxRelease(c.device), "cuDevicePrimaryCtxRelease"};
  }
  static ApiStatus make_current(const Context& c) {
    return {fn().cuCtxSetCurrent(c.context), "cuCtxSetCurrent"};
  }
  static ApiStatus malloc(void** p, std::size_t n) {
    CUdeviceptr d = 0;
    const CUresult r = fn().cuMemAlloc(&d, n);
    *p = reinterpret_cast<void*>(d);
    return {r, "cuMemAlloc"};
  }
  static ApiStatus free(void* p) { return {fn().cuMemFree(dptr(p)), "cuMemFree"}; }
  // Portable: pinned for every context, so a PinnedBuffer from cuda:0 also copies at full
  // speed to cuda:1 (without the flag other contexts treat it as pageable and stage it).
  static ApiStatus malloc_host(void** p, std::size_t n) {
    return {fn().cuMemHostAlloc(p, n, kMemHostAllocPortable), "cuMemHostAlloc"};
  }
  static ApiStatus free_host(void* p) { return {fn().cuMemFreeHost(p), "cuMemFreeHost"}; }
  static ApiStatus mem_get_info(std::size_t* free, std::size_t* total) {
    return {fn().cuMemGetInfo(free, total), "cuMemGetInfo"};
  }
  // Only the stream-ordered forms: the shared runtime makes a synchronous copy by enqueueing on
  // the legacy null stream and synchronizing it, because the driver's "synchronous" cuMemcpy
  // DtoD, HtoD from pageable memory and cuMemsetD8 may return before the device is done (CUDA
  // driver API docs, "API synchronization behavior").
  static ApiStatus memcpy(void* dst, const void* src, std::size_t n, CopyKind kind, Stream s) {
    switch (kind) {
      case CopyKind::kHostToDevice:
        return {fn().cuMemcpyHtoDAsync(dptr(dst), src, n, s), "cuMemcpyHtoDAsync"};
      case CopyKind::kDeviceToHost:
        return {fn().cuMemcpyDtoHAsync(dst, dptr(src), n, s), "cuMemcpyDtoHAsync"};
      case CopyKind::kDeviceToDevice:
        return {fn().cuMemcpyDtoDAsync(dptr(dst), dptr(src), n, s), "cuMemcpyDtoDAsync"};
    }
    return {1, "memcpy (bad CopyKind)"};
  }
  static ApiStatus memset(void* dst, std::uint8_t v, std::size_t n, Stream s) {
    return {fn().cuMemsetD8Async(dptr(dst), v, n, s), "cuMemsetD8Async"};
  }
  // Non-blocking streams do not serialize with the legacy null stream, which other libraries
  // in the process (PyTorch's default stream) may be using.
  static ApiStatus stream_create(Stream* s) {
    return {fn().cuStreamCreate(s, kStreamNonBlocking), "cuStreamCreate"};
  }
  static ApiStatus stream_destroy(Stream s) { return {fn().cuStreamDestroy(s), "cuStreamDestroy"}; }
  static ApiStatus stream_synchronize(Stream s) {
    return {fn().cuStreamSynchronize(s), "cuStreamSynchronize"};
  }
  static ApiStatus event_create(Event* e) { return {fn().cuEventCreate(e, kEventDefault), "cuEventCreate"}; }
  static ApiStatus event_destroy(Event e) { return {fn().cuEventDestroy(e), "cuEventDestroy"}; }
  static ApiStatus event_record(Event e, Stream s) { return {fn().cuEventRecord(e, s), "cuEventRecord"}; }
  static ApiStatus event_synchronize(Event e) {
    return {fn().cuEventSynchronize(e), "cuEventSynchronize"};
  }
  static ApiStatus event_elapsed(float* ms, Event start, Event end) {
    return {fn().cuEventElapsedTime(ms, start, end), "cuEventElapsedTime"};
  }
  static ApiStatus device_synchronize() { return {fn().cuCtxSynchronize(), "cuCtxSynchronize"}; }
  static ApiStatus module_load(Module* m, const void* image) {
    return {fn().cuModuleLoadData(m, image), "cuModuleLoadData"};
  }
  static ApiStatus module_unload(Module m) { return {fn().cuModuleUnload(m), "cuModuleUnload"}; }
  static ApiStatus module_function(Function* f, Module m, const char* name) {
    if (const CUresult r = fn().cuModuleGetFunction(f, m, name); r != kCudaSuccess) return {r, "cuModuleGetFunction"};
    return allow_dynamic_smem(*f);
  }
  // More than 48 KB of dynamic shared memory per block needs the function's opt-in (CUDA C++
  // Programming Guide, "Shared Memory" of compute capability 7.x and later:
  // MAX_DYNAMIC_SHARED_SIZE_BYTES), checked at every launch. Raise it once, at lookup, to all
  // the device allows beside the function's static arrays (Triton's loader does the same), so
  // a launch stays one driver call whatever Source::launch.dynamic_smem_bytes says.
  static ApiStatus allow_dynamic_smem(CUfunction f) {
    CUdevice dev = 0;
    int optin = 0, fixed = 0;
    if (const CUresult r = fn().cuCtxGetDevice(&dev); r != kCudaSuccess) return {r, "cuCtxGetDevice"};
    if (const CUresult r = fn().cuDeviceGetAttribute(&optin, kAttrMaxSharedMemoryPerBlockOptin, dev); r != kCudaSuccess)
      return {r, "cuDeviceGetAttribute"};
    if (const CUresult r = fn().cuFuncGetAttribute(&fixed, kFuncAttrSharedSizeBytes, f); r != kCudaSuccess)
      return {r, "cuFuncGetAttribute"};
    if (optin - fixed <= 48 * 1024) return {kCudaSuccess, "cuFuncSetAttribute"};
    return {fn().cuFuncSetAttribute(f, kFuncAttrMaxDynamicSharedSizeBytes, optin - fixed), "cuFuncSetAttribute"};
  }
  static ApiStatus launch(Function f, const LaunchParams& p, Stream s, void** args) {
    return {fn().cuLaunchKernel(f, p.grid[0], p.grid[1], p.grid[2], p.block[0], p.block[1],
                                p.block[2], p.smem_bytes, s, args, nullptr),
            "cuLaunchKernel"};
  }

  // A 2-D map, columns innermost; the caller's geometry is checked first so a tensor that cannot
  // have one gets a message naming it instead of the driver's CUDA_ERROR_INVALID_VALUE.
  static ApiStatus encode_tensor_map(const TensorMapParam& p, const void* data, std::int64_t rows, std::int64_t cols,
                                     std::int64_t row_stride, TensorMapBlob* out) {
    const std::int64_t stride_bytes = row_stride * p.element_bytes;
    TS_USER_CHECK(reinterpret_cast<std::uintptr_t>(data) % 16 == 0 && (rows <= 1 || stride_bytes % 16 == 0) &&
                  rows >= 1 && cols >= 1)
        << "tensor '" << p.tensor << "' (" << rows << " x " << cols << ", row stride " << row_stride
        << " elements): a TMA tensor map needs a 16-byte aligned start and a row stride that is a multiple of 16 "
           "bytes; pass such a tensor or set \"indexing\": \"pointer\" for this load in the config";
    const int type = p.element_bytes == 1   ? kTensorMapDataTypeUint8
                     : p.element_bytes == 2 ? kTensorMapDataTypeUint16
                     : p.element_bytes == 4 ? kTensorMapDataTypeUint32
                                            : kTensorMapDataTypeUint64;
    const int swizzle = p.swizzle_bytes == 128 ? kTensorMapSwizzle128B
                        : p.swizzle_bytes == 64 ? kTensorMapSwizzle64B
                        : p.swizzle_bytes == 32 ? kTensorMapSwizzle32B
                                                : kTensorMapSwizzleNone;
    const std::uint64_t dims[2] = {static_cast<std::uint64_t>(cols), static_cast<std::uint64_t>(rows)};
    // One row: any stride is fine; the driver still wants a multiple of 16 >= the row's bytes.
    const std::uint64_t strides[1] = {static_cast<std::uint64_t>(
        rows > 1 ? stride_bytes : (cols * p.element_bytes + 15) / 16 * 16)};
    const std::uint32_t box[2] = {p.box_cols, p.box_rows};
    const std::uint32_t unit[2] = {1, 1};
    static_assert(sizeof(CUtensorMap) == sizeof(TensorMapBlob) && alignof(CUtensorMap) == alignof(TensorMapBlob));
    return {fn().cuTensorMapEncodeTiled(reinterpret_cast<CUtensorMap*>(out), type, 2, const_cast<void*>(data), dims,
                                        strides, box, unit, kTensorMapInterleaveNone, swizzle, kTensorMapL2Promotion128B,
                                        kTensorMapOobFillNone),
            "cuTensorMapEncodeTiled"};
  }

  static Binary compile_fill_kernel(const runtime::DeviceInfo& info) {
    return cuda::compile_fill_kernel(info);
  }
};

/// NVRTC calls, checked: failures name the call and NVRTC's error string.
void nvrtc_check(int r, const char* call, const runtime::DeviceInfo& info, const std::string& log) {
  if (r == 0) return;
  // nvrtcGetErrorString gives the enumerator's name (NVRTC_ERROR_COMPILATION); the log says why.
  const char* name = nvrtc().fn.nvrtcGetErrorString(r);
  throw runtime::DriverError(call, r, name ? name : cat("nvrtcResult ", r), "NVRTC failed", info.id,
                             cat("compiling the runtime's kernel '", gpu::kFillKernelName,
                                 "' for ", info.caps.target, "; NVRTC log:\n", log));
}

}  // namespace

Binary compile_fill_kernel(const runtime::DeviceInfo& info) {
  const Loaded<NvrtcApi>& rtc = nvrtc();
  TS_USER_CHECK(rtc.ok()) << "filling memory on " << info.id.str()
                          << " needs NVRTC to compile a kernel, and NVRTC is not available: "
                          << rtc.error << " (install the CUDA toolkit's libnvrtc)";
  TS_USER_CHECK(!info.caps.target.empty())
      << "cannot compile for " << info.id.str() << " (" << info.name
      << "): its compute capability is not in Tessera's target table";
  const NvrtcApi& f = rtc.fn;
  nvrtcProgram prog = nullptr;
  nvrtc_check(f.nvrtcCreateProgram(&prog, gpu::kFillKernelSource, "tessera_fill.cu", 0, nullptr,
                                   nullptr),
              "nvrtcCreateProgram", info, "");
  // Owns the program from here on, so every exit path destroys it.
  std::unique_ptr<nvrtcProgram, void (*)(nvrtcProgram*)> guard(
      &prog, [](nvrtcProgram* p) { nvrtc().fn.nvrtcDestroyProgram(p); });
  const std::string arch = "--gpu-architecture=" + info.caps.target;  // SASS for this exact GPU
  const char* options[] = {arch.c_str()};
  const int compiled = f.nvrtcCompileProgram(prog, 1, options);
  std::size_t log_size = 0;
  std::string log;
  if (f.nvrtcGetProgramLogSize(prog, &log_size) == 0 && log_size > 1) {
    log.resize(log_size);
    f.nvrtcGetProgramLog(prog, log.data());
    log.resize(log_size - 1);  // drop the terminating NUL
  }
  nvrtc_check(compiled, "nvrtcCompileProgram", info, log);
  Binary b;
  b.format = Binary::Format::kCubin;
  b.kernel_name = gpu::kFillKernelName;
  b.log = log;
  std::size_t size = 0;
  nvrtc_check(f.nvrtcGetCUBINSize(prog, &size), "nvrtcGetCUBINSize", info, log);
  b.image.resize(size);
  nvrtc_check(f.nvrtcGetCUBIN(prog, reinterpret_cast<char*>(b.image.data())), "nvrtcGetCUBIN",
              info, log);
  return b;
}

std::string nvrtc_version() {
  const Loaded<NvrtcApi>& rtc = nvrtc();
  if (!rtc.ok()) return cat("nvrtc unavailable (", rtc.error, ")");
  int major = 0, minor = 0;
  if (rtc.fn.nvrtcVersion(&major, &minor) != 0) return "nvrtc (nvrtcVersion failed)";
  return cat("nvrtc ", major, ".", minor);
}

}  // namespace tessera::backend::cuda

namespace tessera::backend {

void register_cuda_backend(Registry& registry) {
  Backend b;
  b.kind = runtime::DeviceKind::cuda;
  b.runtime = std::make_unique<gpu::GpuRuntime<cuda::CudaApi>>();
  // Both roles load nothing until used: NVRTC is dlopen'ed at the first compile, so machines
  // without it still enumerate devices and compiling says why it cannot.
  b.codegen = cuda::make_cuda_codegen();
  b.compiler = cuda::make_cuda_compiler();
  registry.add(std::move(b));
}

}  // namespace tessera::backend
