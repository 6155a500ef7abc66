// SPDX-License-Identifier: Apache-2.0
// NVRTC through the JIT cache: options, version, errors with the full log, ptxas reports.
#include "cuda/compiler.h"

#include <memory>
#include <regex>

#include "cuda/api.h"
#include "cuda/codegen.h"
#include "cuda/runtime.h"
#include "gpu_common/cached_compiler.h"
#include "tessera/error.h"

namespace tessera::backend::cuda {

std::vector<std::string> nvrtc_options(const std::string& target) {
  return {"--gpu-architecture=" + target, "-std=c++17", "--fmad=false"};
}

ResourceUsage parse_ptxas_report(const std::string& log, const std::string& kernel) {
  ResourceUsage u;
  // The report names the function first ("Compiling entry function 'ts_add' for 'sm_90a'"),
  // then its properties; only the lines after our kernel's header count.
  std::size_t at = log.find("'" + kernel + "'");
  const std::string text = at == std::string::npos ? log : log.substr(at);
  std::smatch m;
  auto grab = [&](const char* pattern, int* out) {
    if (std::regex_search(text, m, std::regex(pattern))) *out = std::stoi(m[1].str());
  };
  grab(R"((\d+) bytes stack frame)", &u.stack_bytes);
  grab(R"((\d+) bytes spill stores)", &u.spill_stores);
  grab(R"((\d+) bytes spill loads)", &u.spill_loads);
  grab(R"(Used (\d+) registers)", &u.registers);
  grab(R"((\d+) bytes smem)", &u.smem_bytes);
  grab(R"((\d+) bytes cmem\[0\])", &u.constant_bytes);
  if (u.registers >= 0 && u.smem_bytes < 0) u.smem_bytes = 0;
  return u;
}

namespace {

std::string program_log(const NvrtcApi& f, nvrtcProgram prog) {
  std::size_t size = 0;
  std::string log;
  if (f.nvrtcGetProgramLogSize(prog, &size) == 0 && size > 1) {
    log.resize(size);
    f.nvrtcGetProgramLog(prog, log.data());
    log.resize(size - 1);  // drop the terminating NUL
  }
  return log;
}

}  // namespace

NvrtcResult nvrtc_compile(const Source& source, const CompileOptions& options, bool verbose,
                          const std::string& source_path) {
  TS_INTERNAL_CHECK(source.language == "cuda")
      << "NVRTC compiles CUDA source, got '" << source.language << "' for kernel '" << source.kernel_name << "'";
  const Loaded<NvrtcApi>& rtc = nvrtc();
  TS_USER_CHECK(rtc.ok()) << "compiling kernel '" << source.kernel_name << "' for " << options.target
                          << " needs NVRTC, which is not available: " << rtc.error
                          << " (install the CUDA toolkit's libnvrtc, e.g. /usr/local/cuda/lib64)";
  const NvrtcApi& f = rtc.fn;
  nvrtcProgram prog = nullptr;
  const int created = f.nvrtcCreateProgram(&prog, source.text.c_str(), (source.kernel_name + ".cu").c_str(), 0,
                                           nullptr, nullptr);
  TS_USER_CHECK(created == 0) << "nvrtcCreateProgram failed for kernel '" << source.kernel_name
                              << "': " << f.nvrtcGetErrorString(created);
  std::unique_ptr<nvrtcProgram, void (*)(nvrtcProgram*)> guard(
      &prog, [](nvrtcProgram* p) { nvrtc().fn.nvrtcDestroyProgram(p); });
  std::vector<std::string> opts = nvrtc_options(options.target);
  opts.insert(opts.end(), options.flags.begin(), options.flags.end());
  if (verbose) opts.push_back("--ptxas-options=-v");
  std::vector<const char*> argv;
  for (const std::string& o : opts) argv.push_back(o.c_str());
  const int compiled = f.nvrtcCompileProgram(prog, static_cast<int>(argv.size()), argv.data());
  NvrtcResult out;
  out.log = program_log(f, prog);
  if (compiled != 0) {
    std::string cmd;
    for (const std::string& o : opts) cmd += " " + o;
    TS_USER_CHECK(false) << "NVRTC failed to compile kernel '" << source.kernel_name << "' for " << options.target
                         << " (" << f.nvrtcGetErrorString(compiled) << ", " << nvrtc_version() << ").\n  options:"
                         << cmd << "\n  source:  " << (source_path.empty() ? "(not dumped)" : source_path)
                         << "\n  NVRTC log:\n" << out.log;
  }
  std::size_t size = 0;
  TS_USER_CHECK(f.nvrtcGetCUBINSize(prog, &size) == 0 && size > 0)
      << "NVRTC compiled kernel '" << source.kernel_name << "' but produced no cubin for " << options.target
      << " (a virtual compute_XX target gives PTX only; use sm_XX)";
  out.cubin.resize(size);
  TS_USER_CHECK(f.nvrtcGetCUBIN(prog, reinterpret_cast<char*>(out.cubin.data())) == 0)
      << "nvrtcGetCUBIN failed for kernel '" << source.kernel_name << "'";
  return out;
}

cache::CachedBinary compile_cached(const Source& source, const CompileOptions& options, cache::JitCache& cache) {
  return gpu::compile_through_cache(
      source, options, cache,
      {.backend = "cuda",
       .codegen_version = kCudaCodegenVersion,
       .compiler_identity = nvrtc_version(),
       .options = nvrtc_options(options.target),
       .source_file_name = "kernel.cu",
       .binary_file_name = "kernel.cubin"},
      [&](const std::string& source_path) { return nvrtc_compile(source, options, false, source_path).cubin; });
}

std::unique_ptr<Compiler> make_cuda_compiler(cache::JitCache& cache) {
  return gpu::make_cached_compiler(cache, Binary::Format::kCubin, &compile_cached, &nvrtc_version);
}

}  // namespace tessera::backend::cuda
