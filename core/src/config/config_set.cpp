// SPDX-License-Identifier: Apache-2.0
#include "tessera/config/config_set.h"

#include <algorithm>
#include <cctype>

#include "tessera/error.h"

namespace tessera {

namespace {

using json::Json;

// "entry 3 (key {"numtokens":256})": how a problem's entry is named in messages.
std::string entry_label(std::size_t i, const Json& entry) {
  std::string label = cat("entry ", i);
  if (entry.is_object()) {
    auto it = entry.find("key");
    if (it != entry.end() && it->is_object()) label += " (key " + json::dumps_compact(*it, true) + ")";
  }
  return label;
}

// Reads the entries of a parsed file; collects every problem instead of stopping at the first.
std::vector<ConfigEntry> read_entries(const Json& doc, std::string_view origin,
                                      std::vector<std::string>& problems) {
  std::vector<ConfigEntry> entries;
  if (!doc.is_array()) {
    problems.push_back(cat(origin, ": a config file must be a JSON list of {\"key\": {...}, "
                                   "\"config\": {...}} entries, got ",
                           json::type_phrase(doc)));
    return entries;
  }
  std::unordered_map<CaseKey, std::size_t> first_seen;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const Json& e = doc[i];
    std::string where = cat(origin, ": ", entry_label(i, e));
    if (!e.is_object()) {
      problems.push_back(cat(where, ": expected an object {\"key\": {...}, \"config\": {...}}, got ",
                             json::type_phrase(e)));
      continue;
    }
    bool shape_ok = true;
    for (const char* field : {"key", "config"}) {
      if (!e.contains(field)) {
        problems.push_back(cat(where, ": missing \"", field, "\""));
        shape_ok = false;
      }
    }
    for (auto it = e.begin(); it != e.end(); ++it) {
      if (it.key() != "key" && it.key() != "config") {
        problems.push_back(cat(where, ": unexpected field \"", it.key(),
                               "\" (an entry has exactly \"key\" and \"config\")"));
        shape_ok = false;
      }
    }
    // An entry with "config" before "key" still loads (vLLM reads it); `configs fmt` rewrites it.
    if (!shape_ok) continue;
    std::optional<CaseKey> key;
    try {
      key = CaseKey::from_json(e["key"], cat(where, ": key"));
    } catch (const UserError& err) {
      problems.push_back(err.what());
    }
    auto config_problems = Config::check(e["config"]);
    for (const auto& p : config_problems) problems.push_back(cat(where, ": config ", p));
    if (!key || !config_problems.empty()) continue;
    auto [it, inserted] = first_seen.emplace(*key, i);
    if (!inserted) {
      problems.push_back(cat(where, ": the same key as entry ", it->second,
                             "; each key may appear once per file (remove one of them)"));
      continue;
    }
    entries.push_back({*key, Config::from_json(e["config"], where)});
  }
  return entries;
}

bool valid_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

}  // namespace

void check_kernel_name(std::string_view name, std::string_view what) {
  TS_USER_CHECK(!name.empty()) << what << " is empty";
  auto bad = std::find_if_not(name.begin(), name.end(), valid_name_char);
  TS_USER_CHECK(bad == name.end())
      << what << " '" << name << "' has the character '" << *bad
      << "'; names may only contain a-z, 0-9, '_', '.' and '-' (they become file and folder "
         "names under the config folder)";
  TS_USER_CHECK(name != "." && name.find("..") == std::string_view::npos)
      << what << " '" << name << "' is not allowed: '.' and '..' would name a folder outside "
      << "configs/<kernel>/";
}

std::string normalize_platform_name(std::string_view name, std::string_view what) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  check_kernel_name(lower, what);
  return lower;
}

std::vector<std::string> check_config_file(std::string_view text, std::string_view origin) {
  std::vector<std::string> problems;
  Json doc;
  try {
    doc = json::parse(text, origin);
  } catch (const UserError& e) {
    return {e.what()};
  }
  read_entries(doc, origin, problems);
  return problems;
}

std::vector<ConfigEntry> parse_config_file(std::string_view text, std::string_view origin) {
  Json doc = json::parse(text, origin);
  std::vector<std::string> problems;
  auto entries = read_entries(doc, origin, problems);
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "\n") + p;
    throw UserError(msg);
  }
  return entries;
}

std::string format_config_file(const std::vector<ConfigEntry>& entries) {
  Json doc = Json::array();
  for (const auto& e : entries) {
    Json entry = Json::object();
    entry["key"] = e.key.to_json();
    entry["config"] = e.config.to_json();
    doc.push_back(std::move(entry));
  }
  return json::dumps_indented(doc, 2) + "\n";
}

