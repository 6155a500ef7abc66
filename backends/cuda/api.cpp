// SPDX-License-Identifier: Apache-2.0
// Run-time loading of the CUDA driver and NVRTC (../shared/DEPENDENCIES.md: never link
// CUDA::cuda_driver or CUDA::nvrtc, or the binary cannot start on a machine without a driver).
#include "cuda/api.h"

#include <array>

#include "gpu_common/dynamic_library.h"
#include "tessera/error.h"

namespace tessera::backend::cuda {

namespace {

// cuGetProcAddress_v2 (CUDA 12.0+): the driver's own symbol lookup, which, unlike dlsym, honours
// the ABI version we ask for and per-thread-default-stream variants.
using GetProcAddressFn = CUresult (*)(const char* symbol, void** fn, int cuda_version,
                                      unsigned long long flags, int* symbol_status);
constexpr unsigned long long kGetProcAddressDefault = 0;  // CU_GET_PROC_ADDRESS_DEFAULT
constexpr int kSymbolFound = 0;                           // CU_GET_PROC_ADDRESS_SUCCESS

Loaded<DriverApi> load_driver() {
  Loaded<DriverApi> out;
  // libcuda.so.1 is the driver's ABI-stable soname; the unversioned libcuda.so exists only with
  // development packages and may be the toolkit's stub, which fails every call.
  static constexpr std::array<const char*, 1> kNames{"libcuda.so.1"};
  const gpu::DynamicLibrary lib = gpu::DynamicLibrary::open_first(kNames);
  if (!lib.loaded()) {
    out.error = lib.error();
    return out;
  }
  out.library = lib.name();
  auto get_proc = reinterpret_cast<GetProcAddressFn>(lib.symbol("cuGetProcAddress_v2"));
  if (get_proc == nullptr) {
    out.error = cat(lib.name(), " has no cuGetProcAddress_v2: the CUDA driver is older than 12.0; "
                    "install a CUDA 12+ driver");
    return out;
  }
  auto resolve = [&](const char* name, void** slot) {
    int status = -1;
    const CUresult r = get_proc(name, slot, kCudaAbiVersion, kGetProcAddressDefault, &status);
    if ((r != kCudaSuccess || status != kSymbolFound || *slot == nullptr) && out.error.empty()) {
      out.error = cat("cuGetProcAddress(\"", name, "\", version ", kCudaAbiVersion, ") failed (",
                      "CUresult ", r, ", symbol status ", status, ") in ", lib.name());
    }
  };
#define TS_CUDA_FN(ret, symbol_name, params) \
  resolve(#symbol_name, reinterpret_cast<void**>(&out.fn.symbol_name));
#include "cuda/api.def"
#undef TS_CUDA_FN
  return out;
}

Loaded<NvrtcApi> load_nvrtc() {
  Loaded<NvrtcApi> out;
  // Newest first; NVRTC's soname carries the major version (12.x: libnvrtc.so.12). The CUDA
  // toolkit's lib folder is tried last for installs that did not run ldconfig.
  static constexpr std::array<const char*, 6> kNames{
      "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so",
      "/usr/local/cuda/lib64/libnvrtc.so.13", "/usr/local/cuda/lib64/libnvrtc.so.12"};
  const gpu::DynamicLibrary lib = gpu::DynamicLibrary::open_first(kNames);
  if (!lib.loaded()) {
    out.error = lib.error();
    return out;
  }
  out.library = lib.name();
#define TS_NVRTC_FN(ret, symbol_name, params)                                         \
  out.fn.symbol_name = reinterpret_cast<decltype(out.fn.symbol_name)>(                \
      lib.symbol(#symbol_name));                                                      \
  if (out.fn.symbol_name == nullptr && out.error.empty()) {                           \
    out.error = cat(lib.name(), " has no symbol ", #symbol_name);                     \
  }
#include "cuda/api.def"
#undef TS_NVRTC_FN
  return out;
}

}  // namespace

const Loaded<DriverApi>& driver() {
  static const Loaded<DriverApi> loaded = load_driver();
  return loaded;
}

const Loaded<NvrtcApi>& nvrtc() {
  static const Loaded<NvrtcApi> loaded = load_nvrtc();
  return loaded;
}

std::string cuda_error_name(long code) {
  const char* s = nullptr;
  if (driver().ok() && driver().fn.cuGetErrorName(static_cast<CUresult>(code), &s) == kCudaSuccess && s) {
    return s;
  }
  return cat("CUresult ", code);
}

std::string cuda_error_text(long code) {
  const char* s = nullptr;
  if (driver().ok() && driver().fn.cuGetErrorString(static_cast<CUresult>(code), &s) == kCudaSuccess && s) {
    return s;
  }
  return "unknown error";
}

std::string cuda_version_string(int version) {
  return cat(version / 1000, ".", (version % 1000) / 10);
}

}  // namespace tessera::backend::cuda
