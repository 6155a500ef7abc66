// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The `Compiler` role of a GPU backend (CUDA: NVRTC -> cubin, HIP: hiprtc -> hsaco): the vendor's
/// cached compile (memory, disk, then the run-time compiler; backends/*/compiler.h) wrapped into a
/// `Binary` of the vendor's format. One class and one cache-key assembly, the vendor facts passed
/// in (STYLE A2).

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tessera/cache/jit_cache.h"
#include "tessera/runtime/backend.h"

namespace tessera::backend::gpu {

/// What one vendor's cached compile differs in; the rest of the key and the entry is shared.
struct VendorCompile {
  std::string backend;                ///< the key's backend: "cuda", "hip"
  std::string codegen_version;        ///< kCudaCodegenVersion, kHipCodegenVersion
  std::string compiler_identity;      ///< nvrtc_version(), hiprtc_identity()
  std::vector<std::string> options;   ///< the vendor's options for the target (caller's flags follow)
  std::string source_file_name;       ///< "kernel.cu", "kernel.hip"
  std::string binary_file_name;       ///< "kernel.cubin", "kernel.hsaco"
};

/// Compiles now (a cache miss), naming `source_path` (the dumped source) in its errors.
using CompileNowFn = std::function<std::vector<std::byte>(const std::string& source_path)>;

/// `source` through `cache`: the key of the vendor facts, `options.target` and `options.flags`
/// (after `vendor.options`, in the order the compiler gets them), else `compile_now`.
cache::CachedBinary compile_through_cache(const Source& source, const CompileOptions& options,
                                          cache::JitCache& cache, const VendorCompile& vendor,
                                          const CompileNowFn& compile_now);

/// A `format` Binary holding a copy of the cached bytes of `kernel_name`.
Binary to_binary(const cache::CachedBinary& cached, Binary::Format format, const std::string& kernel_name);

/// The vendor's cached compile: `compile_cached(source, options, cache)` of backends/*/compiler.h.
using CompileCachedFn = cache::CachedBinary (*)(const Source&, const CompileOptions&, cache::JitCache&);
/// The vendor compiler's identity ("NVRTC 13.0", "hiprtc 5.2 (HIP ..., comgr ...)").
using CompilerVersionFn = std::string (*)();

/// A `Compiler` that compiles through `cache` with `compile` and returns `format` binaries.
std::unique_ptr<Compiler> make_cached_compiler(cache::JitCache& cache, Binary::Format format,
                                               CompileCachedFn compile, CompilerVersionFn version);

}  // namespace tessera::backend::gpu
