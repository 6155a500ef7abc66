// SPDX-License-Identifier: Apache-2.0
#include "gpu_common/dynamic_library.h"

#include <dlfcn.h>

namespace tessera::backend::gpu {

DynamicLibrary DynamicLibrary::open_first(std::span<const char* const> sonames) {
  DynamicLibrary lib;
  for (const char* soname : sonames) {
    dlerror();  // clear a stale message
    if (void* h = dlopen(soname, RTLD_NOW | RTLD_LOCAL)) {
      lib.handle_ = h;
      lib.name_ = soname;
      lib.error_.clear();
      return lib;
    }
    const char* why = dlerror();
    if (!lib.error_.empty()) lib.error_ += "; ";
    lib.error_ += why != nullptr ? why : (std::string(soname) + ": not found");
  }
  return lib;
}

void* DynamicLibrary::symbol(const char* name) const {
  return handle_ != nullptr ? dlsym(handle_, name) : nullptr;
}

}  // namespace tessera::backend::gpu
