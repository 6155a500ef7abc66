// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The one kernel the runtime itself needs: `fill_pattern` (tessera/runtime/buffer.h), as
/// RTC-clean source that NVRTC and hiprtc both compile (no includes; `__global__`, `blockIdx`
/// and friends are builtins of both). It must compute `runtime::pattern_word` exactly; the
/// conformance tests check that word by word on every device.

namespace tessera::backend::gpu {

inline constexpr const char* kFillKernelName = "tessera_fill_pattern";

inline constexpr const char* kFillKernelSource = R"(
extern "C" __global__ void tessera_fill_pattern(unsigned int* out, unsigned long long words,
                                                unsigned int seed) {
  // Grid-stride loop: the launch sizes the grid to the device, not to the buffer.
  const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
  for (unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
       i < words; i += stride) {
    unsigned int x = (unsigned int)i * 0x9E3779B1u;
    x ^= (unsigned int)(i >> 32) ^ seed;
    x ^= x >> 16;
    x *= 0x85EBCA6Bu;
    x ^= x >> 13;
    out[i] = x;
  }
}
)";

/// Threads per block of the fill launch, and blocks per compute unit (enough to hide memory
/// latency on any current GPU).
inline constexpr unsigned kFillBlock = 256;
inline constexpr unsigned kFillBlocksPerUnit = 8;

}  // namespace tessera::backend::gpu
