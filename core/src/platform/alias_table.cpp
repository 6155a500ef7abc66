// SPDX-License-Identifier: Apache-2.0
#include "tessera/platform/alias_table.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tessera/error.h"
#include "tessera/platform/canonicalize.h"
#include "tessera/support/env.h"
#include "tessera/support/python_json.h"

#ifndef TS_DEFAULT_CONFIG_DIR
#error "TS_DEFAULT_CONFIG_DIR must be defined by core/src/platform/CMakeLists.txt"
#endif

namespace tessera::platform {

namespace {

using json::Json;

constexpr std::string_view kFormatHint =
    "expected {\"platforms\": [{\"platform\": \"nvidia_h100\", \"target\": \"sm_90a\", "
    "\"names\": [\"NVIDIA H100 80GB HBM3\", ...]}, ...]} (see configs/README.md)";

// Checks that `v` has only the `allowed` fields; `where` prefixes the error.
void check_fields(const Json& v, std::initializer_list<std::string_view> allowed,
                  const std::string& where) {
  for (const auto& [key, value] : v.items()) {
    bool known = std::find(allowed.begin(), allowed.end(), key) != allowed.end();
    if (known) continue;
    std::string list;
    for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    user_error(cat(where, ": unknown field '", key, "' (valid fields: ", list, ")"));
  }
}

const std::string& string_field(const Json& v, std::string_view name, const std::string& where) {
  auto it = v.find(std::string(name));
  TS_USER_CHECK(it != v.end()) << where << ": missing field '" << name << "'; " << kFormatHint;
  TS_USER_CHECK(it->is_string()) << where << ": field '" << name << "' must be a string, got "
                                 << json::type_phrase(*it);
  return it->get_ref<const std::string&>();
}

void check_platform_id(const std::string& id, const std::string& where) {
  TS_USER_CHECK(is_valid_platform_id(id)) << where << ": invalid platform id '" << id
                    << "': a platform id is a normalized device name (lower-case letters, digits, "
                       "'_' and '.', not starting with '.' and without '..'), e.g. nvidia_h100";
}

std::string read_file(const std::filesystem::path& path, std::string_view hint) {
  std::ifstream in(path, std::ios::binary);
  TS_USER_CHECK(in) << "cannot read GPU alias file '" << path.string()
                    << "': " << std::strerror(errno) << "; " << hint;
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

}  // namespace

AliasTable AliasTable::parse(std::string_view json_text, std::string_view origin) {
  const std::string file(origin);
  const Json doc = json::parse(json_text, origin);
  TS_USER_CHECK(doc.is_object()) << file << ": the alias file must be a JSON object, got "
                                 << json::type_phrase(doc) << "; " << kFormatHint;
  check_fields(doc, {"comment", "platforms"}, file);
  auto list = doc.find("platforms");
  TS_USER_CHECK(list != doc.end() && list->is_array())
      << file << ": field 'platforms' must be a list; " << kFormatHint;

  AliasTable table;
  table.sources_.push_back(file);
  // Normalized name -> (platform, spelling as written), for the duplicate checks below.
  std::map<std::string, std::pair<std::string, std::string>> seen;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& entry = (*list)[i];
    std::string where = cat(file, ": platforms[", i, "]");
    TS_USER_CHECK(entry.is_object()) << where << " must be an object, got "
                                     << json::type_phrase(entry) << "; " << kFormatHint;
    check_fields(entry, {"platform", "target", "names", "note"}, where);
    PlatformEntry p;
    p.id = string_field(entry, "platform", where);
    where += " (" + p.id + ")";
    check_platform_id(p.id, where);
    for (std::size_t j = 0; j < table.platforms_.size(); ++j) {
      TS_USER_CHECK(table.platforms_[j].id != p.id)
          << file << ": duplicate entry: platform '" << p.id << "' is listed twice (platforms["
          << j << "] and platforms[" << i << "]); merge their names into one entry";
    }
    try {
      p.target = Target::parse(string_field(entry, "target", where));
    } catch (const UserError& e) {
      user_error(cat(where, ": field 'target': ", e.what()));
    }
    if (entry.contains("note")) p.note = string_field(entry, "note", where);
    auto names = entry.find("names");
    TS_USER_CHECK(names != entry.end() && names->is_array())
        << where << ": field 'names' must be a list of device names (it may be empty)";
    for (std::size_t k = 0; k < names->size(); ++k) {
      const Json& name = (*names)[k];
      TS_USER_CHECK(name.is_string()) << where << ": names[" << k << "] must be a string, got "
                                      << json::type_phrase(name);
      const std::string& spelling = name.get_ref<const std::string&>();
      std::string key;
      try {
        key = normalize_gpu_name(spelling);
      } catch (const UserError& e) {
        user_error(cat(where, ": names[", k, "]: ", e.what()));
      }
      auto [it, fresh] = seen.try_emplace(key, p.id, spelling);
      TS_USER_CHECK(fresh) << file << ": duplicate entry: device name '" << spelling
                           << "' of platform '" << p.id << "' normalizes to '" << key
                           << "', as does '" << it->second.second << "' of platform '"
                           << it->second.first << "'; keep one of them";
      p.names.push_back(spelling);
    }
    p.source = file;
    table.to_platform_[p.id] = p.id;
    table.platforms_.push_back(std::move(p));
  }
  for (const auto& [key, value] : seen) {
    const auto& [platform, spelling] = value;
    TS_USER_CHECK(key == platform || table.find(key) == nullptr)
        << file << ": device name '" << spelling << "' of platform '" << platform
        << "' normalizes to '" << key << "', which is itself a platform in this file; a name "
        << "maps to one platform: remove the name or the platform '" << key << "'";
    table.to_platform_[key] = platform;
  }
  return table;
}

AliasTable AliasTable::load(const std::filesystem::path& file) {
  return parse(read_file(file, "check the path and its permissions"), file.string());
}

AliasTable AliasTable::from_environment() {
  return from_config_dir(shipped_alias_file().parent_path());
}

AliasTable AliasTable::from_config_dir(const std::filesystem::path& config_dir) {
  const std::filesystem::path shipped = config_dir / "gpu_aliases.json";
  AliasTable table = parse(
      read_file(shipped, "the config folder must hold the shipped gpu_aliases.json: point "
                         "TESSERA_CONFIG_DIR (or --config-dir) at the configs/ folder of the "
                         "Tessera source or install"),
      shipped.string());
  if (auto user = env::get("TESSERA_GPU_ALIASES")) {
    const std::filesystem::path path(*user);
    table.merge(parse(read_file(path, "TESSERA_GPU_ALIASES names it: fix the path or unset the "
                                      "variable"),
                      path.string()));
  }
  return table;
}

void AliasTable::merge(const AliasTable& overrides) {
  for (const PlatformEntry& add : overrides.platforms_) {
    // Every normalized name `add` claims, its own id included, leaves its previous platform.
    std::vector<std::string> keys{add.id};
    for (const std::string& n : add.names) keys.push_back(normalize_gpu_name(n));
    for (const std::string& key : keys) {
      auto it = to_platform_.find(key);
      if (it != to_platform_.end() && it->second != add.id) {
        for (PlatformEntry& old : platforms_) {
          if (old.id != it->second) continue;
          std::erase_if(old.names, [&](const std::string& n) { return normalize_gpu_name(n) == key; });
        }
      }
      to_platform_[key] = add.id;
    }
    auto existing = std::find_if(platforms_.begin(), platforms_.end(),
                                 [&](const PlatformEntry& p) { return p.id == add.id; });
    if (existing == platforms_.end()) {
      platforms_.push_back(add);
      continue;
    }
    existing->target = add.target;
    existing->source = add.source;
    if (!add.note.empty()) existing->note = add.note;
    for (const std::string& n : add.names) {
      const std::string key = normalize_gpu_name(n);
      bool present = std::any_of(existing->names.begin(), existing->names.end(),
                                 [&](const std::string& m) { return normalize_gpu_name(m) == key; });
      if (!present) existing->names.push_back(n);
    }
  }
  sources_.insert(sources_.end(), overrides.sources_.begin(), overrides.sources_.end());
}

std::string AliasTable::platform_for(std::string_view normalized_name) const {
  auto it = to_platform_.find(normalized_name);
  return it == to_platform_.end() ? std::string(normalized_name) : it->second;
}

const PlatformEntry* AliasTable::find(std::string_view id) const {
  auto it = std::find_if(platforms_.begin(), platforms_.end(),
                         [&](const PlatformEntry& p) { return p.id == id; });
  return it == platforms_.end() ? nullptr : &*it;
}

std::map<std::string, std::string> AliasTable::aliases() const {
  std::map<std::string, std::string> out;
  for (const auto& [key, platform] : to_platform_) {
    if (key != platform) out.emplace(key, platform);
  }
  return out;
}

std::filesystem::path shipped_alias_file() {
  if (auto dir = env::get("TESSERA_CONFIG_DIR")) return std::filesystem::path(*dir) / "gpu_aliases.json";
  return std::filesystem::path(TS_DEFAULT_CONFIG_DIR) / "gpu_aliases.json";
}

const AliasTable& alias_table() {
  // A throwing initializer leaves the static uninitialized, so a fixed file is read next time.
  static const AliasTable table = AliasTable::from_environment();
  return table;
}

}  // namespace tessera::platform
