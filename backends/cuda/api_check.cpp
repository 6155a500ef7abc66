// SPDX-License-Identifier: Apache-2.0
// Compiled only when the CUDA toolkit's headers are found (TS_HAVE_CUDA_HEADERS): checks, at
// compile time, that api.h's own declarations match cuda.h and nvrtc.h exactly: every
// constant, every type's size, and every api.def signature once our types are mapped to
// theirs. A mismatch fails the build here instead of corrupting a driver call at run time.
#include <cuda.h>
#include <nvrtc.h>

#include <type_traits>

#include "cuda/api.h"

namespace tessera::backend::cuda {
namespace {

// Our type -> the toolkit's type. Types that are the same on both sides map to themselves.
template <class T> struct Map { using type = T; };
template <class T> struct Map<T*> { using type = typename Map<T>::type*; };
template <class T> struct Map<const T> { using type = const typename Map<T>::type; };
template <> struct Map<CUctx_st> { using type = ::CUctx_st; };
template <> struct Map<CUstream_st> { using type = ::CUstream_st; };
template <> struct Map<CUevent_st> { using type = ::CUevent_st; };
template <> struct Map<CUmod_st> { using type = ::CUmod_st; };
template <> struct Map<CUfunc_st> { using type = ::CUfunc_st; };
template <> struct Map<_nvrtcProgram> { using type = ::_nvrtcProgram; };
template <> struct Map<CUtensorMap_st> { using type = ::CUtensorMap_st; };
template <class R, class... A> struct Map<R (*)(A...)> {
  using type = typename Map<R>::type (*)(typename Map<A>::type...);
};

// Integer-typed handles and enums: same size and signedness class as the toolkit's.
static_assert(sizeof(CUresult) == sizeof(::CUresult));
static_assert(sizeof(CUdevice) == sizeof(::CUdevice) && std::is_same_v<CUdevice, ::CUdevice>);
static_assert(std::is_same_v<CUdeviceptr, ::CUdeviceptr>);
static_assert(sizeof(CUdevice_attribute) == sizeof(::CUdevice_attribute));
static_assert(sizeof(CUfunction_attribute) == sizeof(::CUfunction_attribute));
static_assert(sizeof(nvrtcResult) == sizeof(::nvrtcResult));

static_assert(kCudaSuccess == CUDA_SUCCESS);
static_assert(kCudaErrorOutOfMemory == CUDA_ERROR_OUT_OF_MEMORY);
static_assert(kCudaErrorNoDevice == CUDA_ERROR_NO_DEVICE);
static_assert(kAttrMaxThreadsPerBlock == CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
static_assert(kAttrWarpSize == CU_DEVICE_ATTRIBUTE_WARP_SIZE);
static_assert(kAttrClockRate == CU_DEVICE_ATTRIBUTE_CLOCK_RATE);
static_assert(kAttrMultiprocessorCount == CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
static_assert(kAttrL2CacheSize == CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE);
static_assert(kAttrComputeCapabilityMajor == CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
static_assert(kAttrComputeCapabilityMinor == CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
static_assert(kAttrMaxSharedMemoryPerMultiprocessor ==
              CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR);
static_assert(kAttrMaxSharedMemoryPerBlockOptin ==
              CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
static_assert(kFuncAttrSharedSizeBytes == CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES);
static_assert(kFuncAttrMaxDynamicSharedSizeBytes == CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES);
static_assert(kStreamNonBlocking == CU_STREAM_NON_BLOCKING);
static_assert(kEventDefault == CU_EVENT_DEFAULT);
static_assert(kMemHostAllocPortable == CU_MEMHOSTALLOC_PORTABLE);
static_assert(sizeof(CUtensorMap) == sizeof(::CUtensorMap) && alignof(CUtensorMap) == alignof(::CUtensorMap));
static_assert(kTensorMapDataTypeUint8 == CU_TENSOR_MAP_DATA_TYPE_UINT8);
static_assert(kTensorMapDataTypeUint16 == CU_TENSOR_MAP_DATA_TYPE_UINT16);
static_assert(kTensorMapDataTypeUint32 == CU_TENSOR_MAP_DATA_TYPE_UINT32);
static_assert(kTensorMapDataTypeUint64 == CU_TENSOR_MAP_DATA_TYPE_UINT64);
static_assert(kTensorMapInterleaveNone == CU_TENSOR_MAP_INTERLEAVE_NONE);
static_assert(kTensorMapSwizzleNone == CU_TENSOR_MAP_SWIZZLE_NONE);
static_assert(kTensorMapSwizzle32B == CU_TENSOR_MAP_SWIZZLE_32B);
static_assert(kTensorMapSwizzle64B == CU_TENSOR_MAP_SWIZZLE_64B);
static_assert(kTensorMapSwizzle128B == CU_TENSOR_MAP_SWIZZLE_128B);
static_assert(kTensorMapL2Promotion128B == CU_TENSOR_MAP_L2_PROMOTION_L2_128B);
static_assert(kTensorMapOobFillNone == CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);

// Enum-typed parameters (CUresult, CUdevice_attribute, nvrtcResult) are `int` on our side;
// compare signatures with them spelled as int on the toolkit's side too.
template <class T> struct Int { using type = T; };
template <> struct Int<::CUresult> { using type = int; };
template <> struct Int<::CUdevice_attribute> { using type = int; };
template <> struct Int<::CUfunction_attribute> { using type = int; };
template <> struct Int<::nvrtcResult> { using type = int; };
template <> struct Int<::CUtensorMapDataType> { using type = int; };
template <> struct Int<::CUtensorMapInterleave> { using type = int; };
template <> struct Int<::CUtensorMapSwizzle> { using type = int; };
template <> struct Int<::CUtensorMapL2promotion> { using type = int; };
template <> struct Int<::CUtensorMapFloatOOBfill> { using type = int; };
template <class F> struct IntSig;
template <class R, class... A> struct IntSig<R (*)(A...)> {
  using type = typename Int<R>::type (*)(typename Int<A>::type...);
};

// `&name` expands cuda.h's macros (cuMemAlloc -> cuMemAlloc_v2), i.e. exactly the variant
// kCudaAbiVersion asks cuGetProcAddress for, as long as that is also the newest variant in
// these headers; a newer header that moved a function to a new ABI fails here, on purpose.
#define TS_CUDA_FN(ret, name, params)                                                        \
  static_assert(std::is_same_v<typename Map<decltype(DriverApi{}.name)>::type,                \
                               typename IntSig<decltype(&name)>::type>,                       \
                "api.def signature of " #name " differs from cuda.h");
#define TS_NVRTC_FN(ret, name, params)                                                       \
  static_assert(std::is_same_v<typename Map<decltype(NvrtcApi{}.name)>::type,                 \
                               typename IntSig<decltype(&name)>::type>,                       \
                "api.def signature of " #name " differs from nvrtc.h");
#include "cuda/api.def"
#undef TS_CUDA_FN
#undef TS_NVRTC_FN

}  // namespace
}  // namespace tessera::backend::cuda
