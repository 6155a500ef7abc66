// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The result of one vendor API call as the shared GPU runtime sees it: the raw error code and
/// the name of the vendor function that returned it (e.g. "cuMemAlloc"), so an error names
/// the real call, not our wrapper. `check` turns a failure into `runtime::DriverError` (or
/// `OutOfMemoryError`) with the driver's error name and text and the device.

#include <cstdint>
#include <string>
#include <string_view>

#include "tessera/runtime/device_id.h"

namespace tessera::backend::gpu {

/// Every vendor's success code is 0 (CUDA_SUCCESS, hipSuccess, NVRTC_SUCCESS, HIPRTC_SUCCESS).
struct ApiStatus {
  long code = 0;
  const char* call = "";
  bool ok() const { return code == 0; }
};

/// Throws `OutOfMemoryError` when `out_of_memory`, else `DriverError`; the message is
/// "<call> failed on <device>: <name> (<text>); <detail>".
[[noreturn]] void throw_api_error(const ApiStatus& status, std::string name, std::string text,
                                  bool out_of_memory, runtime::DeviceId device,
                                  std::uint64_t requested_bytes, const std::string& detail);

/// Throws for a failed `status` using the API trait's error tables.
template <class Api>
void check(const ApiStatus& status, runtime::DeviceId device, const std::string& detail = {}) {
  if (status.ok()) return;
  throw_api_error(status, Api::error_name(status.code), Api::error_text(status.code),
                  Api::is_out_of_memory(status.code), device, 0, detail);
}

}  // namespace tessera::backend::gpu
