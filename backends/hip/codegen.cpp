// SPDX-License-Identifier: Apache-2.0
// HIP's dialect table for the shared GPU printer: the facts that differ from CUDA, in one place.
#include "hip/codegen.h"

#include "tessera/error.h"
#include "tessera/platform/target.h"

namespace tessera::backend::hip {

gpu::Dialect hip_dialect(const std::string& target, const Config& config) {
  const platform::Target t = platform::Target::parse(target);
  TS_USER_CHECK(t.vendor == platform::Vendor::kAmd)
      << "the HIP code generator needs an AMD target such as gfx90a or gfx942, got '" << target << "'";
  gpu::Dialect d;
  d.language = "hip";
  d.target = target;
  d.warp_size = t.warp_size;  // 64 on gfx9 (GCN, CDNA), 32 on gfx10+ (RDNA, wave32)
  d.warp_name = "wavefront";
  d.device_header = embedded_device_header();
  // No cp.async, ldmatrix or mma.sync; loads have no L1 eviction-priority hints (the
  // slc/glc/nt cache bits are not the same semantics, so load_eviction_policies is ignored).
  d.async_copy = false;
  d.mma_16816 = false;
  d.eviction_hints = false;
  // MFMA: CDNA1 (gfx908) has the f16 and f32 forms, CDNA2+ adds the bf16 "_1k" forms
  // (AMD Instinct MI100/MI200/MI300 ISA guides, "Matrix Arithmetic Instructions").
  const std::string& f = t.family;
  d.mfma = f == "cdna1" || f == "cdna2" || f == "cdna3" || f == "cdna4";
  d.mfma_bf16 = d.mfma && f != "cdna1";
  // WMMA: RDNA3/3.5 (gfx11) wave32 16x16x16 f16/bf16 (RDNA3 ISA guide). RDNA4's WMMA has another
  // lane layout and builtins no compiler here knows, so gfx12 keeps the FMA dot.
  d.wmma = (f == "rdna3" || f == "rdna3_5") && t.warp_size == 32;
  // Fast math (device_headers/tessera_hip.h): HIP's __fdividef is the IEEE division, so fast
  // division is v_rcp_f32 plus one Newton step; exp is __expf (v_exp_f32), exp2 ocml's exp2f.
  d.fast_math = "v_rcp_f32 + one Newton step for division, __expf (v_exp_f32), exp2f";
  // 1024 work-items per workgroup and 64 KiB of LDS a workgroup may allocate on every GCN,
  // CDNA and RDNA target (gfx950's 160 KiB LDS is not used yet).
  d.max_threads = 1024;
  d.max_static_smem = 64 * 1024;
  // waves_per_eu (Triton's AMD knob): the minimum number of wavefronts per SIMD the compiler
  // must keep resident, trading registers for occupancy. 0 = the compiler's choice.
  if (auto w = config.waves_per_eu(); w && *w > 0)
    d.kernel_attributes = "__attribute__((amdgpu_waves_per_eu(" + std::to_string(*w) + ")))";
  return d;
}

gpu::KernelSource emit_hip_kernel(const lower::Program& program) {
  const gpu::Dialect d = hip_dialect(program.target, program.config);
  TS_USER_CHECK(program.warp_size == d.warp_size)
      << "kernel '" << program.kernel->name << "' was lowered for warp size " << program.warp_size
      << "; lower it for " << program.target << " with its wavefront size " << d.warp_size;
  return gpu::print_kernel(program, d);
}

namespace {
class HipCodegen final : public Codegen {
 public:
  Source emit(const lower::Program& program, const Caps&) const override { return emit_hip_kernel(program).source; }
};
}  // namespace

std::unique_ptr<Codegen> make_hip_codegen() { return std::make_unique<HipCodegen>(); }

}  // namespace tessera::backend::hip
