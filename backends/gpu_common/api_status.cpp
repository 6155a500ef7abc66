// SPDX-License-Identifier: Apache-2.0
#include "gpu_common/api_status.h"

#include "tessera/runtime/driver_error.h"

namespace tessera::backend::gpu {

void throw_api_error(const ApiStatus& status, std::string name, std::string text,
                     bool out_of_memory, runtime::DeviceId device, std::uint64_t requested_bytes,
                     const std::string& detail) {
  if (out_of_memory) {
    throw runtime::OutOfMemoryError(status.call, status.code, std::move(name), std::move(text),
                                    device, requested_bytes, detail);
  }
  throw runtime::DriverError(status.call, status.code, std::move(name), std::move(text), device,
                             detail);
}

}  // namespace tessera::backend::gpu
