// SPDX-License-Identifier: Apache-2.0
#include "tessera/runtime/driver_error.h"

#include "tessera/error.h"

namespace tessera::runtime {

namespace {
std::string driver_message(const std::string& call, const std::string& name,
                           const std::string& text, DeviceId device, const std::string& detail) {
  std::string msg = cat(call, " failed on ", device.str(), ": ", name, " (", text, ")");
  if (!detail.empty()) msg += cat("; ", detail);
  return msg;
}
}  // namespace

DriverError::DriverError(std::string call, long code, std::string error_name,
                         std::string error_text, DeviceId device, const std::string& detail)
    : std::runtime_error(driver_message(call, error_name, error_text, device, detail)),
      call_(std::move(call)),
      code_(code),
      error_name_(std::move(error_name)),
      device_(device) {}

OutOfMemoryError::OutOfMemoryError(std::string call, long code, std::string error_name,
                                   std::string error_text, DeviceId device,
                                   std::uint64_t requested_bytes, const std::string& detail)
    : DriverError(std::move(call), code, std::move(error_name), std::move(error_text), device,
                  detail),
      requested_bytes_(requested_bytes) {}

}  // namespace tessera::runtime
