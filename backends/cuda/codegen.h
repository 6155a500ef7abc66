// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The CUDA backend's `Codegen` role: a lowered program -> CUDA C++ for NVRTC, printed by the
/// shared GPU printer (gpu_common/printer.h) with CUDA's dialect table and the embedded device
/// header (device_headers/tessera_cuda.h: bf16/f16/fp8 conversions with PTX `cvt` fast paths,
/// shuffles, 16-byte accesses with eviction hints, cp.async, ldmatrix and mma.sync). The source
/// is RTC-clean: it includes nothing, so NVRTC needs no CUDA toolkit headers at run time.

#include <memory>
#include <string>

#include "gpu_common/printer.h"
#include "tessera/lower/program.h"
#include "tessera/runtime/backend.h"

namespace tessera::backend::cuda {

/// Version of the CUDA code generator's output; enters every JIT cache key.
inline constexpr const char* kCudaCodegenVersion = "tessera-cuda-codegen-1";

/// The embedded text of device_headers/tessera_cuda.h (generated at build time).
const char* embedded_device_header();

/// The dialect table for an NVIDIA `target` ("sm_80", "sm_90a", "sm_100a", ...). Throws
/// `UserError` echoing a target that is not an NVIDIA one.
gpu::Dialect cuda_dialect(const std::string& target);

/// Prints `program` (lowered for an NVIDIA target with warp size 32) as a CUDA kernel, with
/// the launch facts (threads, shared memory) and how the config was used.
gpu::KernelSource emit_cuda_kernel(const lower::Program& program);

/// The CUDA code generator (`Codegen::emit` = `emit_cuda_kernel(program).source`).
std::unique_ptr<Codegen> make_cuda_codegen();

}  // namespace tessera::backend::cuda
