// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `ConfigManager`: reads and writes `<base>/<kernel>/<platform>.json`, as vLLM's.
///
/// * A missing kernel folder or platform file means "no configs", not an error.
/// * A file that cannot be parsed (or holds invalid entries, or whose name is not a valid
///   lower-case platform name) is skipped while the kernel's other files still load; the path and
///   the reason are kept in `ConfigSet::load_problems()` and repeated in lookup errors.
/// * Saving merges per key (an existing key is replaced in place, new keys are appended) and
///   writes the file atomically (temporary file in the same folder, then rename). Saves to one
///   file are serialized by a process-wide lock per file, so concurrent savers in one process
///   never lose each other's entries; readers never see a partial file. (Two processes saving
///   the same file at the same moment may still lose one merge: each write is atomic, the
///   read-merge-write is not.)
/// * Platform names are lower-cased on every path; kernel and platform names are validated
///   (`check_kernel_name`) before any path is built.
///
/// Thread safety: all member functions may be called concurrently.

#include "tessera/config/config_set.h"

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera {

class ConfigManager {
 public:
  /// A manager over `base_dir` (made absolute; need not exist yet). Use `instance()` for the
  /// process-wide one; separate managers are for tools and tests. Managers over the same folder
  /// share the per-file save locks.
  explicit ConfigManager(const std::filesystem::path& base_dir);
  ConfigManager(const ConfigManager&) = delete;
  ConfigManager& operator=(const ConfigManager&) = delete;

  /// The process-wide manager. The first call fixes its base folder: `base_dir` if given, else
  /// `TESSERA_CONFIG_DIR` if set, else `default_config_dir()`. A later call with no argument
  /// returns it; a later call naming a different folder throws `UserError` naming both folders
  /// (the base cannot change while configs are cached and kernels hold them).
  static ConfigManager& instance(const std::optional<std::filesystem::path>& base_dir = std::nullopt);

  /// The `configs/` folder of the source tree this library was built from (a compile-time path).
  static std::filesystem::path default_config_dir();

  const std::filesystem::path& base_dir() const { return base_dir_; }
  /// `<base>/<kernel>`; throws `UserError` for an invalid kernel name.
  std::filesystem::path kernel_dir(std::string_view kernel) const;
  /// `<base>/<kernel>/<platform>.json`, platform lower-cased; throws `UserError` for bad names.
  std::filesystem::path config_file_path(std::string_view kernel, std::string_view platform) const;

  /// Kernels that have a folder under the base (valid names only), sorted. Empty if the base
  /// folder does not exist.
  std::vector<std::string> kernels() const;

  /// Every platform file of `kernel`, loaded on first use and cached. Never throws for file
  /// problems (they go to `load_problems()`); throws `UserError` for an invalid kernel name.
  std::shared_ptr<const ConfigSet> config_set(std::string_view kernel);
  /// Drops the cached set and loads it again from disk.
  std::shared_ptr<const ConfigSet> reload(std::string_view kernel);

  /// One platform file's entries, read now (not cached). Missing file: empty. Throws
  /// `UserError` (path, entry, field) if the file exists but is invalid.
  std::vector<ConfigEntry> read_platform_file(std::string_view kernel, std::string_view platform) const;

  /// Merges `entries` into `<kernel>/<platform>.json` and writes it atomically; updates the
  /// cached set. Throws `UserError` if the existing file is invalid (it is never overwritten
  /// then: fix or remove it) or cannot be written. Returns the file's path.
  std::filesystem::path save_configs(std::string_view kernel, std::string_view platform,
                                     const std::vector<ConfigEntry>& entries);
  /// `save_configs` for every platform of `set`; returns the kernel folder.
  std::filesystem::path save_config_set(const ConfigSet& set);

  /// Creates the base folder if missing and checks that a file can be created and removed in
  /// it; throws `UserError` naming the folder and the OS error otherwise.
  void ensure_writable() const;

 private:
  std::shared_ptr<const ConfigSet> load_locked(const std::string& kernel);
  std::filesystem::path base_dir_;
  std::mutex cache_mutex_;
  std::map<std::string, std::shared_ptr<const ConfigSet>, std::less<>> cache_;
};

}  // namespace tessera
