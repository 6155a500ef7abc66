// SPDX-License-Identifier: Apache-2.0
#include "tessera/cache/jit_cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>

#include "tessera/cache/sha256.h"
#include "tessera/error.h"
#include "tessera/support/atomic_file.h"
#include "tessera/support/env.h"

namespace tessera::cache {

namespace fs = std::filesystem;

namespace {

constexpr const char* kMetaFile = "meta.json";
constexpr const char* kLockFile = "lock";

/// Holds an exclusive flock() on a file for its lifetime (released on close, also if the
/// process dies, so a crashed compile never leaves the entry locked).
class FileLock {
 public:
  explicit FileLock(const fs::path& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    TS_USER_CHECK(fd_ >= 0) << "JIT cache: cannot open lock file " << path << ": "
                            << std::strerror(errno)
                            << ". Make the folder writable or point TESSERA_CACHE_DIR elsewhere.";
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd_);
      TS_USER_CHECK(false) << "JIT cache: cannot lock " << path << ": " << std::strerror(err);
    }
  }
  ~FileLock() { ::close(fd_); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

/// Removes a folder tree when destroyed (scratch space of one compile).
class ScratchDir {
 public:
  explicit ScratchDir(fs::path p) : path_(std::move(p)) {
    std::error_code ec;
    fs::remove_all(path_, ec);
    fs::create_directories(path_, ec);
    TS_USER_CHECK(!ec) << "JIT cache: cannot create scratch folder " << path_ << ": " << ec.message();
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// The result of checking a disk entry.
struct DiskProbe {
  enum class State { kMissing, kCorrupt, kValid } state = State::kMissing;
  std::string why;  ///< for kCorrupt
  std::string bytes;  ///< for kValid
};

DiskProbe probe_entry(const fs::path& dir, const CacheRequest& req) {
  DiskProbe probe;
  std::optional<std::string> meta_text = read_file_if_exists(dir / kMetaFile);
  std::optional<std::string> bytes = read_file_if_exists(dir / req.binary_file_name);
  if (!meta_text && !bytes) return probe;  // never built
  probe.state = DiskProbe::State::kCorrupt;
  if (!meta_text) {
    probe.why = "meta.json is missing (an interrupted write?)";
    return probe;
  }
  if (!bytes) {
    probe.why = req.binary_file_name + " is missing";
    return probe;
  }
  nlohmann::json meta = nlohmann::json::parse(*meta_text, nullptr, /*allow_exceptions=*/false);
  if (meta.is_discarded() || !meta.is_object()) {
    probe.why = "meta.json is not valid JSON";
    return probe;
  }
  auto field = [&](const char* name) -> std::string {
    auto it = meta.find(name);
    return it != meta.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto size_it = meta.find("binary_size");
  if (field("key") != req.key.hex) {
    probe.why = "meta.json records key '" + field("key") + "'";
  } else if (size_it == meta.end() || !size_it->is_number_unsigned() ||
             size_it->get<std::uint64_t>() != bytes->size()) {
    probe.why = req.binary_file_name + " has " + std::to_string(bytes->size()) +
                " bytes, meta.json records " + (size_it == meta.end() ? "none" : size_it->dump());
  } else if (field("binary_sha256") != sha256_hex(*bytes)) {
    probe.why = req.binary_file_name + "'s SHA-256 does not match meta.json";
  } else {
    probe.state = DiskProbe::State::kValid;
    probe.bytes = std::move(*bytes);
  }
  return probe;
}

std::string make_meta(const CacheRequest& req, const std::string& bytes) {
  nlohmann::ordered_json meta;
  meta["schema"] = kCacheSchema;
  meta["kernel"] = req.kernel_name;
  meta["key"] = req.key.hex;
  meta["binary_file"] = req.binary_file_name;
  meta["binary_size"] = static_cast<std::uint64_t>(bytes.size());
  meta["binary_sha256"] = sha256_hex(bytes);
  meta["source_file"] = req.source_file_name;
  meta["source_sha256"] = sha256_hex(req.source);
  meta["backend"] = req.key.backend;
  meta["target"] = req.key.target;
  meta["codegen_version"] = req.key.codegen_version;
  meta["compiler"] = req.key.compiler_identity;
  meta["options"] = req.key.options;
  meta["header_hash"] = req.key.header_hash;
  meta["env"] = req.key.env_values;
  meta["library_version"] = req.key.library_version;
  meta["created_unix_s"] = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  return meta.dump(2) + "\n";
}

void check_path_segment(const std::string& s, const char* what) {
  bool ok = !s.empty() && s != "." && s != "..";
  for (char c : s) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.');
  TS_INTERNAL_CHECK(ok) << "JIT cache " << what << " '" << s
                        << "' is not a plain file/folder name ([A-Za-z0-9_.-]+)";
}

}  // namespace

fs::path default_cache_root() {
  if (auto dir = env::get("TESSERA_CACHE_DIR")) return fs::path(*dir);
  // HOME is the OS's variable, not a Tessera knob, so it is not in the env registry.
  const char* home = std::getenv("HOME");
  TS_USER_CHECK(home != nullptr && *home != '\0')
      << "JIT cache: neither TESSERA_CACHE_DIR nor HOME is set; set TESSERA_CACHE_DIR to a "
         "writable folder for compiled kernels";
  return fs::path(home) / ".cache" / "tessera";
}

bool assert_cache_hit_enabled() {
  std::optional<std::string> v = env::get("TS_ASSERT_CACHE_HIT");
  if (!v || *v == "0") return false;
  TS_USER_CHECK(*v == "1") << "TS_ASSERT_CACHE_HIT='" << *v
                           << "' is not understood: use 1 (every compile is an error) or 0/unset";
  return true;
}

JitCache::JitCache(JitCacheOptions options)
    : root_(options.root ? *options.root : default_cache_root()) {}

JitCache& JitCache::global() {
  static JitCache cache;
  return cache;
}

fs::path JitCache::entry_dir(const CacheRequest& request) const {
  check_path_segment(request.platform, "platform");
  return root_ / std::to_string(kCacheSchema) / request.platform / request.key.hex;
}

CacheStats JitCache::stats() const {
  CacheStats s;
  s.memory_hits = memory_hits_.load();
  s.disk_hits = disk_hits_.load();
  s.compiles = compiles_.load();
  s.corrupt_rebuilt = corrupt_rebuilt_.load();
  return s;
}

void JitCache::clear_memory() {
  std::lock_guard<std::mutex> lock(mutex_);
  memory_.clear();
}

CachedBinary JitCache::get_or_compile(const CacheRequest& request, const CompileFn& compile) {
  TS_INTERNAL_CHECK(request.key.hex.size() == 64) << "JIT cache request for kernel '"
                                                 << request.kernel_name << "' has no key";
  std::promise<CachedBinary> promise;
  std::shared_future<CachedBinary> future;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = memory_.find(request.key.hex);
    if (it != memory_.end()) {
      future = it->second;
    } else {
      memory_.emplace(request.key.hex, promise.get_future().share());
    }
  }
  if (future.valid()) {  // another caller built or is building it: wait, share its result
    CachedBinary hit = future.get();
    hit.outcome = CacheOutcome::kMemoryHit;
    ++memory_hits_;
    return hit;
  }
  try {
    CachedBinary built = load_or_build(request, compile);
    promise.set_value(built);
    return built;
  } catch (...) {
    promise.set_exception(std::current_exception());
    std::lock_guard<std::mutex> lock(mutex_);
    memory_.erase(request.key.hex);  // let a later request try again
    throw;
  }
}

CachedBinary JitCache::load_or_build(const CacheRequest& request, const CompileFn& compile) {
  check_path_segment(request.source_file_name, "source file name");
  check_path_segment(request.binary_file_name, "binary file name");
  const fs::path dir = entry_dir(request);
  std::error_code ec;
  fs::create_directories(dir, ec);
  TS_USER_CHECK(!ec) << "JIT cache: cannot create " << dir << ": " << ec.message()
                     << ". Make it writable or point TESSERA_CACHE_DIR elsewhere.";
  FileLock lock(dir / kLockFile);

  CachedBinary out;
  out.source_path = dir / request.source_file_name;
  out.binary_path = dir / request.binary_file_name;
  DiskProbe probe = probe_entry(dir, request);
  if (probe.state == DiskProbe::State::kValid) {
    out.bytes = std::make_shared<const std::string>(std::move(probe.bytes));
    out.outcome = CacheOutcome::kDiskHit;
    ++disk_hits_;
    return out;
  }
  TS_USER_CHECK(!assert_cache_hit_enabled())
      << "TS_ASSERT_CACHE_HIT=1 but kernel '" << request.kernel_name << "' ("
      << request.key.backend << ", " << request.key.target << ") must be compiled: "
      << (probe.state == DiskProbe::State::kMissing ? "no entry" : "corrupt entry: " + probe.why)
      << " at " << dir << ". Warm the cache with a run without TS_ASSERT_CACHE_HIT, or unset it.";
  if (probe.state == DiskProbe::State::kCorrupt) {
    std::cerr << "tessera: JIT cache entry " << dir << " for kernel '" << request.kernel_name
              << "' is corrupt (" << probe.why << "); rebuilding it\n";
    ++corrupt_rebuilt_;
  }
  // meta.json goes first so that, until the new one is written, the entry reads as incomplete.
  fs::remove(dir / kMetaFile, ec);
  write_file_atomically(out.source_path, request.source);
  std::string bytes;
  {
    ScratchDir scratch(dir / ("scratch." + std::to_string(::getpid())));
    bytes = compile(out.source_path, scratch.path());
  }
  TS_INTERNAL_CHECK(!bytes.empty()) << "compiler for kernel '" << request.kernel_name
                                    << "' returned an empty binary";
  write_file_atomically(out.binary_path, bytes);
  write_file_atomically(dir / kMetaFile, make_meta(request, bytes));
  out.bytes = std::make_shared<const std::string>(std::move(bytes));
  out.outcome = CacheOutcome::kCompiled;
  ++compiles_;
  return out;
}

}  // namespace tessera::cache
