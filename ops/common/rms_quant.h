// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// What vLLM's two RMSNorm + dynamic quantization ops share (rms_norm_dynamic_per_token_quant,
/// rms_norm_per_block_quant): the leading arguments in vLLM's order, their checks, the output
/// checks, the generated inputs and the float64 reference's normalized row. Each op keeps its
/// own scale layout, kernel and picker.

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include "tessera/keys/case_key.h"
#include "tessera/registry/kernel_args.h"
#include "tessera/registry/kernel_spec.h"

namespace tessera::ops::rms_quant {

/// The leading arguments of both ops (rms_norm_per_block_quant adds group_size and
/// is_scale_transposed after them).
enum Arg : std::size_t { kResult, kInput, kWeight, kScale, kEpsilon, kScaleUb, kResidual };

/// The signature of those seven arguments.
std::vector<registry::ArgSpec> signature();

/// A call's arguments after the shared checks.
struct Call {
  const runtime::TensorView* input = nullptr;
  const runtime::TensorView* weight = nullptr;
  const runtime::TensorView* result = nullptr;
  const runtime::TensorView* scale = nullptr;
  const runtime::TensorView* scale_ub = nullptr;  ///< absent: nullptr
  const runtime::TensorView* residual = nullptr;  ///< absent: nullptr
  std::int64_t m = 0, h = 0;
  bool int8 = false;
};

/// Checks everything but the scale's shape (each op's own) as vLLM asserts it: input [M, H]
/// bf16/f16/f32, result fp8/int8 of its shape, weight [H] of its dtype, scale f32 2-d,
/// scale_ub only with an fp8 result, residual of the input's dtype and shape, rows contiguous.
Call check_args(std::string_view kernel, registry::KernelArgs args);

/// The output checks: result within 1 ULP, residual exact, scale within 2 eps of the input
/// dtype (see the .cpp for the derivation).
std::vector<registry::OutputCheck> checks();

/// Bytes and flops of a call without its scales: input and result, and the residual read and
/// written back.
registry::Work work(const registry::HostArgs& a);

/// The generated inputs of a case key (vLLM's generate_inputs): x and residual N(0, 1), weight
/// N(1, 1), eps 1e-6, scale_ub from rms_quant_scale_ub; the key's optional fields int8 (0),
/// residual (1) and scale_ub (1, fp8 only) switch the optional arguments.
struct Inputs {
  ir::HostTensor x, residual, weight;
  registry::HostArg scale_ub;  ///< monostate when absent
  bool int8 = false, with_residual = true;
  double eps = 1e-6;
};
Inputs make_inputs(const CaseKey& key, std::int64_t m, std::int64_t h, DType dtype, std::mt19937_64& rng);

/// Row `i` of the reference: x = f32(input) (+ residual, stored back rounded to its dtype), then
/// xn[j] = in_dtype(in_dtype(x * r) * weight) with r = rsqrt(mean x^2 + eps) in f32, as the
/// kernels round. `xn` is resized to the row.
void normalized_row(registry::HostArgs& a, std::int64_t i, std::vector<double>& xn);

}  // namespace tessera::ops::rms_quant
