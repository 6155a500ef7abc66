// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The JIT cache shared by every backend (STYLE A10): an in-process table in front of a disk
/// cache, so each distinct (source, compiler, options, target, ...) is compiled once per machine
/// and loaded once per process.
///
/// Disk layout (the schema number is in the path, so a layout change never misreads old
/// entries):
/// \code
///   $TESSERA_CACHE_DIR (default ~/.cache/tessera)/<schema>/<platform>/<key>/
///       <source file>   e.g. kernel.cpp / kernel.cu: the exact text that was compiled
///       <binary file>   e.g. kernel.so / kernel.cubin
///       meta.json       kernel name, key inputs, binary size and SHA-256
///       lock            flock()ed while an entry is checked or built (cross-process)
/// \endcode
/// Every file is written to a temporary name and renamed, and meta.json is written last: an
/// entry whose binary does not match the size and SHA-256 recorded in meta.json (a truncated
/// file, a crash between writes, a disk error) is reported on stderr and rebuilt.
///
/// Concurrency: callers in one process asking for the same key share one compile (the others
/// wait for it); processes sharing a cache folder serialize on the entry's lock file, so the
/// second process finds the first one's binary instead of compiling again.
///
/// `TS_ASSERT_CACHE_HIT=1` turns every compile into a `UserError` (CI's warm-cache check).

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "tessera/cache/cache_key.h"

namespace tessera::cache {

/// Where a binary came from.
enum class CacheOutcome {
  kMemoryHit,  ///< this process already had it (or waited for another thread's compile)
  kDiskHit,    ///< loaded from a valid disk entry
  kCompiled,   ///< compiled now (the entry was missing or corrupt)
};

/// What to look up or build.
struct CacheRequest {
  std::string kernel_name;  ///< for messages and meta.json
  std::string platform;     ///< path segment grouping entries, e.g. "cpu_znver3", "sm_90a"
  CacheKey key;             ///< from `make_cache_key`
  std::string source;       ///< the source text, dumped next to the binary
  std::string source_file_name = "kernel.cpp";
  std::string binary_file_name = "kernel.so";
};

/// A binary from the cache.
struct CachedBinary {
  std::shared_ptr<const std::string> bytes;  ///< the binary's contents (never null)
  std::filesystem::path binary_path;         ///< the binary on disk (e.g. for dlopen)
  std::filesystem::path source_path;         ///< the dumped source
  CacheOutcome outcome = CacheOutcome::kCompiled;
};

/// Builds a binary. Called with the path of the source the cache has dumped (the compiler may
/// read it, and must name it in error messages) and a scratch folder for temporary files that
/// the cache removes afterwards. Returns the binary's bytes; throws on failure (nothing is
/// cached then, and a later request tries again).
using CompileFn = std::function<std::string(const std::filesystem::path& source_path,
                                            const std::filesystem::path& scratch_dir)>;

/// Construction options.
struct JitCacheOptions {
  /// Cache root; default `$TESSERA_CACHE_DIR`, else `$HOME/.cache/tessera`.
  std::optional<std::filesystem::path> root;
};

/// Counters since construction (for tests and `tessera` diagnostics).
struct CacheStats {
  std::int64_t memory_hits = 0;
  std::int64_t disk_hits = 0;
  std::int64_t compiles = 0;
  std::int64_t corrupt_rebuilt = 0;  ///< compiles that replaced a corrupt entry
};

/// Thread-safe: any number of threads may call `get_or_compile` concurrently.
class JitCache {
 public:
  explicit JitCache(JitCacheOptions options = {});
  JitCache(const JitCache&) = delete;
  JitCache& operator=(const JitCache&) = delete;

  /// The process-wide cache every backend uses (root read from the environment on first use).
  static JitCache& global();

  /// Returns the binary for `request`: from memory, else from a valid disk entry, else by
  /// calling `compile` (once per key, however many threads ask). Throws `UserError` if a compile
  /// is needed while `TS_ASSERT_CACHE_HIT=1`, or if the cache folder cannot be written.
  CachedBinary get_or_compile(const CacheRequest& request, const CompileFn& compile);

  /// The folder of `request`'s entry: `<root>/<schema>/<platform>/<key.hex>`.
  std::filesystem::path entry_dir(const CacheRequest& request) const;
  /// The cache root folder.
  const std::filesystem::path& root() const { return root_; }
  /// A snapshot of the counters.
  CacheStats stats() const;
  /// Forgets every in-memory entry (the disk cache is kept); the next request reads the disk.
  void clear_memory();

 private:
  CachedBinary load_or_build(const CacheRequest& request, const CompileFn& compile);

  std::filesystem::path root_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_future<CachedBinary>> memory_;
  std::atomic<std::int64_t> memory_hits_{0};
  std::atomic<std::int64_t> disk_hits_{0};
  std::atomic<std::int64_t> compiles_{0};
  std::atomic<std::int64_t> corrupt_rebuilt_{0};
};

/// The cache root the environment selects: `$TESSERA_CACHE_DIR`, else `$HOME/.cache/tessera`.
/// Throws `UserError` if neither is set.
std::filesystem::path default_cache_root();

/// True if `TS_ASSERT_CACHE_HIT` is "1"; false if unset or "0"; `UserError` otherwise.
bool assert_cache_hit_enabled();

}  // namespace tessera::cache
