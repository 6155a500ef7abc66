// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `per_token_group_fp8_quant(input, output_q✱, output_s✱, group_size, eps, fp8_min, fp8_max,
/// scale_ue8m0, dummy_is_scale_transposed=False, dummy_is_tma_aligned=False)`, as vLLM's Helion
/// kernel (vllm/kernels/helion/ops/per_token_group_fp8_quant.py). Per (row, group of
/// `group_size` columns), in the input dtype as the kernel computes it (no explicit upcast: every
/// operation evaluates in f32 and rounds to the input dtype, ir.h):
/// s = max(max|x|, eps) / fp8_max; with `scale_ue8m0`, s = 2^ceil(log2(s)) (an exponent-only
/// scale); output_s[row, group] = s; output_q = fp8(clamp(x / s, fp8_min, fp8_max)).
/// `output_s` may have any strides (vLLM's column-major and TMA-aligned scale layouts); the two
/// dummy flags are accepted and ignored, as in vLLM.
///
/// Tile structure (so vLLM's tuned configs keep their meaning): the input viewed as
/// [num_tokens, groups_per_row, group_size] and one 3-d grid over it with fixed blocks 1 (rows)
/// and group_size (a whole group): `block_sizes` = [groups per program]; `loop_orders` permutes
/// the three grid dimensions. hidden_size, group_size and groups_per_row are specialized.
/// Case key `{"hidden_size", "group_size", "num_tokens"}`; picker: closest hidden size, then
/// closest group size, then the smallest tuned token count >= the call's (else the largest).
///
/// The input generator's cases are vLLM's (T14 x hidden {2048, 4096, 5120} x group 128, bf16,
/// eps 1e-10, e4m3fn bounds, no ue8m0, row-major scales); a key may add the test-only fields
/// `"scale_ue8m0"` (1: exponent-only scales), `"column_major"` (1: output_s stored column-major
/// with a row stride padded to a multiple of 4, vLLM's TMA-aligned layout) and `"dtype"`
/// ("f16" or "f32" input), e.g.
/// `tessera run per_token_group_fp8_quant --key hidden_size=320,group_size=64,num_tokens=7,scale_ue8m0=1`.

#include <cstdint>

#include "tessera/registry/kernel_spec.h"
#include "tessera/runtime/stream.h"

namespace tessera::ops {

/// The registry entry.
registry::KernelSpec per_token_group_fp8_quant_spec();

/// input: bf16|f16|f32 [M, H], last dimension contiguous; output_q: f8e4m3fn|f8e5m2 [M, H], last
/// dimension contiguous; output_s: f32 [M, H / group_size], any strides; group_size: a power of
/// two dividing H. Throws `UserError` for a shape, dtype or device mismatch before any launch.
void per_token_group_fp8_quant(const runtime::TensorView& input, const runtime::TensorView& output_q,
                               const runtime::TensorView& output_s, std::int64_t group_size, double eps,
                               double fp8_min, double fp8_max, bool scale_ue8m0,
                               bool dummy_is_scale_transposed = false, bool dummy_is_tma_aligned = false,
                               runtime::Stream* stream = nullptr);

}  // namespace tessera::ops
