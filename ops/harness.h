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
#include "tessera/runtime/buffer.h"
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

/// eps = 2^(1-p) of a float dtype with p significand bits (bf16 2^-7, f16 2^-10, f32 2^-23,
/// f8e4m3fn 2^-3): the largest relative size of one step between adjacent values. UserError for
/// integer dtypes.
double dtype_epsilon(DType dtype);

/// The dtype whose eps a check's `rel_ulps` and `floor_ulps` count in: the dtype of the argument
/// `check.precision_of` in `args`, or f32.
DType check_precision(const registry::OutputCheck& check, const registry::HostArgs& args);

/// Compares `got` with `want` (same dtype and shape) under `check`, eps from `precision` (see
/// check_precision). Rows (the last dimension) are compared in parallel; the result does not
/// depend on the number of threads (the first mismatch is the lowest flat index).
/// `floor_group`: the floor's group length along the last dimension (see
/// OutputCheck::floor_group_of and check_floor_group); 0: the whole last dimension.
OutputError compare_output(const std::string& arg, const ir::HostTensor& got, const ir::HostTensor& want,
                           const registry::OutputCheck& check, DType precision = DType::f32,
                           std::int64_t floor_group = 0);

/// The group length `check.floor_group_of` names in `args` (an int argument), or 0.
std::int64_t check_floor_group(const registry::OutputCheck& check, const registry::HostArgs& args);

/// A case's arguments on a device: one buffer per argument (empty for non-tensors) and the
/// call's views over them.
struct DeviceArgs {
  std::vector<runtime::Buffer> buffers;
  std::vector<registry::ArgValue> args;
};

/// Uploads every tensor of `host` to `device` with its strides (over a buffer of its storage's
/// size); other arguments are passed by value.
DeviceArgs upload(const registry::HostArgs& host, const runtime::Device& device);

/// Copies the mutated tensors of `spec`'s signature (outputs and in-place inputs such as
/// rms_norm_dynamic_per_token_quant's residual or fused_qk_norm_rope's qkv) from `host` into
/// `dev` again, so the next call starts from the case's inputs and poisoned outputs: repeated
/// calls of an in-place op otherwise compound (residual += input on every call).
/// The copies are synchronous but do not wait for streams (buffer.h): synchronize the stream
/// that last used `dev` first.
void restore_mutated(const registry::KernelSpec& spec, const registry::HostArgs& host, DeviceArgs& dev);

/// Downloads every checked output of `dev` and compares it with `want` (`host` with the
/// reference applied) under the spec's checks.
std::vector<OutputError> check_outputs(const registry::KernelSpec& spec, const registry::HostArgs& host,
                                       const registry::HostArgs& want, const DeviceArgs& dev);

/// One line naming every failing output's first mismatch, e.g. "result: 12 mismatches, max
/// 3 ulp, index 17: got 3.5, want 3.25 (2 ulp)"; empty when all pass.
std::string describe_failures(const std::vector<OutputError>& errors);

/// Runs `kernel` on `device` with `host` arguments (outputs poisoned by the generator).
CaseResult run_host_args(const registry::RegisteredKernel& kernel, const runtime::Device& device,
                         registry::HostArgs host, const RunOptions& options);

/// Runs the input generator's case `key` (`make_inputs(key, options.seed)`).
CaseResult run_case(const registry::RegisteredKernel& kernel, const runtime::Device& device, const CaseKey& key,
                    const RunOptions& options);

}  // namespace tessera::ops
