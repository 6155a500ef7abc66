// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// dlopen of a vendor library by a list of candidate sonames, keeping every failure reason,
/// so "not available" says which names were tried and what the loader said about each.
/// Handles are never dlclose'd: vendor drivers register atexit handlers and threads that
/// must not outlive their code, and a process opens each library once.

#include <span>
#include <string>

namespace tessera::backend::gpu {

class DynamicLibrary {
 public:
  /// Opens the first of `sonames` that loads (RTLD_NOW | RTLD_LOCAL). On failure `loaded()` is
  /// false and `error()` lists each name with dlerror()'s text.
  static DynamicLibrary open_first(std::span<const char* const> sonames);

  bool loaded() const { return handle_ != nullptr; }
  /// The soname that loaded, e.g. "libcuda.so.1".
  const std::string& name() const { return name_; }
  const std::string& error() const { return error_; }
  /// dlsym; null if absent.
  void* symbol(const char* name) const;

 private:
  void* handle_ = nullptr;
  std::string name_;
  std::string error_;
};

}  // namespace tessera::backend::gpu
