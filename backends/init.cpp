// SPDX-License-Identifier: Apache-2.0
// tessera::init(): the one place backends are registered (STYLE A2, B9), in the order
// `tessera devices` lists them. Which backends exist is decided by the build options
// (TS_ENABLE_CPU/CUDA/HIP); whether a vendor's devices are usable is decided at run time.
#include <mutex>

#include "tessera/runtime/registry.h"

#if TS_ENABLE_CPU
#include "cpu/runtime.h"
#endif
#if TS_ENABLE_CUDA
#include "cuda/runtime.h"
#endif
#if TS_ENABLE_HIP
#include "hip/runtime.h"
#endif

namespace tessera {

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    backend::Registry& r = backend::registry();
#if TS_ENABLE_CPU
    backend::register_cpu_backend(r);
#endif
#if TS_ENABLE_CUDA
    backend::register_cuda_backend(r);
#endif
#if TS_ENABLE_HIP
    backend::register_hip_backend(r);
#endif
    r.mark_initialized();
  });
}

}  // namespace tessera
