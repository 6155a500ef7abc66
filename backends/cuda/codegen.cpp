// SPDX-License-Identifier: Apache-2.0
// CUDA's dialect table for the shared GPU printer: the facts that differ from HIP, in one place.
#include "cuda/codegen.h"

#include "tessera/error.h"
#include "tessera/platform/target.h"

namespace tessera::backend::cuda {

gpu::Dialect cuda_dialect(const std::string& target) {
  const platform::Target t = platform::Target::parse(target);
  TS_USER_CHECK(t.vendor == platform::Vendor::kNvidia)
      << "the CUDA code generator needs an NVIDIA target such as sm_90a, got '" << target << "'";
  const int sm = t.major * 10 + t.minor;
  gpu::Dialect d;
  d.language = "cuda";
  d.target = target;
  d.warp_size = 32;
  d.device_header = embedded_device_header();
  d.fast_math = "__fdividef, __expf, ex2.approx.f32";  // device_headers/tessera_cuda.h
  // PTX ISA: cp.async, ldmatrix and mma.sync m16n8k16 (bf16) need sm_80; the L1 eviction
  // priority qualifiers on ld need sm_70 (PTX ISA 7.4, "ld" instruction notes).
  d.async_copy = sm >= 80;
  d.mma_16816 = sm >= 80;
  d.eviction_hints = sm >= 70;
  d.max_threads = 1024;
  d.max_static_smem = 48 * 1024;  // static __shared__ limit on every NVIDIA GPU
  // wgmma.mma_async exists on sm_90a alone (PTX ISA: "requires sm_90a"; sm_100a has tcgen05).
  d.wgmma = sm == 90 && t.suffix == "a";
  // cp.async.bulk.tensor and mbarrier expect_tx: sm_90 (PTX ISA 8.0).
  d.tma = sm >= 90;
  // The opt-in per-block maximum (CUDA C++ Programming Guide, "Technical Specifications per
  // Compute Capability": 227 KB on 9.0 and 10.0, 163 KB on 8.0/8.7, 99 KB on 8.6/8.9/12.x,
  // 96 KB on 7.0, 64 KB on 7.5); the device's own value is in Caps (runtime: cudaDevAttr...Optin).
  d.max_dynamic_smem = sm == 90 || sm == 100 || sm == 103 ? 227 * 1024
                       : sm == 80 || sm == 87             ? 163 * 1024
                       : sm == 70 || sm == 72             ? 96 * 1024
                       : sm == 75                         ? 64 * 1024
                                                          : 99 * 1024;
  return d;
}

gpu::KernelSource emit_cuda_kernel(const lower::Program& program) {
  TS_USER_CHECK(program.warp_size == 32)
      << "kernel '" << program.kernel->name << "' was lowered for warp size " << program.warp_size
      << "; lower it for the CUDA target with warp size 32";
  return gpu::print_kernel(program, cuda_dialect(program.target));
}

namespace {
class CudaCodegen final : public Codegen {
 public:
  Source emit(const lower::Program& program, const Caps&) const override { return emit_cuda_kernel(program).source; }
};
}  // namespace

std::unique_ptr<Codegen> make_cuda_codegen() { return std::make_unique<CudaCodegen>(); }

}  // namespace tessera::backend::cuda
