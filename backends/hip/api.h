// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The HIP runtime and hiprtc as Tessera sees them: a few types declared here, so the build
/// needs no ROCm, and function tables filled at run time from `libamdhip64.so.*` and hiprtc
/// (a separate `libhiprtc.so` on ROCm 6+, inside libamdhip64 on ROCm 5.x). When the HIP
/// headers are installed, api_check.cpp compiles these declarations against them and fails
/// the build on any mismatch.
///
/// Attribute numbers: the values of ROCm 5.2's hipDeviceAttribute_t (checked by api_check.cpp
/// against the installed headers). They sit in the enum's CUDA-compatible range, which HIP keeps
/// stable across releases because HIP-on-NVIDIA maps it onto CUDA's attributes.

#include <cstddef>
#include <string>

namespace tessera::backend::hip {

// ---- Types (hip_runtime_api.h / hiprtc.h names, ABI-identical) ---------------------------------
using hipError_t = int;
using hipDeviceAttribute_t = int;
using hipMemcpyKind = int;
using hipStream_t = struct ihipStream_t*;
using hipEvent_t = struct ihipEvent_t*;
using hipModule_t = struct ihipModule_t*;
using hipFunction_t = struct ihipModuleSymbol_t*;
using hiprtcResult = int;
using hiprtcProgram = struct _hiprtcProgram*;
using amd_comgr_status_t = int;

// ---- Constants ---------------------------------------------------------------------------------
inline constexpr hipError_t kHipSuccess = 0;
inline constexpr hipError_t kHipErrorOutOfMemory = 2;
inline constexpr hipError_t kHipErrorNoDevice = 100;
inline constexpr hipMemcpyKind kHipMemcpyHostToDevice = 1;
inline constexpr hipMemcpyKind kHipMemcpyDeviceToHost = 2;
inline constexpr hipMemcpyKind kHipMemcpyDeviceToDevice = 3;
inline constexpr unsigned kHipStreamNonBlocking = 0x1;
inline constexpr unsigned kHipHostMallocPortable = 0x1;  // pinned for every device
inline constexpr int kAttrClockRate = 5;
inline constexpr int kAttrL2CacheSize = 19;
inline constexpr int kAttrMaxThreadsPerBlock = 56;
inline constexpr int kAttrMultiprocessorCount = 63;
inline constexpr int kAttrMaxSharedMemoryPerBlock = 74;
inline constexpr int kAttrWarpSize = 87;
/// AMD-specific range (hipDeviceAttributeAmdSpecificBegin = 10000): LDS per compute unit.
inline constexpr int kAttrMaxSharedMemoryPerMultiprocessor = 10002;

/// hipGetDeviceProperties' structure is the one way to read the gfx target name
/// (`gcnArchName`, e.g. "gfx90a:sramecc+:xnack-"); no attribute reports it as text. Its layout
/// changed in ROCm 6 (hipDeviceProp_tR0600), but the unversioned `hipGetDeviceProperties`
/// symbol keeps filling the ROCm 5 layout (R0000) for binaries built against 5.x, which is the
/// layout used here: `name` at offset 0, `gcnArchName` at the offset below (checked against
/// the installed header by api_check.cpp). The buffer is larger than either layout.
inline constexpr std::size_t kPropsGcnArchNameOffset = 396;
inline constexpr std::size_t kPropsBufferBytes = 4096;
using GetDevicePropertiesFn = hipError_t (*)(void* props, int device);

/// libamdhip64 functions, filled by `hip_runtime()`.
struct HipApi {
#define TS_HIP_FN(ret, name, params) ret(*name) params = nullptr;
#include "hip/api.def"
#undef TS_HIP_FN
  /// Optional (see kPropsGcnArchNameOffset): null if a future ROCm drops the R0000 symbol.
  GetDevicePropertiesFn hipGetDeviceProperties = nullptr;
};

/// hiprtc functions, filled by `hiprtc()`.
struct HiprtcApi {
#define TS_HIPRTC_FN(ret, name, params) ret(*name) params = nullptr;
#include "hip/api.def"
#undef TS_HIPRTC_FN
};

/// libamd_comgr functions, filled by `comgr()`.
struct ComgrApi {
#define TS_COMGR_FN(ret, name, params) ret(*name) params = nullptr;
#include "hip/api.def"
#undef TS_COMGR_FN
};

/// A library table and why it is unusable (empty `error` = usable).
template <class Table>
struct Loaded {
  Table fn;
  std::string library;
  std::string error;
  bool ok() const { return error.empty(); }
};

/// Loads libamdhip64 (newest soname first) once; thread safe. Does not call hipInit.
const Loaded<HipApi>& hip_runtime();
/// Loads hiprtc once (libhiprtc.so.* first, then the symbols inside libamdhip64).
const Loaded<HiprtcApi>& hiprtc();

/// Loads the code object manager once (libamd_comgr.so.3, .so.2, ...); thread safe. ROCm 5.2's
/// hiprtc crashes the process inside comgr on a target comgr does not know
/// (../shared/DEPENDENCIES.md), so compiler.cpp checks targets against this library's ISA list.
const Loaded<ComgrApi>& comgr();

/// "hipErrorOutOfMemory" / "out of memory" from the runtime; a placeholder naming the number
/// when the library is not loaded.
std::string hip_error_name(long code);
std::string hip_error_text(long code);

/// HIP's version numbers are major * 10^7 + minor * 10^5 + patch: "5.2" from 50221153.
std::string hip_version_string(int version);

}  // namespace tessera::backend::hip
