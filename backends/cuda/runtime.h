// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The CUDA backend's runtime: NVIDIA GPUs through the driver API (libcuda.so.1, dlopen'ed and
/// resolved with cuGetProcAddress), one primary context per device, kernels compiled by NVRTC.
/// Devices are `cuda:N` in the driver's ordinal order (CUDA_VISIBLE_DEVICES applies).

#include <string>

#include "tessera/runtime/backend.h"
#include "tessera/runtime/device_info.h"

namespace tessera::backend {

class Registry;

/// Adds the `cuda` backend to `registry` (called by `tessera::init()`). Loads nothing yet:
/// the driver is opened on the first status, enumerate or open.
void register_cuda_backend(Registry& registry);

namespace cuda {

/// Facts about device `ordinal` (caps.cpp). Throws `runtime::DriverError` on a failed query.
runtime::DeviceInfo query_device(int ordinal);

/// The runtime's own fill kernel (gpu_common/fill_kernel.h) compiled by NVRTC to a cubin for
/// `info.caps.target`. Needs no GPU, only NVRTC. Throws `UserError` when NVRTC is missing or
/// the target unknown, `runtime::DriverError` with the NVRTC log when compilation fails.
Binary compile_fill_kernel(const runtime::DeviceInfo& info);

/// "nvrtc 13.0", or "nvrtc unavailable (<why>)": goes into cache keys and `tessera devices`.
std::string nvrtc_version();

}  // namespace cuda
}  // namespace tessera::backend
