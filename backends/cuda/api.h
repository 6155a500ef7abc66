// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The CUDA driver API and NVRTC as Tessera sees them: a few types declared here ([Halide]
/// mini_cuda.h), so the build needs no CUDA toolkit, and function tables filled at run time from
/// `libcuda.so.1` (via cuGetProcAddress) and `libnvrtc.so.*` (via dlsym). When the toolkit is
/// installed, api_check.cpp compiles these declarations against cuda.h and nvrtc.h and fails
/// the build on any mismatch, so the two can never drift apart silently.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tessera::backend::cuda {

// ---- Types (cuda.h names, ABI-identical) --------------------------------------------------------
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st*;
using CUstream = struct CUstream_st*;
using CUevent = struct CUevent_st*;
using CUmodule = struct CUmod_st*;
using CUfunction = struct CUfunc_st*;
using CUdevice_attribute = int;
using CUfunction_attribute = int;
using nvrtcResult = int;
using nvrtcProgram = struct _nvrtcProgram*;
/// cuda.h's CUtensorMap: 128 opaque bytes, 128-byte aligned in CUDA 13 (the driver needs 64).
struct alignas(128) CUtensorMap_st {
  unsigned long long opaque[16];
};
using CUtensorMap = CUtensorMap_st;

// ---- Constants (values from CUDA 13.0 cuda.h; api_check.cpp compares them) ------------------------
inline constexpr CUresult kCudaSuccess = 0;
inline constexpr CUresult kCudaErrorOutOfMemory = 2;
inline constexpr CUresult kCudaErrorNoDevice = 100;
inline constexpr int kAttrMaxThreadsPerBlock = 1;
inline constexpr int kAttrWarpSize = 10;
inline constexpr int kAttrClockRate = 13;
inline constexpr int kAttrMultiprocessorCount = 16;
inline constexpr int kAttrL2CacheSize = 38;
inline constexpr int kAttrComputeCapabilityMajor = 75;
inline constexpr int kAttrComputeCapabilityMinor = 76;
inline constexpr int kAttrMaxSharedMemoryPerMultiprocessor = 81;
inline constexpr int kAttrMaxSharedMemoryPerBlockOptin = 97;
inline constexpr int kFuncAttrSharedSizeBytes = 1;            // CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES
inline constexpr int kFuncAttrMaxDynamicSharedSizeBytes = 8;  // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
inline constexpr unsigned kStreamNonBlocking = 0x1;  // CU_STREAM_NON_BLOCKING
inline constexpr unsigned kEventDefault = 0x0;       // CU_EVENT_DEFAULT (timing enabled)
inline constexpr unsigned kMemHostAllocPortable = 0x1;  // CU_MEMHOSTALLOC_PORTABLE
// cuTensorMapEncodeTiled's enum arguments (int on our side, as the other enums).
inline constexpr int kTensorMapDataTypeUint8 = 0;    // CU_TENSOR_MAP_DATA_TYPE_UINT8
inline constexpr int kTensorMapDataTypeUint16 = 1;   // CU_TENSOR_MAP_DATA_TYPE_UINT16
inline constexpr int kTensorMapDataTypeUint32 = 2;   // CU_TENSOR_MAP_DATA_TYPE_UINT32
inline constexpr int kTensorMapDataTypeUint64 = 4;   // CU_TENSOR_MAP_DATA_TYPE_UINT64
inline constexpr int kTensorMapInterleaveNone = 0;   // CU_TENSOR_MAP_INTERLEAVE_NONE
inline constexpr int kTensorMapSwizzleNone = 0;      // CU_TENSOR_MAP_SWIZZLE_NONE
inline constexpr int kTensorMapSwizzle32B = 1;       // CU_TENSOR_MAP_SWIZZLE_32B
inline constexpr int kTensorMapSwizzle64B = 2;       // CU_TENSOR_MAP_SWIZZLE_64B
inline constexpr int kTensorMapSwizzle128B = 3;      // CU_TENSOR_MAP_SWIZZLE_128B
inline constexpr int kTensorMapL2Promotion128B = 2;  // CU_TENSOR_MAP_L2_PROMOTION_L2_128B
inline constexpr int kTensorMapOobFillNone = 0;      // CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE (zeros)

/// The CUDA version whose ABI the signatures in api.def follow. cuGetProcAddress returns, for
/// each base name, the variant that version used (cuMemAlloc -> cuMemAlloc_v2, cuStreamDestroy
/// -> cuStreamDestroy_v2). 12.0 is also the first driver with cuGetProcAddress_v2.
inline constexpr int kCudaAbiVersion = 12000;

/// Driver functions, filled by `driver()`.
struct DriverApi {
#define TS_CUDA_FN(ret, name, params) ret(*name) params = nullptr;
#include "cuda/api.def"
#undef TS_CUDA_FN
};

/// NVRTC functions, filled by `nvrtc()`.
struct NvrtcApi {
#define TS_NVRTC_FN(ret, name, params) ret(*name) params = nullptr;
#include "cuda/api.def"
#undef TS_NVRTC_FN
};

/// A library table and why it is unusable (empty `error` = usable).
template <class Table>
struct Loaded {
  Table fn;
  std::string library;  ///< soname that loaded
  std::string error;    ///< what failed: the loader's message or the missing symbol
  bool ok() const { return error.empty(); }
};

/// Loads libcuda.so.1 and resolves every TS_CUDA_FN once (thread safe). Does not call cuInit.
const Loaded<DriverApi>& driver();
/// Loads NVRTC (newest soname first) and resolves every TS_NVRTC_FN once (thread safe).
const Loaded<NvrtcApi>& nvrtc();

/// "CUDA_ERROR_OUT_OF_MEMORY" / "out of memory" from the driver; a placeholder naming the
/// number if the driver is not loaded or does not know it.
std::string cuda_error_name(long code);
std::string cuda_error_text(long code);

/// "13.0" from 13000.
std::string cuda_version_string(int version);

}  // namespace tessera::backend::cuda
