// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `fused_qk_norm_rope(qkv✱, num_heads_q, num_heads_k, num_heads_v, head_dim, eps, q_weight,
/// k_weight, cos_sin_cache, is_neox, position_ids, forced_token_heads_per_warp=-1)`, as vLLM's
/// Helion kernel (vllm/kernels/helion/ops/fused_qk_norm_rope.py), in place on qkv
/// [M, (Hq + Hk + Hv) · D]. For every token and every q and k head (V untouched), in f32:
/// r = rsqrt(sum(x²) · (1 / D) + eps) over the whole head, xn = (x · r rounded to qkv's dtype) ·
/// w (q_weight for q heads, k_weight for k heads; a qkv-dtype product); then RoPE on the first
/// rd = cos_sin_cache.size(1) dims with cos = cache[pos, :rd/2], sin = cache[pos, rd/2:],
/// pos = position_ids[token]: pairs (i, i + rd/2) (neox) or (2i, 2i + 1) (gptj),
/// o1 = x1·cos − x2·sin, o2 = x2·cos + x1·sin, computed in qkv's dtype (rounded per operation)
/// when the cache has it, in f32 for an f32 cache. The tail [rd, D) keeps xn.
///
/// Tile structure (so vLLM's tuned configs keep their meaning): one 3-d grid over
/// [tokens, q+k heads, head_dim] with block sizes [1, from the config, head_dim]: `block_sizes`
/// = [heads per program], `loop_orders`/`l2_groupings` over the three grid dimensions. The
/// rotary halves are read through strided views of qkv and the weights ([.., 2, rd/2] for neox,
/// [.., rd/2, 2] for gptj), the cos/sin rows through a gather on position_ids.
/// Case key `{"kv_heads", "num_tokens", "q_heads"}`; picker: closest q_heads, then closest
/// kv_heads, then the smallest tuned token count >= the call's (else the largest).
///
/// The input generator's cases are vLLM's (T14 x (Hq, Hkv) in {(16, 8), (32, 8), (64, 8)},
/// D = 128, full rotary, neox, bf16, positions 0..M-1); a key may add the test-only integer
/// fields `"head_dim"`, `"rotary_dim"`, `"is_neox"` (0: gptj) and `"random_positions"` (1).

#include "tessera/registry/kernel_spec.h"
#include "tessera/runtime/stream.h"

namespace tessera::ops {

/// The registry entry.
registry::KernelSpec fused_qk_norm_rope_spec();

/// qkv: bf16|f16|f32 [M, (Hq + Hk + Hv) · head_dim], contiguous rows; q_weight, k_weight: qkv's
/// dtype [head_dim]; cos_sin_cache: qkv's dtype or f32 [max_position, rotary_dim] (rotary_dim
/// even, <= head_dim); position_ids: i64 [M]. `forced_token_heads_per_warp` is accepted and
/// ignored, as in vLLM. Throws `UserError` for a shape, dtype or device mismatch before any launch.
void fused_qk_norm_rope(const runtime::TensorView& qkv, std::int64_t num_heads_q, std::int64_t num_heads_k,
                        std::int64_t num_heads_v, std::int64_t head_dim, double eps, const runtime::TensorView& q_weight,
                        const runtime::TensorView& k_weight, const runtime::TensorView& cos_sin_cache, bool is_neox,
                        const runtime::TensorView& position_ids, std::int64_t forced_token_heads_per_warp = -1,
                        runtime::Stream* stream = nullptr);

}  // namespace tessera::ops
