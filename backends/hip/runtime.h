// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The HIP backend's runtime: AMD GPUs through the HIP runtime (libamdhip64, dlopen'ed), kernels
/// compiled by hiprtc. Devices are `hip:N` in the runtime's ordinal order (HIP_VISIBLE_DEVICES
/// and ROCR_VISIBLE_DEVICES apply). No AMD GPU is lent to this project: on the machines it is
/// tested on, this backend reports "not available" with the runtime's reason (from hipInit),
/// and its device paths are the ones CUDA exercises, shared through gpu_common.

#include <string>

#include "tessera/runtime/backend.h"
#include "tessera/runtime/device_info.h"

namespace tessera::backend {

class Registry;

/// Adds the `hip` backend to `registry` (called by `tessera::init()`). Loads nothing yet.
void register_hip_backend(Registry& registry);

namespace hip {

/// Facts about device `ordinal` (caps.cpp). Throws `runtime::DriverError` on a failed query.
runtime::DeviceInfo query_device(int ordinal);

/// The runtime's own fill kernel (gpu_common/fill_kernel.h) compiled by hiprtc to a code object
/// for `info.caps.target` (e.g. "gfx90a"). Needs no GPU, only hiprtc. Throws `UserError` when
/// hiprtc is missing or the target unknown, `runtime::DriverError` with the log on failure.
Binary compile_fill_kernel(const runtime::DeviceInfo& info);

/// "hiprtc 5.2", or "hiprtc unavailable (<why>)": goes into cache keys and `tessera devices`.
std::string hiprtc_version();

}  // namespace hip
}  // namespace tessera::backend
