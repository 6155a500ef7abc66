// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The CPU backend's runtime: the host as device `cpu`. Memory is host memory (256-byte
/// aligned, so vector loads never split a cache line at a buffer's start); "streams" run each
/// operation inline on the calling thread, spreading large copies, fills and kernel grids over
/// a oneTBB arena of the CPUs this process may use; events read std::chrono::steady_clock.
/// Kernels are shared objects loaded with dlopen and called with the CPU launch ABI
/// (tessera/runtime/device_impl.h).

#include <memory>

#include "tessera/runtime/backend.h"
#include "tessera/runtime/device_info.h"

namespace tessera::backend {

class Registry;

/// Adds the `cpu` backend to `registry` (called by `tessera::init()`).
void register_cpu_backend(Registry& registry);

namespace cpu {

/// The CPU `Runtime` role (always available).
std::unique_ptr<Runtime> make_cpu_runtime();

/// Facts about the host as device `cpu` (caps.cpp): name, platform, target, cores, memory,
/// caches, kernel and compiler versions. Never throws; unknown facts stay 0 / empty.
runtime::DeviceInfo query_cpu_device_info();

}  // namespace cpu
}  // namespace tessera::backend
