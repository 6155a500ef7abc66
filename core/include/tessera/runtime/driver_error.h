// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Failures reported by a vendor driver or run-time compiler. They are neither bad input
/// (`UserError`) nor Tessera bugs (`InternalError`): the message names the API call, the
/// driver's error name and text, and the device, so a user can tell a full GPU from a broken
/// driver ([Kokkos] KOKKOS_IMPL_HIP_SAFE_CALL, STYLE A7).

#include <cstdint>
#include <stdexcept>
#include <string>

#include "tessera/runtime/device_id.h"

namespace tessera::runtime {

/// A driver or runtime call returned an error.
class DriverError : public std::runtime_error {
 public:
  /// `call`: the source text of the call ("cuMemAlloc(&ptr, bytes)"); `code`: the raw error
  /// number; `error_name`/`error_text`: the driver's cuGetErrorName/cuGetErrorString (or the
  /// HIP equivalents); `device`: where it happened; `detail`: extra context (may be empty).
  DriverError(std::string call, long code, std::string error_name, std::string error_text,
              DeviceId device, const std::string& detail);

  const std::string& call() const { return call_; }
  long code() const { return code_; }
  const std::string& error_name() const { return error_name_; }
  DeviceId device() const { return device_; }

 private:
  std::string call_;
  long code_;
  std::string error_name_;
  DeviceId device_;
};

/// An allocation could not be satisfied: the request, and what the device had free, are in
/// the message. Catch it to retry smaller or free caches (like `torch.OutOfMemoryError`).
class OutOfMemoryError : public DriverError {
 public:
  OutOfMemoryError(std::string call, long code, std::string error_name, std::string error_text,
                   DeviceId device, std::uint64_t requested_bytes, const std::string& detail);
  std::uint64_t requested_bytes() const { return requested_bytes_; }

 private:
  std::uint64_t requested_bytes_;
};

}  // namespace tessera::runtime
