// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Config files and `ConfigSet`, vLLM's in-memory collection of a kernel's tuned configs.
///
/// One file, `configs/<kernel>/<platform>.json`, is a JSON list of entries
/// `{"key": {...}, "config": {...}}` (an empty key is the platform's default config). A
/// `ConfigSet` holds every platform file of one kernel: platform -> entries in file order.
///
/// Files are written exactly as vLLM writes them, `json.dump(entries, f, indent=2)` followed by
/// `"\n"`: `key` before `config`, key fields in their given order, config fields in their
/// stored order. A file read here and written back is therefore byte-identical (plus the final
/// newline where the original lacked one).
///
/// Platform names are lower-cased wherever they enter (vLLM lower-cases them on some paths and
/// not on others), and kernel and platform names must match `[a-z0-9_.-]+` and must not be `.`
/// or contain `..`, so a name can never point outside the config folder.

#include "tessera/config/config.h"
#include "tessera/keys/case_key.h"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tessera {

/// One `{"key": ..., "config": ...}` element of a config file.
struct ConfigEntry {
  CaseKey key;
  Config config;
};

/// Throws `UserError` unless `name` is a valid kernel name (`[a-z0-9_.-]+`, not `.`, no `..`).
/// `what` says where the name came from, for the message.
void check_kernel_name(std::string_view name, std::string_view what = "kernel name");
/// Lower-cases `name` and checks it as `check_kernel_name` does; returns the lower-cased name.
std::string normalize_platform_name(std::string_view name, std::string_view what = "platform name");

/// Parses the text of a config file. Throws one `UserError` listing every problem, each with
/// `origin` (the path), the entry index and the field: invalid JSON (line:column), a top level
/// that is not a list, an entry that is not `{"key": {...}, "config": {...}}`, a bad key value,
/// a config field outside its domain, or two entries with the same key.
std::vector<ConfigEntry> parse_config_file(std::string_view text, std::string_view origin);

/// Every problem `parse_config_file` would report, without throwing (for `configs validate`).
std::vector<std::string> check_config_file(std::string_view text, std::string_view origin);

/// The file text vLLM writes for `entries`: `json.dumps(entries, indent=2) + "\n"`.
std::string format_config_file(const std::vector<ConfigEntry>& entries);

/// Merge on save: an entry whose key is already in `into` replaces that entry in place; new
/// keys are appended in the order of `from`.
void merge_entries(std::vector<ConfigEntry>& into, const std::vector<ConfigEntry>& from);

/// A file that could not be loaded (and was skipped): its path and why.
struct LoadProblem {
  std::filesystem::path path;
  std::string message;
};

/// The configs of one kernel on every platform that has a file. A value type; not synchronized.
class ConfigSet {
 public:
  /// An empty set. Throws `UserError` if `kernel_name` is invalid.
  explicit ConfigSet(std::string kernel_name);

  const std::string& kernel_name() const { return kernel_name_; }
  /// Platforms with at least one entry (or an empty file), sorted.
  std::vector<std::string> platforms() const;
  bool has_platform(std::string_view platform) const;
  /// A platform's keys sorted by canonical string (vLLM's `sorted(keys, key=str)`; the pickers
  /// break ties by this order). Empty for an unknown platform.
  std::vector<CaseKey> keys(std::string_view platform) const;
  /// A platform's entries in file order. Empty for an unknown platform.
  const std::vector<ConfigEntry>& entries(std::string_view platform) const;
  /// The config for (platform, key), or nullptr.
  const Config* find(std::string_view platform, const CaseKey& key) const;
  /// The config for (platform, key). Throws `UserError` naming the kernel: for an unknown
  /// platform it lists the available ones and says how to add a GPU alias
  /// (configs/gpu_aliases.json or a TESSERA_GPU_ALIASES file) or to tune; for an unknown key it
  /// lists the platform's keys. Files that failed to load are mentioned.
  const Config& get(std::string_view platform, const CaseKey& key) const;
  /// Total number of entries over all platforms.
  std::size_t size() const;

  /// Sets (platform, key): replaces an existing entry in place, else appends.
  void set(std::string_view platform, const CaseKey& key, Config config);
  /// Replaces a platform's entries wholesale (as read from its file).
  void set_platform(std::string_view platform, std::vector<ConfigEntry> entries);

  /// Files skipped while loading this set (corrupt JSON, bad entries, bad names).
  const std::vector<LoadProblem>& load_problems() const { return load_problems_; }
  void add_load_problem(LoadProblem p) { load_problems_.push_back(std::move(p)); }

 private:
  struct Platform {
    std::vector<ConfigEntry> entries;
    std::unordered_map<CaseKey, std::size_t> index;  // key -> position in entries
  };
  const Platform* platform(std::string_view name) const;
  std::string kernel_name_;
  std::map<std::string, Platform, std::less<>> platforms_;
  std::vector<LoadProblem> load_problems_;
};

}  // namespace tessera
