// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The Tessera tile IR: what a kernel means, written down once ([Halide] the preamble of IR.h).
/// Every backend (CPU, CUDA, HIP) and the float64 reference interpreter implement exactly the
/// semantics below; a difference is a bug in one of them. Node definitions live in expr.h and
/// stmt.h, the kernel object in kernel.h, the operation tables (with accuracy bounds) in ops.h.
///
/// ## Kernels, programs, tiles
/// A `Kernel` has tensor inputs and outputs (dtype + one size expression per dimension: a
/// symbol such as `m`, a constant, or integer arithmetic on them), scalar arguments (`eps`), and
/// one body. The body is exactly one *grid* `TileLoop`: the launch grid. A tile loop over
/// dimensions (e0, ..., ek) with block sizes (b0, ..., bk) has ceil(e0/b0)·...·ceil(ek/bk)
/// iterations; one iteration of the grid loop is one *program* (a CUDA block / a CPU task).
/// Programs are independent and may run in any order or concurrently: a kernel whose result
/// depends on program order (two programs writing the same element, or one reading what
/// another writes) is undefined. `TileLoop`s nested inside the grid are *device loops*: they
/// run sequentially, in increasing tile order, inside one program.
///
/// A *tile variable* `t` of a loop over extent `e` with block size `b` stands, in iteration i,
/// for the indices `i·b + j`, j in [0, b) (the *lanes* of the tile). Lane j is *valid* when
/// `i·b + j < e`; the last tile of a ragged extent has invalid lanes. Block sizes come from the
/// config (`block_sizes`, one per tile dimension, in definition order) unless the loop fixes
/// them; the meaning of a kernel does not depend on them, except through reduction order
/// (below) and reductions that the kernel itself writes along a tile axis.
///
/// ## Tile values: dtype and axes
/// Every expression has a `Type`: a dtype and a list of axes (type.h). An axis is
///  * `tile(t)`: the lanes of tile variable t (extent: the block size of t);
///  * `full(r)`: a whole tensor dimension, made by an `all()` slice. Each distinct extent sliced
///    this way is one *reduction dimension* r (config `reduction_loops[r]`: null = the whole
///    dimension is one tile; an int = the backend may loop over it in chunks of that size,
///    which changes nothing but the reduction order);
///  * `broadcast`: extent 1, made by `none()`; it broadcasts against any axis.
/// Rank-0 values (no axes) are scalars: constants, scalar arguments, size expressions,
/// single-element loads. Elementwise operations broadcast NumPy-style, aligning axes from the
/// right; two axes are compatible when equal or when one of them is `broadcast`. Anything else
/// is a definition-time error.
///
/// ## Masking at edges
/// A lane of a value is valid when the lanes of all its tile axes are valid. The value held by
/// an invalid lane is *unspecified and never observable*: stores write valid lanes only;
/// reductions and `dot` combine valid lanes only (a backend typically loads the neutral
/// element of the consumer at invalid lanes: 0 for sum and dot, -inf for max); `mean` divides
/// by the number of valid lanes. Loads of valid lanes must be in bounds of the tensor (the
/// interpreter checks this and reports the load); loads of invalid lanes never touch memory.
///
/// ## Evaluation order and memory
/// Statements run in order; a `Let` evaluates its value once, where it stands, and its `Var`
/// refers to that value for the rest of the enclosing block. A `Load` reads memory when the
/// statement containing it runs (the front end binds every load to a `Let`). Tensors do not
/// alias one another; a program may read back elements it stored itself (in-place updates).
/// `LocalDecl` makes a loop-carried register tile (matmul accumulators, running maxima);
/// `LocalAssign` replaces its value; `LocalRead` reads the current value. Locals keep their
/// dtype and axes for life.
///
/// ## Numbers
/// * Arithmetic dtypes are f64, f32, f16, bf16 and i32, i64. fp8, i8, u8 and bool values can
///   be loaded, stored, cast and selected, but not computed on (cast to f32 first); bool is
///   the result of comparisons and the condition of `where`.
/// * Operands of a binary operation have the same dtype (no implicit promotion); a literal
///   written in the front end takes the dtype of the other operand and is rounded to it.
/// * f16 and bf16 operations evaluate in f32 and round the result to the operand dtype (round
///   to nearest even): exactly what `(a.to(f32) OP b.to(f32)).to(f16)` gives.
/// * i32/i64 arithmetic wraps (two's complement); integer division truncates toward zero and
///   division by zero is undefined.
/// * Floating-point results are IEEE 754 with round to nearest even; denormals are preserved
///   (no flush to zero); NaN propagates through `maximum`, `minimum`, `max`, `min`, `amax`.
///   The approximate operations and their error bounds are listed in ops.h (`error_bound`):
///   in `MathMode::fast` (the default) division, exp, exp2, rsqrt, sigmoid and silu use
///   the fast hardware forms (e.g. `__fdividef`, about 2 ulp); `MathMode::exact` asks for
///   correctly rounded division and sqrt and the libm-accuracy forms of the rest.
///
/// ## Casts (`Cast`, `.to(dtype)`)
/// * float -> narrower float: round to nearest even. f16/bf16: IEEE (overflow gives ±inf, NaN
///   stays NaN). f8e4m3fn/f8e5m2: round to nearest even, then *saturate* to the finite range
///   (±448 for e4m3fn, ±57344 for e5m2; ±inf saturates too); NaN stays NaN.
/// * float -> integer (i64, i32, i8, u8): round to nearest even, then clamp to the integer's
///   range; NaN gives 0. (Not C's truncation: use floor/ceil first for other modes.)
/// * integer -> float: round to nearest even. integer -> narrower integer: clamp.
/// * anything -> bool: `!= 0`; bool -> number: 0 or 1.
/// The scalar conversions are in numeric/float_formats.h, shared by host and generated code.
///
/// ## Reductions and dot
/// `Reduce(op, x, axis)` combines the valid lanes of x along one axis; the result drops that
/// axis. sum/mean of f16/bf16 accumulate in f32 and round the result once to the input dtype;
/// `amax` is max(|x|) (the quantization absmax, not torch.amax). max/min/amax are exact.
/// sum and mean use an *unspecified association order* (tree, per-thread partials, chunked
/// loops): for n f32 terms the result is within (n-1)·2^-24·Σ|x_i| of the exact sum (plus one
/// rounding of the division for mean); for a given compiled program (kernel, config, target)
/// the result is bitwise reproducible. `Dot(a, b, acc)`: a has axes [M, K], b [K, N] with the
/// same K axis, acc [M, N] f32 (or absent = 0); result f32 [M, N] = acc + Σ_k a·b over valid k,
/// products exact (bf16, f16 and fp8 operands), accumulation order unspecified (as sum).
///
/// ## Identifiers
/// Tile variables, reduction dimensions, Let variables and locals are numbered per kernel
/// (`Kernel::tile_vars`, `rdims`, ...); tensors and scalar arguments are referred to by name.

#include "tessera/ir/expr.h"
#include "tessera/ir/kernel.h"
#include "tessera/ir/node.h"
#include "tessera/ir/ops.h"
#include "tessera/ir/stmt.h"
#include "tessera/ir/type.h"
