// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The HIP backend's `Codegen` role: a lowered program -> HIP C++ for hiprtc, printed by the
/// shared GPU printer (gpu_common/printer.h) with HIP's dialect table and the embedded device
/// header (device_headers/tessera_hip.h: bf16/f16/fp8 conversions, wavefront shuffles, 16-byte
/// accesses, MFMA wrappers). The source is RTC-clean: it includes nothing, so hiprtc needs no
/// ROCm headers at run time.
///
/// Wavefronts are 64 lanes on CDNA/GCN (gfx9) and 32 on RDNA (gfx10+, wave32): `num_warps`
/// counts wavefronts, so a block has num_warps x 64 threads on an MI300X. AMD-only config
/// fields are honoured: `waves_per_eu` becomes `__attribute__((amdgpu_waves_per_eu(N)))`,
/// `matrix_instr_nonkdim` picks the 32x32 or 16x16 MFMA instruction of a `dot` on CDNA.

#include <memory>
#include <string>

#include "gpu_common/printer.h"
#include "tessera/config/config.h"
#include "tessera/lower/program.h"
#include "tessera/runtime/backend.h"

namespace tessera::backend::hip {

/// Version of the HIP code generator's output; enters every JIT cache key.
inline constexpr const char* kHipCodegenVersion = "tessera-hip-codegen-1";

/// The embedded text of device_headers/tessera_hip.h (generated at build time).
const char* embedded_device_header();

/// The dialect table for an AMD `target` ("gfx90a", "gfx942:sramecc+:xnack-", "gfx1100", ...)
/// and the AMD-only fields of `config` (waves_per_eu). Throws `UserError` echoing a target that
/// is not an AMD one.
gpu::Dialect hip_dialect(const std::string& target, const Config& config = Config());

/// Prints `program` (lowered for an AMD target with its wavefront size) as a HIP kernel, with
/// the launch facts (threads, shared memory) and how the config was used.
gpu::KernelSource emit_hip_kernel(const lower::Program& program);

/// The HIP code generator (`Codegen::emit` = `emit_hip_kernel(program).source`).
std::unique_ptr<Codegen> make_hip_codegen();

}  // namespace tessera::backend::hip
