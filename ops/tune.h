// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The config tuner behind `tessera tune`: for each case key of an op's input generator, time a
/// small candidate set of configs drawn from the op's config space on one device, keep the
/// fastest per key, and save the winners through `ConfigManager` (vLLM's file format, atomic
/// merge-on-save) as `configs/<op>/<platform>.json`.
///
/// Candidates (`tune_candidates`) start from the target's default (`ConfigSpace::default_config`
/// with `defaults_for(warp size)`) and vary what matters on that target: on the CPU the tile's
/// element count (1024..16384 elements, full rows first), the grid order, and looped against
/// persistent reductions (rows up to 16384 elements); Helion's default is always among them as a
/// baseline. A light search
/// ([Triton] autotuner's rules): a candidate that fails to compile or run scores infinity and is
/// reported, never aborts the sweep.
///
/// Timing: each candidate is compiled first; then `rounds` rounds each time every candidate once
/// (device events around enough back-to-back calls to fill `min_ms`), interleaved so a load
/// change on a shared machine hits all candidates alike; a candidate's score is its median.
///
/// Specialization: the tuner runs each case through `lang::Kernel` with static shapes (every
/// size a compile-time constant); the registry compiles the `k.specialize`d sizes only, so the
/// token count is a run-time size there. Tile shapes rank the same either way; the times in the
/// report are the tuner's.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tessera/config/config.h"
#include "tessera/ir/config_space.h"
#include "tessera/keys/case_key.h"
#include "tessera/registry/registry.h"
#include "tessera/runtime/device.h"

namespace tessera::ops {

/// The candidate configs for one specialization of a kernel on a target (see the file comment),
/// without duplicates; the target's default first.
std::vector<Config> tune_candidates(const ir::ConfigSpace& space, ir::ConfigDefaults defaults);

/// How to tune.
struct TuneOptions {
  int rounds = 5;          ///< interleaved timing rounds (the score is the median)
  double min_ms = 2.0;     ///< one measurement: enough calls to last at least this long
  std::uint64_t seed = 0;  ///< for the input generator
  /// Called after each case with one line of progress (may be empty).
  std::function<void(const std::string&)> progress;
};

/// One timed candidate.
struct TunedCandidate {
  Config config;
  double ms = 0;      ///< median per call; +inf when it failed
  std::string error;  ///< why it failed, else empty
};

/// The result of one case key.
struct TunedCase {
  CaseKey key = CaseKey::default_key();
  std::vector<TunedCandidate> candidates;
  std::size_t best = 0;  ///< index into candidates
  double bytes = 0;      ///< the op's bytes moved per call (0 if the op does not say)
};

/// The fields the CPU candidates vary (`block_sizes`, `loop_orders`, `reduction_loops`) as
/// compact JSON, for reports.
std::string config_summary(const Config& config);

/// Tunes `kernel` on `device` for each of `keys` (the input generator's keys). Throws
/// `UserError` when every candidate of a case fails.
std::vector<TunedCase> tune_cases(const registry::RegisteredKernel& kernel, const runtime::Device& device,
                                  const std::vector<CaseKey>& keys, const TuneOptions& options);

/// The file entries of a tuning run: each case's fastest config under its key, and the default
/// key `{}` with the fastest config of the case that moves the most bytes (the last case when
/// the op reports no work).
std::vector<ConfigEntry> tuned_entries(const std::vector<TunedCase>& cases);

}  // namespace tessera::ops
