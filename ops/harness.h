// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The run harness behind `tessera run`, `tessera demo` and the op tests: uploads a case's host
/// arguments to a device, runs the op once and compares every checked output with the float64
/// reference (distance in units in the last place of the output dtype, or relative error),
/// then times repeated calls with device events.

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/registry/registry.h"
#include "tessera/runtime/device.h"

namespace tessera::ops {

/// The comparison of one checked output with the reference.
struct OutputError {
  std::string arg;          ///< argument name
  double max_ulp = 0;       ///< largest distance in ULPs of the output dtype (inf for NaN)
  double max_rel = 0;       ///< largest relative error
  std::int64_t mismatches = 0;  ///< elements beyond both tolerances
  std::string first_mismatch;   ///< "index 17: got 3.5, want 3.25" (empty when none)
  bool pass = true;
};

/// One case run on one device.
struct CaseResult {
  CaseKey case_key = CaseKey::default_key();  ///< the input generator's key ({} for ad-hoc args)
  registry::Route route;                      ///< picked key and config
  double time_ms = 0;                         ///< mean per call (0 when not timed)
  double gbps = 0, tflops = 0;
  bool checked = false;
  bool pass = true;
  std::vector<OutputError> errors;
};

/// How to run a case.
struct RunOptions {
  bool check = true;      ///< compare with the reference
  int warmup = 1;         ///< untimed calls before timing
  int iterations = 10;    ///< timed calls (0: no timing)
  std::uint64_t seed = 0; ///< for the input generator
};

/// ULP distance between two values of `dtype` stored at element offsets `i` and `j` (bit
/// patterns for floats, so adjacent representable values are 1 apart; value difference for
/// integers); infinity when exactly one is NaN, 0 when both are.
double ulp_distance(const ir::HostTensor& a, std::int64_t i, const ir::HostTensor& b, std::int64_t j);

/// Compares `got` with `want` (same dtype and shape) under `check`.
OutputError compare_output(const std::string& arg, const ir::HostTensor& got, const ir::HostTensor& want,
                           const registry::OutputCheck& check);

/// Runs `kernel` on `device` with `host` arguments (outputs poisoned by the generator).
CaseResult run_host_args(const registry::RegisteredKernel& kernel, const runtime::Device& device,
                         registry::HostArgs host, const RunOptions& options);

/// Runs the input generator's case `key` (`make_inputs(key, options.seed)`).
CaseResult run_case(const registry::RegisteredKernel& kernel, const runtime::Device& device, const CaseKey& key,
                    const RunOptions& options);

}  // namespace tessera::ops
