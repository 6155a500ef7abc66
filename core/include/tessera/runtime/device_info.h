// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Facts about a device and about a backend, filled by each backend's runtime from its driver
/// (DESIGN.md "platform", STYLE A8: two ids, never confused: the *platform* picks the config
/// file, the *target* picks the code generator's instructions).

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/runtime/device_id.h"

namespace tessera::backend {

/// What a code generator may rely on about a device: plain data, no methods ([tinygrad]
/// Renderer attributes, STYLE B3). Sizes in bytes; counts per device.
struct Caps {
  /// Instruction-set target as `platform::Target` prints it: "sm_90a", "gfx90a",
  /// "x86_64-avx512". Empty when the driver did not tell (the device is still usable for
  /// memory work, but nothing can be compiled for it).
  std::string target;
  /// Threads that execute in lock step: 32 on NVIDIA, 64 on CDNA (32 on RDNA), 1 on the CPU.
  int warp_size = 1;
  /// Streaming multiprocessors (NVIDIA), compute units (AMD) or hardware threads (CPU).
  int compute_units = 0;
  /// Most threads in one block/workgroup.
  int max_threads_per_block = 1;
  /// Shared memory one block may use, opt-in maximum included (NVIDIA:
  /// MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, 227 KiB on sm_90); 0 on the CPU.
  std::int64_t smem_per_block_bytes = 0;
  /// Shared memory of one multiprocessor / compute unit (LDS on AMD); 0 on the CPU.
  std::int64_t smem_per_sm_bytes = 0;
};

}  // namespace tessera::backend

namespace tessera::runtime {

/// Everything `tessera devices` prints about one device.
struct DeviceInfo {
  DeviceId id;
  /// The driver's marketing name, e.g. "NVIDIA H100 80GB HBM3", or the host CPU's model name.
  std::string name;
  /// Canonical platform id (`nvidia_h100`, `amd_instinct_mi300x`, `cpu_x86_64`) from
  /// `platform::resolve_platform`, so TESSERA_PLATFORM applies.
  std::string platform;
  backend::Caps caps;
  /// Device memory (host RAM for the CPU), bytes.
  std::uint64_t memory_bytes = 0;
  /// Last-level cache the device's cores share (L2 on GPUs), bytes; 0 if unknown.
  std::int64_t l2_bytes = 0;
  /// Peak core clock in kHz; 0 if unknown.
  std::int64_t clock_khz = 0;
  /// Driver version as the vendor prints it ("13.0" for CUDA driver API 13000).
  std::string driver_version;
  /// Version of the run-time compiler library ("nvrtc 13.0", "hiprtc 5.2") or the host
  /// compiler Tessera was built with; it enters JIT cache keys (STYLE A10).
  std::string runtime_version;
};

/// Whether a backend can be used on this machine, and why not.
struct BackendStatus {
  DeviceKind kind = DeviceKind::cpu;
  /// True when the vendor libraries loaded and at least one device answered.
  bool available = false;
  /// Empty when available; otherwise what failed, e.g. "libcuda.so.1: cannot open shared
  /// object file" or "cuInit: CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected)".
  std::string reason;
  /// The vendor libraries actually loaded (full sonames), for diagnostics.
  std::vector<std::string> libraries;
};

}  // namespace tessera::runtime