void merge_entries(std::vector<ConfigEntry>& into, const std::vector<ConfigEntry>& from) {
  std::unordered_map<CaseKey, std::size_t> index;
  for (std::size_t i = 0; i < into.size(); ++i) index.emplace(into[i].key, i);
  for (const auto& e : from) {
    if (auto it = index.find(e.key); it != index.end()) {
      into[it->second].config = e.config;
    } else {
      index.emplace(e.key, into.size());
      into.push_back(e);
    }
  }
}

// ---- ConfigSet --------------------------------------------------------------------------------

ConfigSet::ConfigSet(std::string kernel_name) : kernel_name_(std::move(kernel_name)) {
  check_kernel_name(kernel_name_);
}

const ConfigSet::Platform* ConfigSet::platform(std::string_view name) const {
  auto it = platforms_.find(normalize_platform_name(name));
  return it == platforms_.end() ? nullptr : &it->second;
}

std::vector<std::string> ConfigSet::platforms() const {
  std::vector<std::string> out;
  for (const auto& [name, p] : platforms_) out.push_back(name);
  return out;  // std::map keeps them sorted
}

bool ConfigSet::has_platform(std::string_view name) const { return platform(name) != nullptr; }

std::vector<CaseKey> ConfigSet::keys(std::string_view name) const {
  std::vector<CaseKey> out;
  if (const Platform* p = platform(name))
    for (const auto& e : p->entries) out.push_back(e.key);
  std::sort(out.begin(), out.end());
  return out;
}

const std::vector<ConfigEntry>& ConfigSet::entries(std::string_view name) const {
  static const std::vector<ConfigEntry> kNone;
  const Platform* p = platform(name);
  return p ? p->entries : kNone;
}

const Config* ConfigSet::find(std::string_view name, const CaseKey& key) const {
  const Platform* p = platform(name);
  if (p == nullptr) return nullptr;
  auto it = p->index.find(key);
  return it == p->index.end() ? nullptr : &p->entries[it->second].config;
}

const Config& ConfigSet::get(std::string_view name, const CaseKey& key) const {
  std::string plat = normalize_platform_name(name);
  std::string skipped;
  for (const auto& lp : load_problems_)
    skipped += cat("\n  note: skipped ", lp.path.string(), ": ", lp.message);
  const Platform* p = platform(plat);
  if (p == nullptr) {
    std::string avail;
    for (const auto& [n, unused] : platforms_) avail += (avail.empty() ? "" : ", ") + n;
    TS_USER_CHECK(false)
        << "no config for kernel '" << kernel_name_ << "' on platform '" << plat
        << "': no file " << kernel_name_ << "/" << plat << ".json. Available platforms: "
        << (avail.empty() ? "(none)" : avail)
        << ". If your GPU is a variant of an available platform, map its name to that platform "
           "in configs/gpu_aliases.json (or in a file named by TESSERA_GPU_ALIASES), or set "
           "TESSERA_PLATFORM; otherwise tune the kernel for your platform to create the file."
        << skipped;
  }
  auto it = p->index.find(key);
  if (it == p->index.end()) {
    std::string avail;
    for (const auto& k : keys(plat)) avail += (avail.empty() ? "" : ", ") + k.canonical();
    TS_USER_CHECK(false) << "no config for kernel '" << kernel_name_ << "' on platform '" << plat
                         << "' with key " << key.canonical()
                         << ". Available keys: " << (avail.empty() ? "(none)" : avail) << skipped;
  }
  return p->entries[it->second].config;
}

std::size_t ConfigSet::size() const {
  std::size_t n = 0;
  for (const auto& [name, p] : platforms_) n += p.entries.size();
  return n;
}

void ConfigSet::set(std::string_view name, const CaseKey& key, Config config) {
  Platform& p = platforms_[normalize_platform_name(name)];
  if (auto it = p.index.find(key); it != p.index.end()) {
    p.entries[it->second].config = std::move(config);
    return;
  }
  p.index.emplace(key, p.entries.size());
  p.entries.push_back({key, std::move(config)});
}

void ConfigSet::set_platform(std::string_view name, std::vector<ConfigEntry> entries) {
  Platform p;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    TS_USER_CHECK(p.index.emplace(entries[i].key, i).second)
        << "kernel '" << kernel_name_ << "', platform '" << name << "': key "
        << entries[i].key.canonical() << " appears twice";
  }
  p.entries = std::move(entries);
  platforms_[normalize_platform_name(name)] = std::move(p);
}

}  // namespace tessera
