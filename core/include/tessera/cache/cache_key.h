// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// JIT cache keys (STYLE A10, B10). A key is the SHA-256 of *everything* that can change the
/// compiled binary: the canonical source text, the code generator's version, the compiler's
/// identity and version, the compile options, the target, the hash of headers passed beside the
/// source, every cache-affecting environment variable (`env::cache_affecting_values()`) and the
/// library version. Leaving any of these out lets a stale binary be loaded after an upgrade
/// ([tinygrad] keyed NVRTC output by source text only).

#include <string>
#include <vector>

namespace tessera::cache {

/// Version of the on-disk layout; it is part of the cache path (`<root>/<schema>/...`), so a
/// layout change never reads entries written by an older library.
inline constexpr int kCacheSchema = 1;

/// The inputs of a cache key. Every field is hashed, each framed with its name and length.
struct CacheKeyInputs {
  std::string backend;            ///< "cpu", "cuda", "hip"
  std::string target;             ///< what the code is compiled for: "sm_90a", "znver3-1a2b..."
  std::string source;             ///< the complete source text handed to the compiler
  std::string codegen_version;    ///< bumped when the code generator's output may change
  std::string compiler_identity;  ///< compiler name + version ("g++ (Debian 12.2.0-14) 12.2.0")
  std::vector<std::string> options;  ///< compile flags, in the order passed
  std::string header_hash;        ///< SHA-256 of headers passed beside the source ("" if none)
};

/// A computed key: `hex` names the cache entry; the other fields describe it (for meta.json and
/// error messages) without the source text.
struct CacheKey {
  std::string hex;                ///< 64 hex digits
  std::string backend;
  std::string target;
  std::string codegen_version;
  std::string compiler_identity;
  std::vector<std::string> options;
  std::string header_hash;
  std::string env_values;         ///< `env::cache_affecting_values()` at key time
  std::string library_version;    ///< Tessera's version (CMake project version)
};

/// Computes the key of `inputs`, adding the current cache-affecting environment values and the
/// library version. Thread-safe.
CacheKey make_cache_key(const CacheKeyInputs& inputs);

/// Tessera's version string as built ("0.1.0"), which enters every key.
const char* library_version();

}  // namespace tessera::cache
