// SPDX-License-Identifier: Apache-2.0
// Compiled only when the HIP headers are found (TS_HAVE_HIP_HEADERS): checks at compile time
// that api.h's declarations match hip_runtime_api.h and hiprtc.h: constants, attribute
// numbers, the gcnArchName offset of the R0000 properties layout, and every api.def signature.
#define __HIP_PLATFORM_AMD__ 1
#include <hip/hip_runtime_api.h>
#include <hip/hiprtc.h>
#if __has_include(<amd_comgr.h>)  // libamd-comgr-dev; /opt/rocm/include has it beside hip/
#include <amd_comgr.h>
#define TS_IMPL_HAVE_COMGR_H 1
#endif

#include <cstddef>

#include "hip/api.h"

namespace tessera::backend::hip {
namespace {

// The def file's signatures spelled with the headers' own types: inside `theirs`, the names
// hipError_t, hipStream_t, ... are the headers' types, so `theirs::Fn_<name>` is the function
// pointer type the header would declare for that signature.
namespace theirs {
using ::hipDeviceAttribute_t;
using ::hipError_t;
using ::hipEvent_t;
using ::hipFunction_t;
using ::hipMemcpyKind;
using ::hipModule_t;
using ::hipStream_t;
using ::hiprtcProgram;
using ::hiprtcResult;
#define TS_HIP_FN(ret, name, params) using Fn_##name = ret(*) params;
#define TS_HIPRTC_FN(ret, name, params) using Fn_##name = ret(*) params;
#include "hip/api.def"
#undef TS_HIP_FN
#undef TS_HIPRTC_FN
#if TS_IMPL_HAVE_COMGR_H
using ::amd_comgr_status_t;
#define TS_COMGR_FN(ret, name, params) using Fn_##name = ret(*) params;
#include "hip/api.def"
#undef TS_COMGR_FN
#endif
}  // namespace theirs

static_assert(sizeof(hipError_t) == sizeof(::hipError_t));
static_assert(sizeof(hiprtcResult) == sizeof(::hiprtcResult));
static_assert(sizeof(hipDeviceAttribute_t) == sizeof(::hipDeviceAttribute_t));
static_assert(sizeof(hipMemcpyKind) == sizeof(::hipMemcpyKind));
static_assert(kHipSuccess == ::hipSuccess);
static_assert(kHipErrorOutOfMemory == ::hipErrorOutOfMemory);
static_assert(kHipErrorNoDevice == ::hipErrorNoDevice);
static_assert(kHipMemcpyHostToDevice == ::hipMemcpyHostToDevice);
static_assert(kHipMemcpyDeviceToHost == ::hipMemcpyDeviceToHost);
static_assert(kHipMemcpyDeviceToDevice == ::hipMemcpyDeviceToDevice);
static_assert(kHipStreamNonBlocking == hipStreamNonBlocking);
static_assert(kHipHostMallocPortable == hipHostMallocPortable);
static_assert(kAttrClockRate == ::hipDeviceAttributeClockRate);
static_assert(kAttrL2CacheSize == ::hipDeviceAttributeL2CacheSize);
static_assert(kAttrMaxThreadsPerBlock == ::hipDeviceAttributeMaxThreadsPerBlock);
static_assert(kAttrMultiprocessorCount == ::hipDeviceAttributeMultiprocessorCount);
static_assert(kAttrMaxSharedMemoryPerBlock == ::hipDeviceAttributeMaxSharedMemoryPerBlock);
static_assert(kAttrWarpSize == ::hipDeviceAttributeWarpSize);
static_assert(kAttrMaxSharedMemoryPerMultiprocessor ==
              ::hipDeviceAttributeMaxSharedMemoryPerMultiprocessor);
static_assert(offsetof(::hipDeviceProp_t, name) == 0);
static_assert(offsetof(::hipDeviceProp_t, gcnArchName) == kPropsGcnArchNameOffset);
static_assert(sizeof(::hipDeviceProp_t) <= kPropsBufferBytes);

// static_cast to the exact pointer type picks the header's function out of its overload set
// (hip_runtime_api.h adds C++ template overloads of hipMalloc and friends) and fails to compile
// if no overload has exactly that signature. Our own table's types must be ABI-identical too.
#define TS_HIP_FN(ret, name, params)                                                         \
  static_assert(static_cast<theirs::Fn_##name>(&::name) != nullptr,                          \
                "api.def signature of " #name " differs from hip_runtime_api.h");           \
  static_assert(sizeof(decltype(HipApi{}.name)) == sizeof(theirs::Fn_##name));
#define TS_HIPRTC_FN(ret, name, params)                                                      \
  static_assert(static_cast<theirs::Fn_##name>(&::name) != nullptr,                          \
                "api.def signature of " #name " differs from hiprtc.h");
#include "hip/api.def"
#undef TS_HIP_FN
#undef TS_HIPRTC_FN

#if TS_IMPL_HAVE_COMGR_H
static_assert(sizeof(amd_comgr_status_t) == sizeof(::amd_comgr_status_t));
static_assert(::AMD_COMGR_STATUS_SUCCESS == 0);
#define TS_COMGR_FN(ret, name, params)                                                       \
  static_assert(static_cast<theirs::Fn_##name>(&::name) != nullptr,                          \
                "api.def signature of " #name " differs from amd_comgr.h");
#include "hip/api.def"
#undef TS_COMGR_FN
#endif

}  // namespace
}  // namespace tessera::backend::hip
