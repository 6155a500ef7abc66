// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Layouts of tile values: which thread and which register of a program holds each element
/// (DESIGN.md "Lowering for GPUs: layouts are the key idea", after TritonGPU's encodings).
///
/// * `blocked`: each thread holds `size_per_thread[d]` contiguous elements per dimension, then
///   `threads_per_warp[d]` lanes, then `warps_per_cta[d]` warps; `order` lists dimensions
///   fastest first. Mapping, for a 2-D [M, N] value with order [1, 0]:
///   (warp w, lane l, value v) -> (m, n) with n = ((w % wpc[1])·tpw[1] + l % tpw[1])·spt[1] + v
///   % spt[1] and m likewise from w / wpc[1], l / tpw[1], v / spt[1]; a tile larger than one
///   covering repeats it, a smaller one replicates. `size_per_thread` along the fastest
///   dimension is chosen so one access is 16 bytes: loads and stores become vector accesses.
/// * `slice`: a reduction's result: the parent layout with dimension `slice_dim` removed
///   (thread partials, warp shuffles, one shared-memory round across warps); broadcasting it
///   back along that dimension is free.
/// * `mma`: a `dot` accumulator in the tensor-core fragment layout (`mma_version` 2:
///   mma.sync m16n8k16 on sm_80+, (T32,V4) -> (M16,N8) per instruction; 3: wgmma on sm_90a,
///   (T128,V) -> (M64,N); 4: MFMA on CDNA, 32x32 or 16x16); warps tile `warps_per_cta`.
/// * `dot_operand`: operand `operand_index` (0 = A, 1 = B) of an `mma` parent, `k_width`
///   consecutive K elements per register.
/// * `shared`: a staging buffer in shared memory (pipelined loads, layout conversion),
///   `num_buffers` deep, swizzled (`vec`, `per_phase`, `max_phase`) against bank conflicts.
/// * `scalar`: a rank-0 value every thread holds.
///
/// On the CPU (warp size 1, one thread per program) every value is `blocked` with
/// `size_per_thread == shape`: the whole tile lives in one thread's arrays and the host
/// compiler vectorizes the fastest dimension.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/dtype.h"

namespace tessera::lower {

/// The kinds of layout (see the file comment).
enum class LayoutKind : std::uint8_t { kScalar, kBlocked, kSlice, kMma, kDotOperand, kShared };

/// "scalar", "blocked", "slice", "mma", "dot_operand", "shared".
const char* layout_kind_name(LayoutKind k);

/// A layout. Plain data; fields not used by `kind` stay empty / -1.
struct Layout {
  LayoutKind kind = LayoutKind::kScalar;
  std::vector<std::int64_t> shape;  ///< the value's tile shape, one extent per axis

  // blocked (and mma: warps_per_cta)
  std::vector<int> size_per_thread;
  std::vector<int> threads_per_warp;
  std::vector<int> warps_per_cta;
  std::vector<int> order;  ///< dimensions, fastest varying first

  // slice and dot_operand
  std::shared_ptr<const Layout> parent;
  int slice_dim = -1;

  // mma and dot_operand
  int mma_version = 0;          ///< 2 mma.sync, 3 wgmma, 4 MFMA
  std::vector<int> instr_shape; ///< [M, N] of one instruction
  int operand_index = -1;       ///< 0 = A, 1 = B
  int k_width = 0;              ///< consecutive K elements per register (operands)

  // shared
  int vec = 0, per_phase = 0, max_phase = 0;  ///< swizzle parameters
  int num_buffers = 0;                        ///< pipeline depth

  /// Number of elements each thread holds (blocked/slice: product of the per-thread repeats).
  std::int64_t elements_per_thread() const;
  /// A one-line rendering, e.g. "#blocked<spt=[1,8] tpw=[4,8] wpc=[4,1] order=[1,0]> [64,64]".
  std::string to_string() const;
};

/// A blocked layout for a value of `shape` and `dtype` on a program of `num_warps` warps of
/// `warp_size` threads: 16-byte vectors along the last dimension, lanes and then warps spread
/// fastest dimension first, leftovers replicated along the slowest dimension. With
/// `warp_size == 1` (CPU) the whole tile belongs to one thread.
Layout blocked_layout(const std::vector<std::int64_t>& shape, DType dtype, int num_warps,
                      int warp_size);

/// The layout of reducing a value of layout `parent` along `dim`.
Layout slice_layout(const Layout& parent, int dim);

/// The accumulator layout of a [M, N] dot on `target` ("sm_80"…"sm_90a", "gfx90a"…), or a
/// blocked layout when the target has no matrix instructions (or `warp_size == 1`).
Layout mma_layout(std::int64_t m, std::int64_t n, const std::string& target, int num_warps,
                  int warp_size);

/// Operand `index` (0 = A [M, K], 1 = B [K, N]) of a dot whose result has layout `parent`.
Layout dot_operand_layout(const Layout& parent, int index, const std::vector<std::int64_t>& shape,
                          DType dtype);

/// A swizzled shared-memory staging layout for `shape` of `dtype`, `num_buffers` deep.
Layout shared_layout(const std::vector<std::int64_t>& shape, DType dtype, int num_buffers);

}  // namespace tessera::lower
