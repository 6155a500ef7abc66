// SPDX-License-Identifier: Apache-2.0
#pragma once
// Helpers shared by the config tests: a temporary folder and the vLLM fixture files.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tessera/error.h"
#include "tessera/support/atomic_file.h"

namespace tessera::testing {

/// A fresh folder under the system temp folder, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tessera-config-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    if (made == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// tests/fixtures/vllm_configs: real vLLM files, <kernel>/<platform>.json.
inline std::filesystem::path vllm_fixtures() {
  return std::filesystem::path(TS_FIXTURES_DIR) / "vllm_configs";
}

/// Every fixture file, sorted (the fixture folder holds 14).
inline std::vector<std::filesystem::path> vllm_fixture_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(vllm_fixtures()))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

/// Copies the fixture tree to `dst` (as writable files).
inline void copy_fixtures(const std::filesystem::path& dst) {
  for (const auto& f : vllm_fixture_files()) {
    auto rel = std::filesystem::relative(f, vllm_fixtures());
    write_file_atomically(dst / rel, *read_file_if_exists(f));
  }
}

inline std::string read_text(const std::filesystem::path& p) {
  auto t = read_file_if_exists(p);
  if (!t) throw std::runtime_error("missing file " + p.string());
  return *t;
}

/// The message of the UserError `f` throws, or "<no UserError>".
inline std::string user_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "<no UserError>";
}

}  // namespace tessera::testing
