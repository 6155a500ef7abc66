// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The `Compiler` role of a GPU backend (CUDA: NVRTC -> cubin, HIP: hiprtc -> hsaco): the vendor's
/// cached compile (memory, disk, then the run-time compiler; backends/*/compiler.h) wrapped into a
/// `Binary` of the vendor's format. One class, the vendor facts passed in (STYLE A2).

#include <memory>
#include <string>

#include "tessera/cache/jit_cache.h"
#include "tessera/runtime/backend.h"

namespace tessera::backend::gpu {

/// The vendor's cached compile: `compile_cached(source, options, cache)` of backends/*/compiler.h.
using CompileCachedFn = cache::CachedBinary (*)(const Source&, const CompileOptions&, cache::JitCache&);
/// The vendor compiler's identity ("NVRTC 13.0", "hiprtc 5.2 (HIP ..., comgr ...)").
using CompilerVersionFn = std::string (*)();

/// A `Compiler` that compiles through `cache` with `compile` and returns `format` binaries.
std::unique_ptr<Compiler> make_cached_compiler(cache::JitCache& cache, Binary::Format format,
                                               CompileCachedFn compile, CompilerVersionFn version);

}  // namespace tessera::backend::gpu
