// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The CPU backend's `Compiler` role: generated host C++ -> a shared object, built by the host
/// C++ compiler (`TESSERA_CXX`, default `c++`) with `-O3 -march=native -fPIC -shared
/// -std=c++20`, through the JIT cache (tessera/cache/jit_cache.h), so each distinct source is
/// compiled once per machine. The CPU runtime `dlopen`s the result.
///
/// The cache key holds the source text, the flags, the compiler's `--version` text and what
/// `-march=native` resolves to on this host (`-march=znver3 ...` as the compiler driver
/// expands it), so a cache folder shared between machines, or a compiler upgrade, never serves
/// a binary built for another CPU or by another compiler.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tessera/cache/jit_cache.h"
#include "tessera/runtime/backend.h"

namespace tessera::backend::cpu {

/// Flags every CPU kernel is compiled with, before `CompileOptions::flags`.
/// `-fno-math-errno`/`-fno-trapping-math` change no result (Tessera never reads errno or FP
/// exception flags) but let the compiler vectorize sqrt and masked selects; there is no
/// `-ffast-math`: results stay IEEE as ir.h specifies. `-fwrapv` gives ir.h's wrapping i32/i64
/// arithmetic (signed overflow is otherwise undefined in C++).
const std::vector<std::string>& base_compile_flags();

/// What is known about a host compiler, queried once per command (thread-safe, memoized).
struct HostCompiler {
  std::vector<std::string> command;  ///< `TESSERA_CXX` split at spaces ("ccache g++" works)
  std::string version_text;          ///< first line of `--version`, e.g. "c++ (Debian 12.2.0-14) 12.2.0"
  std::string native_arch;           ///< what `-march=native` means here: "znver3", "sapphirerapids"
  std::string native_flags_hash;     ///< SHA-256 of the driver's expanded `-march=native` command
};

/// Queries `command` (runs `--version` and `-march=native -###`). Throws `UserError` naming
/// `TESSERA_CXX` if the compiler cannot be run.
const HostCompiler& query_host_compiler(const std::vector<std::string>& command);

/// The compiler command `TESSERA_CXX` selects (default `c++`), split at spaces.
std::vector<std::string> host_compiler_command();

/// The CPU compiler. `cache` is the JIT cache to use (tests pass their own); it must outlive
/// the compiler. `compile` throws `UserError` with the compiler's full log, the command line
/// and the path of the dumped source when the host compiler fails.
std::unique_ptr<Compiler> make_cpu_compiler(cache::JitCache& cache = cache::JitCache::global());

/// Like `Compiler::compile` but also returns where the cache put the source and the shared
/// object (the CPU runtime can `dlopen` that path directly) and whether it was compiled now.
cache::CachedBinary compile_cached(const Source& source, const CompileOptions& options,
                                   cache::JitCache& cache = cache::JitCache::global());

}  // namespace tessera::backend::cpu
