// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The CPU backend's `Codegen` role: a lowered program -> plain host C++ (one `extern "C"`
/// function per kernel with the CPU launch ABI of tessera/runtime/device_impl.h, called once
/// per program id, concurrently, by the CPU runtime's oneTBB arena).
///
/// What the emitted code looks like:
/// * sizes and strides known at compile time are `constexpr`; the others are read from the
///   launch arguments; the program id is decoded into tile indices by the grid plan (flat with
///   optional L2 grouping, xyz, or a persistent loop over tiles);
/// * a `Let` used once (or trivial: a load) is evaluated inside the loop of its consumer, so a
///   chain of elementwise operations from loads to a store or a reduction is one fused loop
///   nest over the tensors (codegen_lets.h says when); the other tile values (Lets used several
///   times, locals) are fixed-size arrays of the program's tile shape. Every loop nest runs its
///   innermost loop along the last axis, so the host compiler vectorizes it (`-O3
///   -march=native`); edge tiles simply run fewer iterations (the valid lanes), which is how
///   masking reads on the CPU;
/// * in `MathMode::fast`, exp, exp2, sigmoid and silu use branch-free forms the compiler
///   vectorizes (codegen_prelude.h; within ops.h's bounds); `MathMode::exact` calls libm;
/// * reductions along the last axis keep 16 independent partial accumulators combined as a
///   tree (a fixed association order, so results are reproducible and vectorizable without
///   -ffast-math); looped reductions re-evaluate their inputs chunk by chunk;
/// * `dot` is an i-k-j loop with f32 accumulation;
/// * bf16/f16/fp8 conversions come from numeric/float_formats.h, embedded in the source at
///   build time (no file lookups at run time), with bit-exact branch-free (vectorizable) fast
///   paths for the hot ones; a cast right before a store is folded into the store's encoding.
/// The source is self-contained: it needs only the C++ standard library headers.

#include <memory>
#include <string>

#include "tessera/lower/program.h"
#include "tessera/runtime/backend.h"

namespace tessera::backend::cpu {

/// Version of the code generator's output; printed in the source banner, so it enters every
/// JIT cache key through the source text.
inline constexpr const char* kCpuCodegenVersion = "tessera-cpu-codegen-2";

/// The embedded text of numeric/float_formats.h (generated at build time).
const char* embedded_float_formats_header();
/// The embedded text of backends/cpu/codegen_prelude.h (generated at build time).
const char* embedded_codegen_prelude();

/// The CPU code generator.
std::unique_ptr<Codegen> make_cpu_codegen();

/// Emits the C++ source for `program` (what `make_cpu_codegen()->emit` returns). The entry
/// point is `ts_<kernel name>`. Throws `UserError` naming the kernel for IR the CPU backend
/// cannot express (e.g. a local tile carried across a looped reduction dimension).
Source emit_cpu_source(const lower::Program& program);

}  // namespace tessera::backend::cpu
