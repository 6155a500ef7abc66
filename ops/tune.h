// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The config tuner behind `tessera tune`: for each case key of an op's input generator, time a
/// small candidate set of configs drawn from the op's config space on one device, keep the
/// fastest per key, and save the winners through `ConfigManager` (vLLM's file format, atomic
/// merge-on-save) as `configs/<op>/<platform>.json`.
///
/// Candidates (`tune_candidates`, ops/tune_candidates.cpp) come from the op's config space and
/// the target: the config the file holds now for the case's key is always the first (tuning
/// never makes a key slower than it is), then
/// * CPU: the CPU default, the tile's element count (1024..16384 elements, full rows first), the
///   grid order, looped against persistent reductions (rows up to 16384); Helion's default.
/// * GPU, dot kernels: matrix tiles whose m is bounded by the case's m (at most 16x smaller),
///   stage counts cut to the device's shared memory per block (16-row mma.sync tiles with deep
///   K for decode, 64-256-row wgmma tiles for prefill, the shipped [128,256,64]/8w/4s among them).
/// * GPU, row and elementwise kernels: 1-4 rows per program with the row in registers, 4/8/16
///   warps (4..64 elements per thread of a reduction row, 4..32 of an elementwise tile), both
///   grid orders of 2-D grids, looped reductions for rows over 4096.
/// A candidate that fails to compile or run scores infinity and is reported, never aborts the
/// sweep ([Triton] autotuner's rules). So does one whose first call's outputs differ from the
/// op's float64 reference under the op's checks (`check_outputs`, ops/harness.h): a config that
/// computes a wrong result (a tile the kernel mishandles, a race) is rejected with the config
/// and the first mismatch in `TunedCandidate::error`, and can never be saved.
///
/// Timing: each candidate is compiled first; then `rounds` rounds each time every candidate once
/// (device events around enough back-to-back calls to fill `min_ms`), interleaved so a load
/// change on a shared machine hits all candidates alike; a candidate's score is its median.
/// Before each candidate's checked call and each measurement the mutated arguments are uploaded
/// again (`restore_mutated`): in-place inputs (a residual, fused_qk_norm_rope's qkv) would
/// otherwise compound from call to call, and every candidate must see the same inputs.
///
/// What is timed is the registry's program: each candidate runs through a private
/// `KernelRegistry` whose config file (a temporary folder) holds that candidate under the default
/// key, so the call goes through the op's bind, picker, specialization (only `k.specialize`d
/// sizes, alignment) and `default_compile_fn` exactly as a user's call does. The config space
/// the candidates come from is derived with the case's sizes all known (the case's m bounds the
/// tiles).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tessera/config/config.h"
#include "tessera/config/config_set.h"
#include "tessera/ir/config_space.h"
#include "tessera/keys/case_key.h"
#include "tessera/registry/registry.h"
#include "tessera/runtime/device.h"
#include "tessera/runtime/device_info.h"

namespace tessera::ops {

/// What the candidates depend on about a device.
struct TuneTarget {
  int warp_size = 1;                      ///< 1: the CPU's candidates
  std::int64_t smem_per_block_bytes = 0;  ///< bounds a dot tile's stages (0: not bounded)
  static TuneTarget of(const runtime::DeviceInfo& info);
};

/// The candidate configs for one case of a kernel on a target (see the file comment), without
/// duplicates, at most `max_candidates`: `current` (the file's config for the key) first, else
/// the target's default.
std::vector<Config> tune_candidates(const ir::ConfigSpace& space, const TuneTarget& target,
                                    const std::optional<Config>& current = std::nullopt,
                                    std::size_t max_candidates = 14);

/// The config space the candidates of a call with `args` come from: the op's variant kernel with
/// every size of the call known (the timed program specializes only the op's `k.specialize`d
/// sizes; this space only bounds the candidates, e.g. a dot tile's m by the call's m).
ir::ConfigSpace tune_space(const registry::RegisteredKernel& kernel, registry::KernelArgs args);

/// How to tune.
struct TuneOptions {
  int rounds = 5;          ///< interleaved timing rounds (the score is the median)
  double min_ms = 2.0;     ///< one measurement: enough calls to last at least this long
  std::uint64_t seed = 0;  ///< for the input generator
  /// The file's entries now (`ConfigManager::read_platform_file`): each case's current config
  /// (its key's entry, else the default key's) is a candidate.
  std::vector<ConfigEntry> current;
  /// Stop before a case once this many seconds have passed (0: no limit); the cases tuned so
  /// far are returned (always at least the first).
  double budget_s = 0;
  /// The compile function of the registries the candidates run in (`default_compile_fn` when
  /// empty; tests record the requests).
  registry::CompileFn compile;
  /// Called after each case with one line of progress (may be empty).
  std::function<void(const std::string&)> progress;
};

/// One timed candidate.
struct TunedCandidate {
  Config config;
  double ms = 0;      ///< median per call; +inf when it failed
  std::string error;  ///< why it failed ("wrong result: <output>: <first mismatch>" for a wrong output), else empty
};

/// The result of one case key.
struct TunedCase {
  CaseKey key = CaseKey::default_key();
  std::vector<TunedCandidate> candidates;
  std::size_t best = 0;  ///< index into candidates
  double bytes = 0;      ///< the op's bytes moved per call (0 if the op does not say)
};

/// The fields the candidates vary (`block_sizes`, `loop_orders`, `reduction_loops`, `num_warps`,
/// `num_stages`) as compact JSON, for reports.
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
