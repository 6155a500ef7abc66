// SPDX-License-Identifier: Apache-2.0
// The GPU side of `tessera codegen KERNEL --target sm_*|gfx*` (cmd_codegen.cpp dispatches here);
// `tessera compile KERNEL --target T` compiles it (NVRTC for sm_*, hiprtc for gfx*) and reports
// the binary's size and resource use; `tessera configs explain KERNEL --target T`
// (cmd_explain.cpp) says how each config field is used. All work without a GPU.
#include "cmd_compile.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "args.h"
#include "command.h"
#if TS_ENABLE_CUDA
#include "cuda/codegen.h"
#include "cuda/compiler.h"
#include "cuda/runtime.h"
#endif
#if TS_ENABLE_HIP
#include "hip/codegen.h"
#include "hip/compiler.h"
#endif
#include "examples/examples.h"
#include "tessera/error.h"
#include "tessera/ir/size_expr.h"
#include "tessera/platform/target.h"
#include "tessera/support/python_json.h"

namespace tessera::tool {

const std::set<std::string>& kernel_options() {
  static const std::set<std::string> kValued = {"--target", "--config", "--size"};
  return kValued;
}

lower::Program program_from_args(const std::string& command, const Args& args) {
  args.expect_positional(1, 1, "KERNEL");
  const std::string& name = args.positional()[0];
  const examples::ExampleEntry* entry = nullptr;
  std::string names;
  for (const auto& e : examples::example_kernels()) {
    if (e.name == name) entry = &e;
    names += (names.empty() ? "" : ", ") + e.name;
  }
  TS_USER_CHECK(entry != nullptr) << command << ": unknown kernel '" << name << "'; the example kernels are: " << names;
  auto kernel = std::make_shared<const ir::Kernel>(entry->make());
  const std::string target = args.value("--target").value_or("sm_90a");
  const platform::Target t = platform::Target::parse(target);

  Config config;
  if (auto text = args.value("--config")) {
    std::string json_text = *text;
    if (!json_text.empty() && json_text.front() != '{') {  // a file holding one config object
      std::ifstream in(json_text);
      TS_USER_CHECK(in.good()) << command << ": --config '" << json_text << "' is neither a JSON object nor a readable file";
      std::stringstream ss;
      ss << in.rdbuf();
      json_text = ss.str();
    }
    config = Config::from_json(json::parse(json_text, "--config"), "--config");
  }
  // Sizes: 4096 unless --size name=value; all compile-time constants, tensors contiguous.
  lower::Specialization spec;
  for (const auto& sv : kernel->size_vars) spec.sizes[sv.name] = 4096;
  for (const std::string& kv : args.values("--size")) {
    const auto eq = kv.find('=');
    TS_USER_CHECK(eq != std::string::npos) << command << ": --size expects NAME=VALUE, got '" << kv << "'";
    const std::string key = kv.substr(0, eq);
    TS_USER_CHECK(kernel->find_size_var(key) != nullptr) << command << ": kernel '" << name << "' has no size '" << key << "'";
    spec.sizes[key] = std::stoll(kv.substr(eq + 1));
  }
  std::int64_t largest = 0;
  for (const auto* list : {&kernel->inputs, &kernel->outputs}) {
    for (const ir::TensorParam& tp : *list) {
      std::vector<std::int64_t> strides(tp.dims.size(), 1);
      std::int64_t n = 1;
      for (int d = tp.rank() - 1; d >= 0; --d) {
        strides[d] = n;
        n *= ir::eval_size(tp.dims[d], spec.sizes);
      }
      largest = std::max(largest, n);
      spec.strides[tp.name] = strides;
    }
  }
  spec.index64 = largest >= (std::int64_t{1} << 31);
  return lower::lower(kernel, config, spec, target, t.warp_size);
}

namespace {

#if TS_ENABLE_HIP
int compile_hip(const lower::Program& p) {
  const backend::gpu::KernelSource ks = backend::hip::emit_hip_kernel(p);
  const backend::hip::HiprtcResult r = backend::hip::hiprtc_compile(ks.source, {p.target, {}});
  const backend::hip::ResourceUsage u = backend::hip::parse_code_object_resources(r.code_object);
  std::cout << "kernel:        " << ks.source.kernel_name << " (" << p.kernel->name << ")\n"
            << "target:        " << p.target << " (" << backend::hip::hiprtc_identity() << ")\n"
            << "code object:   " << r.code_object.size() << " bytes\n"
            << "threads:       " << ks.threads << " per block (" << p.num_warps << " wavefronts of " << p.warp_size << ")\n"
            << "registers:     " << u.registers << " VGPRs, " << u.agprs << " AGPRs, " << u.sgprs << " SGPRs\n"
            << "shared memory: " << u.smem_bytes << " bytes LDS\n"
            << "scratch:       " << u.stack_bytes << " bytes per lane\n"
            << "spills:        " << u.vgpr_spills << " VGPRs, " << u.sgpr_spills << " SGPRs\n";
  return kExitOk;
}
#endif

int compile(const std::vector<std::string>& argv) {
  Args args("compile", argv, kernel_options(), {});
  const lower::Program p = program_from_args("compile", args);
#if TS_ENABLE_HIP
  if (p.target.rfind("gfx", 0) == 0) return compile_hip(p);
#endif
#if TS_ENABLE_CUDA
  TS_USER_CHECK(p.target.rfind("sm_", 0) == 0)
      << "compile: target '" << p.target << "' has no GPU compiler in this build (" << gpu_targets() << ")";
  const backend::gpu::KernelSource ks = backend::cuda::emit_cuda_kernel(p);
  const backend::cuda::NvrtcResult r = backend::cuda::nvrtc_compile(ks.source, {p.target, {}}, true);
  const backend::cuda::ResourceUsage u = backend::cuda::parse_ptxas_report(r.log, ks.source.kernel_name);
  std::cout << "kernel:        " << ks.source.kernel_name << " (" << p.kernel->name << ")\n"
            << "target:        " << p.target << " (" << backend::cuda::nvrtc_version() << ")\n"
            << "cubin:         " << r.cubin.size() << " bytes\n"
            << "threads:       " << ks.threads << " per block\n"
            << "registers:     " << u.registers << " per thread\n"
            << "shared memory: " << u.smem_bytes << " bytes static\n"
            << "stack frame:   " << u.stack_bytes << " bytes\n"
            << "spills:        " << u.spill_stores << " bytes stored, " << u.spill_loads << " bytes loaded\n";
  return kExitOk;
#else
  user_error(cat("compile: target '", p.target, "' has no GPU compiler in this build (", gpu_targets(), ")"));
#endif
}

}  // namespace

std::string gpu_targets() {
  std::string out;
#if TS_ENABLE_CUDA
  out += "NVIDIA sm_*";
#endif
#if TS_ENABLE_HIP
  out += std::string(out.empty() ? "" : ", ") + "AMD gfx*";
#endif
  return out;
}

int print_gpu_codegen(const Args& args) {
  const lower::Program p = program_from_args("codegen", args);
#if TS_ENABLE_HIP
  if (p.target.rfind("gfx", 0) == 0) {
    std::cout << backend::hip::emit_hip_kernel(p).source.text;
    return kExitOk;
  }
#endif
#if TS_ENABLE_CUDA
  if (p.target.rfind("sm_", 0) == 0) {
    std::cout << backend::cuda::emit_cuda_kernel(p).source.text;
    return kExitOk;
  }
#endif
  user_error(cat("codegen: target '", p.target, "' has no GPU code generator in this build (", gpu_targets(), ")"));
}

backend::gpu::Dialect gpu_dialect(const lower::Program& p) {
#if TS_ENABLE_HIP
  if (p.target.rfind("gfx", 0) == 0) return backend::hip::hip_dialect(p.target, p.config);
#endif
#if TS_ENABLE_CUDA
  if (p.target.rfind("sm_", 0) == 0) return backend::cuda::cuda_dialect(p.target);
#endif
  user_error(cat("configs explain: target '", p.target, "' has no GPU code generator in this build (", gpu_targets(), ")"));
}

void add_compile_commands(CommandTable& table) {
  table.push_back({"compile", "KERNEL [--target sm_90a] [--config JSON|FILE] [--size NAME=N]...",
                   "compile an example kernel (NVRTC for sm_*, hiprtc for gfx*); report binary size, registers, shared memory, spills",
                   compile});
}

}  // namespace tessera::tool
