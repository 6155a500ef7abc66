// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The device self test behind `tessera devices --selftest`: allocate, fill, copy and verify on
/// one device, and measure copy bandwidth. Also used by the conformance tests, so the tool and
/// the tests check the same thing.

#include <cstddef>
#include <string>

#include "tessera/runtime/device.h"

namespace tessera::runtime {

/// Bandwidth of one copy direction. `gb_per_s` counts bytes read plus bytes written
/// (2 x size), the convention of memory-bound kernels' roofline numbers and of PyTorch
/// bandwidth tests, over the median of `repeats` timed copies (device events on GPUs).
struct CopyBandwidth {
  std::string direction;  ///< "H2D", "D2H" or "D2D"
  std::size_t bytes = 0;  ///< size of one copy
  double median_ms = 0;
  double gb_per_s = 0;    ///< 2 * bytes / median time, in 1e9 bytes per second
};

struct SelftestResult {
  DeviceId device;
  bool passed = false;
  /// Empty when passed; else which step failed and the first mismatching word.
  std::string failure;
  CopyBandwidth h2d, d2h, d2d;
};

/// Options of `run_selftest`.
struct SelftestOptions {
  std::size_t bytes = std::size_t(256) << 20;  ///< buffer size (multiple of 4)
  int repeats = 20;                             ///< timed copies per direction
  int warmup = 3;                               ///< untimed copies first
};

/// Runs the self test on `device`: pattern-fill on the device, D2H and verify; H2D of a host
/// pattern from pinned memory, D2D, D2H and verify; then timed H2D/D2H (pinned host) and D2D.
/// A verification failure is reported in the result; driver failures throw `DriverError`.
SelftestResult run_selftest(const Device& device, const SelftestOptions& options = {});

}  // namespace tessera::runtime
