// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The backend registry and the entry points of run-time device choice:
/// `tessera::init()` registers the backends this build has, `tessera::devices()` lists every
/// device of every backend on this machine, `tessera::open_device("cuda:0")` opens one.
///
/// Registration is explicit (STYLE A2, B9): `init()` calls `register_cpu_backend`,
/// `register_cuda_backend` and `register_hip_backend` (backends/*/runtime.h) in that order.
/// `init()` is defined by the `tessera_backends` library (backends/init.cpp), because core does
/// not depend on the backends; link `tessera_backends` to use it.

#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tessera/runtime/backend.h"
#include "tessera/runtime/device.h"
#include "tessera/runtime/device_info.h"

namespace tessera::backend {

/// Every registered backend, and the devices opened so far (one `DeviceImpl` per device for
/// the life of the process, so a CUDA primary context is retained once). Thread safe.
class Registry {
 public:
  /// Adds a backend. Throws `InternalError` if one of the same kind is already registered.
  void add(Backend backend);
  /// The backend of `kind`, or null if this build did not register it.
  const Backend* find(runtime::DeviceKind kind) const;
  /// Registered backends in registration order.
  std::vector<const Backend*> backends() const;
  /// Opens (once) and returns the device. Throws `UserError` for an unregistered backend, an
  /// unavailable one (with the reason) or a bad index (listing the devices there are).
  std::shared_ptr<DeviceImpl> open(runtime::DeviceId id);
  /// True once `tessera::init()` has run.
  bool initialized() const;
  void mark_initialized();

 private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Backend>> backends_;
  std::unordered_map<runtime::DeviceId, std::shared_ptr<DeviceImpl>> open_;
  bool initialized_ = false;
};

/// The process-wide registry `tessera::init()` fills. Never destroyed: open devices stay open
/// until the process exits (vendor drivers cannot be called from static destructors).
Registry& registry();

}  // namespace tessera::backend

namespace tessera {

/// Registers every backend of this build (cpu, then cuda and hip when enabled). Idempotent and
/// thread safe; loads no vendor library until a backend is queried. Defined in
/// `tessera_backends`.
void init();

/// Every backend's status, in registration order (available or not, and why).
/// Throws `UserError` if `init()` has not been called.
std::vector<runtime::BackendStatus> backend_statuses();

/// Every device of every available backend: `cpu` first, then `cuda:N`, then `hip:N`.
/// Throws `UserError` if `init()` has not been called.
std::vector<runtime::DeviceInfo> devices();

/// Opens a device by id or by its spelling ("cpu", "cuda:0", "hip:1"). See `Registry::open`.
runtime::Device open_device(runtime::DeviceId id);
runtime::Device open_device(std::string_view spelling);

}  // namespace tessera
