// SPDX-License-Identifier: Apache-2.0
#include "tessera/config/config_manager.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <unistd.h>

#include "tessera/error.h"
#include "tessera/support/atomic_file.h"
#include "tessera/support/env.h"

#ifndef TS_DEFAULT_CONFIG_DIR
#error "TS_DEFAULT_CONFIG_DIR must be defined by core/src/config/CMakeLists.txt"
#endif

namespace tessera {

namespace fs = std::filesystem;

namespace {

fs::path resolve(const fs::path& p) {
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  TS_USER_CHECK(!ec) << "cannot resolve config folder " << p << ": " << ec.message();
  fs::path canon = fs::weakly_canonical(abs, ec);
  return (ec ? abs : canon).lexically_normal();
}

// One mutex per config file path, for the whole process: saves to one file from any manager
// are serialized, so a read-merge-write never loses another thread's entries.
std::mutex& file_lock(const fs::path& path) {
  static std::mutex registry_mutex;
  static std::map<std::string, std::unique_ptr<std::mutex>> locks;
  std::lock_guard<std::mutex> guard(registry_mutex);
  auto& m = locks[path.string()];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

std::mutex g_instance_mutex;
std::unique_ptr<ConfigManager> g_instance;

}  // namespace

ConfigManager::ConfigManager(const fs::path& base_dir) : base_dir_(resolve(base_dir)) {}

ConfigManager& ConfigManager::instance(const std::optional<fs::path>& base_dir) {
  std::lock_guard<std::mutex> guard(g_instance_mutex);
  if (g_instance) {
    if (base_dir) {
      fs::path asked = resolve(*base_dir);
      TS_USER_CHECK(asked == g_instance->base_dir())
          << "the process-wide ConfigManager already uses the config folder "
          << g_instance->base_dir() << "; it cannot switch to " << asked
          << ". Choose the folder once, before the first use (ConfigManager::instance(dir) or "
             "TESSERA_CONFIG_DIR), or construct a separate ConfigManager for another folder";
    }
    return *g_instance;
  }
  fs::path base;
  if (base_dir) {
    base = *base_dir;
  } else if (auto env_dir = env::get("TESSERA_CONFIG_DIR")) {
    base = *env_dir;
  } else {
    base = default_config_dir();
  }
  g_instance = std::make_unique<ConfigManager>(base);
  return *g_instance;
}

fs::path ConfigManager::default_config_dir() { return fs::path(TS_DEFAULT_CONFIG_DIR); }

fs::path ConfigManager::kernel_dir(std::string_view kernel) const {
  check_kernel_name(kernel);
  return base_dir_ / std::string(kernel);
}

fs::path ConfigManager::config_file_path(std::string_view kernel, std::string_view platform) const {
  return kernel_dir(kernel) / (normalize_platform_name(platform) + ".json");
}

std::vector<std::string> ConfigManager::kernels() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(base_dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory()) continue;  // e.g. gpu_aliases.json
    std::string name = it->path().filename().string();
    try {
      check_kernel_name(name);
      out.push_back(name);
    } catch (const UserError&) {
      // Not a kernel folder (hidden folders, editor back-ups): not ours to list.
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::shared_ptr<const ConfigSet> ConfigManager::load_locked(const std::string& kernel) {
  auto set = std::make_shared<ConfigSet>(kernel);
  fs::path dir = kernel_dir(kernel);
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::string stem = file.stem().string();
    try {
      std::string platform = normalize_platform_name(stem, "platform file name");
      TS_USER_CHECK(platform == stem)
          << "platform file names are lower-case; rename it to " << platform << ".json";
      auto text = read_file_if_exists(file);
      if (!text) continue;  // removed since the listing
      set->set_platform(platform, parse_config_file(*text, file.string()));
    } catch (const UserError& e) {
      set->add_load_problem({file, e.what()});
    }
  }
  cache_[kernel] = set;
  return set;
}

std::shared_ptr<const ConfigSet> ConfigManager::config_set(std::string_view kernel) {
  check_kernel_name(kernel);
  std::lock_guard<std::mutex> guard(cache_mutex_);
  if (auto it = cache_.find(kernel); it != cache_.end()) return it->second;
  return load_locked(std::string(kernel));
}

std::shared_ptr<const ConfigSet> ConfigManager::reload(std::string_view kernel) {
  check_kernel_name(kernel);
  std::lock_guard<std::mutex> guard(cache_mutex_);
  cache_.erase(std::string(kernel));
  return load_locked(std::string(kernel));
}

std::vector<ConfigEntry> ConfigManager::read_platform_file(std::string_view kernel,
                                                           std::string_view platform) const {
  fs::path path = config_file_path(kernel, platform);
  auto text = read_file_if_exists(path);
  if (!text) return {};
  return parse_config_file(*text, path.string());
}

fs::path ConfigManager::save_configs(std::string_view kernel, std::string_view platform,
                                     const std::vector<ConfigEntry>& entries) {
  fs::path path = config_file_path(kernel, platform);
  std::vector<ConfigEntry> merged;
  {
    std::lock_guard<std::mutex> file_guard(file_lock(path));
    try {
      merged = read_platform_file(kernel, platform);
    } catch (const UserError& e) {
      TS_USER_CHECK(false) << "cannot save configs for kernel '" << kernel << "' to " << path
                           << ": the existing file is invalid and would be overwritten; fix or "
                              "remove it first. The problem:\n"
                           << e.what();
    }
    merge_entries(merged, entries);
    write_file_atomically(path, format_config_file(merged));
  }
  // Keep the cached set in step (a set loaded before this save would otherwise be stale).
  std::lock_guard<std::mutex> guard(cache_mutex_);
  if (auto it = cache_.find(kernel); it != cache_.end()) {
    auto updated = std::make_shared<ConfigSet>(*it->second);
    updated->set_platform(platform, read_platform_file(kernel, platform));
    it->second = std::move(updated);
  }
  return path;
}

fs::path ConfigManager::save_config_set(const ConfigSet& set) {
  for (const std::string& platform : set.platforms())
    save_configs(set.kernel_name(), platform, set.entries(platform));
  return kernel_dir(set.kernel_name());
}

void ConfigManager::ensure_writable() const {
  std::error_code ec;
  fs::create_directories(base_dir_, ec);
  TS_USER_CHECK(!ec) << "config folder " << base_dir_ << " cannot be created: " << ec.message()
                     << ". Choose a writable folder with --config-dir or TESSERA_CONFIG_DIR";
  fs::path probe = base_dir_ / (".write_test." + std::to_string(::getpid()));
  {
    std::ofstream out(probe);
    TS_USER_CHECK(out && (out << "test") && out.flush())
        << "config folder " << base_dir_ << " is not writable: " << std::strerror(errno)
        << ". Choose a writable folder with --config-dir or TESSERA_CONFIG_DIR";
  }
  fs::remove(probe, ec);
  TS_USER_CHECK(!ec) << "config folder " << base_dir_ << ": cannot remove the test file " << probe
                     << ": " << ec.message();
}

}  // namespace tessera
