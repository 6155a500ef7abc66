// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `AliasTable`: the data that maps GPU device names to platform ids, read from
/// `configs/gpu_aliases.json` (and a user file named by `TESSERA_GPU_ALIASES`), never from
/// `if` chains ([TVM] target tags). File format (configs/README.md has the full story):
/// \code
///   {"comment": "...",
///    "platforms": [
///      {"platform": "nvidia_h100", "target": "sm_90a",
///       "names": ["NVIDIA H100 80GB HBM3", "NVIDIA H100 PCIe", "NVIDIA H100 NVL"]},
///      ...]}
/// \endcode
/// * `platform`: the platform id (already in normalized form: lower-case, no whitespace, `/`
///   or `-`; characters `[a-z0-9_.]`), the stem of `configs/<kernel>/<platform>.json`.
/// * `target`: the code-generation target of that GPU (target.h); the platform's family and
///   warp size come from it, so families are one function over one table (STYLE A8).
/// * `names`: device names as drivers report them. Each is normalized with vLLM's rule
///   (`normalize_gpu_name`); a normalized name other than the platform id becomes an alias.
///   Optional `note`: free text (why an entry exists).
/// Within one file, a platform listed twice, two names with the same normalized form, or a
/// name whose normalized form is another platform's id is a `UserError` naming the file.
/// A later file (the user's) overrides: its names move to its platforms, its targets win.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/platform/target.h"

namespace tessera::platform {

/// One platform of the alias table.
struct PlatformEntry {
  std::string id;                  ///< e.g. `nvidia_h100`
  Target target;                   ///< e.g. `sm_90a` (family: `target.family`)
  std::vector<std::string> names;  ///< device-name spellings, as written in the file
  std::string note;                ///< optional free text from the file
  std::string source;              ///< the file that defined (or last overrode) the entry
};

/// Device names -> platform ids. Immutable once built; safe to read from many threads.
class AliasTable {
 public:
  /// An empty table (every name is its own platform).
  AliasTable() = default;

  /// Parses the JSON text of an alias file. `origin` (a path) names the file in errors.
  /// Throws `UserError` for malformed JSON, a wrong field type, an unknown field, an invalid
  /// platform id or target, and the duplicates listed in the file comment.
  static AliasTable parse(std::string_view json_text, std::string_view origin);

  /// Reads and parses `file`. Throws `UserError` naming the path if it cannot be read.
  static AliasTable load(const std::filesystem::path& file);

  /// The shipped file (`shipped_alias_file()`) merged with the user file named by
  /// `TESSERA_GPU_ALIASES`, if set. Reads the files and the environment now (uncached).
  static AliasTable from_environment();

  /// As `from_environment`, with `config_dir/gpu_aliases.json` instead of the shipped file
  /// (the tool's `--config-dir`).
  static AliasTable from_config_dir(const std::filesystem::path& config_dir);

  /// Adds `overrides` on top of this table: new platforms are appended; for a platform both
  /// define, the target and note of `overrides` win and the names are united; a name that
  /// `overrides` maps elsewhere leaves its old platform.
  void merge(const AliasTable& overrides);

  /// The platform id for an already normalized name: its alias, else the name itself.
  std::string platform_for(std::string_view normalized_name) const;

  /// The entry of platform `id`, or nullptr if the table has none (a platform may still have
  /// config files without an entry here).
  const PlatformEntry* find(std::string_view id) const;

  /// Every platform, in file order (platforms added by a later file last).
  const std::vector<PlatformEntry>& platforms() const { return platforms_; }

  /// Normalized name -> platform id for every name whose normalized form differs from its
  /// platform id (the equivalent of vLLM's `_GPU_NAME_ALIASES`), sorted by name.
  std::map<std::string, std::string> aliases() const;

  /// The files this table was read from, in merge order.
  const std::vector<std::string>& sources() const { return sources_; }

 private:
  std::vector<PlatformEntry> platforms_;
  // Normalized name -> platform id; includes each platform id mapped to itself.
  std::map<std::string, std::string, std::less<>> to_platform_;
  std::vector<std::string> sources_;
};

/// `$TESSERA_CONFIG_DIR/gpu_aliases.json`, or the source tree's `configs/gpu_aliases.json`
/// (the default config folder, fixed at build time) when the variable is unset.
std::filesystem::path shipped_alias_file();

/// The process-wide table (`AliasTable::from_environment()`), read on first use; thread-safe.
/// A failed read throws `UserError` and is retried on the next call.
const AliasTable& alias_table();

}  // namespace tessera::platform
