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
  // PTX ISA: cp.async, ldmatrix and mma.sync m16n8k16 (bf16) need sm_80; the L1 eviction
  // priority qualifiers on ld need sm_70 (PTX ISA 7.4, "ld" instruction notes).
  d.async_copy = sm >= 80;
  d.mma_16816 = sm >= 80;
  d.eviction_hints = sm >= 70;
  d.max_threads = 1024;
  d.max_static_smem = 48 * 1024;  // static __shared__ limit on every NVIDIA GPU
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
