// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The CUDA backend's `Compiler` role: generated CUDA C++ -> cubin for the exact target
/// (`--gpu-architecture=sm_90a`), by NVRTC loaded at run time (cuda/api.h), through the JIT
/// cache. The cache key holds the source (with its embedded device header), the code
/// generator's version, NVRTC's version, the target and every option, so an NVRTC upgrade or a
/// different GPU never reuses a stale cubin. Failures carry NVRTC's full log, the kernel name
/// and the path of the dumped source (STYLE A7).

#include <memory>
#include <string>
#include <vector>

#include "tessera/cache/jit_cache.h"
#include "tessera/runtime/backend.h"

namespace tessera::backend::cuda {

/// NVRTC options every kernel is compiled with for `target`, before `CompileOptions::flags`:
/// C++17, `--fmad=false` (ir.h: add and mul round separately; `dot` and reductions call
/// `fmaf` where the IR allows fusion) and no `--use_fast_math` (the printer picks each fast
/// form explicitly, within ir/ops.h's bounds).
std::vector<std::string> nvrtc_options(const std::string& target);

/// Resource use of one compiled kernel, from ptxas's `-v` report.
struct ResourceUsage {
  int registers = -1;       ///< per thread
  int smem_bytes = -1;      ///< static shared memory per block
  int stack_bytes = -1;     ///< stack frame per thread
  int spill_stores = -1;    ///< bytes
  int spill_loads = -1;     ///< bytes
  int constant_bytes = -1;  ///< bank-0 constant memory (kernel parameters)
};

/// Parses ptxas's `-v` lines for `kernel` ("Used 32 registers, used 0 barriers, 384 bytes smem,
/// 400 bytes cmem[0]"; "0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads").
ResourceUsage parse_ptxas_report(const std::string& log, const std::string& kernel);

/// The result of an uncached compile (for `tessera compile` and tests).
struct NvrtcResult {
  std::vector<std::byte> cubin;
  std::string log;  ///< NVRTC's log, with ptxas's report when `verbose`
};

/// Compiles `source` with NVRTC now, without the cache. `verbose` adds `-Xptxas -v`. Throws
/// `UserError` when NVRTC is missing or the compile fails (with the full log, the kernel name
/// and `source_path` if given).
NvrtcResult nvrtc_compile(const Source& source, const CompileOptions& options, bool verbose,
                          const std::string& source_path = "");

/// Compiles through the JIT cache (memory, then disk, then NVRTC).
cache::CachedBinary compile_cached(const Source& source, const CompileOptions& options,
                                   cache::JitCache& cache = cache::JitCache::global());

/// The CUDA compiler role (`version()` = "nvrtc 13.0").
std::unique_ptr<Compiler> make_cuda_compiler(cache::JitCache& cache = cache::JitCache::global());

}  // namespace tessera::backend::cuda
