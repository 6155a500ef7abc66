// SPDX-License-Identifier: Apache-2.0
// The output checks of the op harness (ops/harness.h): ULP and relative bounds, relative bounds
// counted in steps of an intermediate dtype (rel_ulps), the absolute floor at a row's largest
// value (floor_ulps), a deterministic first mismatch under parallel comparison, and the
// tolerances the ops declare, on their own reference outputs moved by known amounts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "ops/harness.h"
#include "ops/ops.h"
#include "tessera/error.h"

namespace tessera::ops {
namespace {

ir::HostTensor tensor(DType dtype, std::vector<std::int64_t> shape, const std::vector<double>& values) {
  ir::HostTensor t = ir::HostTensor::zeros(dtype, std::move(shape));
  for (std::size_t i = 0; i < values.size(); ++i) t.store(static_cast<std::int64_t>(i), values[i]);
  return t;
}

TEST(OpsHarness, DtypeEpsilonIsTheStepAboveOne) {
  EXPECT_EQ(dtype_epsilon(DType::bf16), std::ldexp(1.0, -7));
  EXPECT_EQ(dtype_epsilon(DType::f16), std::ldexp(1.0, -10));
  EXPECT_EQ(dtype_epsilon(DType::f32), std::ldexp(1.0, -23));
  EXPECT_EQ(dtype_epsilon(DType::f8e4m3fn), std::ldexp(1.0, -3));
  // One step above 1 in the dtype is exactly eps.
  EXPECT_EQ(ir::round_to_dtype(1.0 + std::ldexp(1.0, -7), DType::bf16), 1.0 + dtype_epsilon(DType::bf16));
  EXPECT_THROW(dtype_epsilon(DType::i8), UserError);
}

TEST(OpsHarness, RelUlpsCountStepsOfThePrecisionDtype) {
  // An f32 scale one and two bf16 steps off (relative), and one three steps off.
  const double eps = std::ldexp(1.0, -7), s = 0.0123;
  const ir::HostTensor want = tensor(DType::f32, {3, 1}, {s, s, s});
  const ir::HostTensor got = tensor(DType::f32, {3, 1}, {s * (1 + eps), s * (1 - 2 * eps), s * (1 + 3 * eps)});
  registry::OutputCheck c{.arg = 0, .max_ulp = -1, .max_rel = 1e-6, .rel_ulps = 2};
  OutputError e = compare_output("scale", got, want, c, DType::bf16);
  EXPECT_FALSE(e.pass);
  EXPECT_EQ(e.mismatches, 1);
  EXPECT_EQ(e.first_mismatch.rfind("index 2:", 0), 0u) << e.first_mismatch;
  // Counted in f32 steps the same bound rejects all three.
  e = compare_output("scale", got, want, c, DType::f32);
  EXPECT_EQ(e.mismatches, 3);
  // Without rel_ulps only 1e-6 relative applies.
  c.rel_ulps = -1;
  EXPECT_EQ(compare_output("scale", got, want, c, DType::bf16).mismatches, 3);
}

TEST(OpsHarness, FloorScalesWithTheLargestValueOfEachRow) {
  // Row 0 has 8.0, so a near-zero result there may be 16 * 2^-23 * 8 ~ 1.5e-5 off; row 1's
  // largest value is 1e-3, so the same absolute error is far outside its floor.
  const ir::HostTensor want = tensor(DType::f32, {2, 2}, {8.0, 1e-6, 1e-3, 1e-6});
  const ir::HostTensor got = tensor(DType::f32, {2, 2}, {8.0, 1e-6 + 1e-5, 1e-3, 1e-6 + 1e-5});
  registry::OutputCheck c{.arg = 0, .max_ulp = 1, .max_rel = 1e-4, .floor_ulps = 16};
  OutputError e = compare_output("out", got, want, c);
  EXPECT_EQ(e.mismatches, 1);
  EXPECT_EQ(e.first_mismatch.rfind("index 3:", 0), 0u) << e.first_mismatch;
  const ir::HostTensor far = tensor(DType::f32, {2, 2}, {8.0, 1e-6 + 2e-5, 1e-3, 1e-6});
  EXPECT_EQ(compare_output("out", far, want, c).mismatches, 1);  // 2e-5 > 1.5e-5
  c.floor_ulps = -1;
  EXPECT_EQ(compare_output("out", got, want, c).mismatches, 2);
}

TEST(OpsHarness, NanAndInfinityAreNeverWithinTheEpsBounds) {
  // A row holding an infinity gets no infinite floor; NaN for a number and a finite value for
  // an infinity fail every bound.
  const ir::HostTensor want = tensor(DType::f32, {1, 3}, {HUGE_VAL, 1.0, 2.0});
  const ir::HostTensor got = tensor(DType::f32, {1, 3}, {1e30, std::nan(""), 2.0});
  const registry::OutputCheck c{.arg = 0, .max_ulp = -1, .rel_ulps = 1e6, .floor_ulps = 1e6};
  const OutputError e = compare_output("out", got, want, c, DType::bf16);
  EXPECT_EQ(e.mismatches, 2);
  EXPECT_EQ(e.first_mismatch.rfind("index 0:", 0), 0u) << e.first_mismatch;
}

TEST(OpsHarness, ParallelComparisonReportsTheLowestMismatch) {
  const std::int64_t rows = 3000, cols = 70;
  ir::HostTensor want = ir::HostTensor::zeros(DType::bf16, {rows, cols});
  for (std::int64_t i = 0; i < rows * cols; ++i) want.store(i, 1.0 + static_cast<double>(i % 97) / 64);
  ir::HostTensor got = want;
  for (std::int64_t i : {std::int64_t{200001}, std::int64_t{12345}, std::int64_t{199999}})
    got.store(i, want.load(i) * 1.25);
  const OutputError e = compare_output("out", got, want, registry::OutputCheck{.arg = 0, .max_ulp = 1});
  EXPECT_EQ(e.mismatches, 3);
  EXPECT_EQ(e.first_mismatch.rfind("index 12345:", 0), 0u) << e.first_mismatch;
  EXPECT_GT(e.max_ulp, 1);
}

TEST(OpsHarness, CheckPrecisionNamesTheArgument) {
  registry::HostArgs args{tensor(DType::f32, {1}, {0}), tensor(DType::bf16, {1}, {0}), std::monostate{}};
  EXPECT_EQ(check_precision(registry::OutputCheck{.arg = 0}, args), DType::f32);
  EXPECT_EQ(check_precision(registry::OutputCheck{.arg = 0, .precision_of = 1}, args), DType::bf16);
  EXPECT_THROW(check_precision(registry::OutputCheck{.arg = 0, .precision_of = 2}, args), UserError);
}

/// The op's reference outputs for a small case, and its declared checks.
struct Outputs {
  const registry::KernelSpec* spec;
  registry::HostArgs want;
};
Outputs reference_outputs(const char* op, const char* key) {
  const registry::RegisteredKernel& k = op_kernel(op);
  Outputs o{&k.spec(), k.make_inputs(CaseKey::parse(key), 3)};
  k.spec().reference(o.want);
  return o;
}
const registry::OutputCheck& check_of(const registry::KernelSpec& spec, const char* arg) {
  for (const registry::OutputCheck& c : spec.checks)
    if (spec.signature[c.arg].name == arg) return c;
  throw std::runtime_error(std::string("no check of ") + arg);
}
OutputError compare_moved(const Outputs& o, const char* arg, std::int64_t index, double factor, double add = 0) {
  const registry::OutputCheck& c = check_of(*o.spec, arg);
  ir::HostTensor got = registry::host_tensor_arg(o.want, c.arg);
  got.store(index, got.load(index) * factor + add);
  return compare_output(arg, got, registry::host_tensor_arg(o.want, c.arg), c, check_precision(c, o.want),
                        check_floor_group(c, o.want));
}

TEST(OpsHarness, RmsQuantScalesMayBeTwoInputStepsOff) {
  // The scale of a bf16 input may move by up to 2 bf16 steps (the op's comment derives it), never 3.
  const double eps = std::ldexp(1.0, -7);
  for (const char* op : {"rms_norm_dynamic_per_token_quant", "rms_norm_per_block_quant"}) {
    const Outputs o = reference_outputs(op, std::string(op) == "rms_norm_per_block_quant"
                                                ? R"({"group_size":64,"hidden_size":256,"num_tokens":2})"
                                                : R"({"hidden_size":256,"num_tokens":2})");
    EXPECT_TRUE(compare_moved(o, "scale", 1, 1 + 1.9 * eps).pass) << op;
    EXPECT_FALSE(compare_moved(o, "scale", 1, 1 + 3 * eps).pass) << op;
  }
}

TEST(OpsHarness, NormOutputsNearZeroGetAFloor) {
  // layer_norm: a near-zero output 5e-6 off passes (16 f32 eps of the row's largest |out|, >= 4
  // as |bias| >= 4: >= 7.6e-6), 1e-3 does not.
  Outputs ln = reference_outputs("layer_norm", R"({"dtype":"f32","hidden_size":256,"num_tokens":2})");
  ir::HostTensor& out = registry::host_tensor_arg(ln.want, 0);  // the reference itself
  out.store(5, 1e-6);  // as if this output had cancelled
  EXPECT_TRUE(compare_moved(ln, "out", 5, 1, 5e-6).pass);
  EXPECT_FALSE(compare_moved(ln, "out", 5, 1, 1e-3).pass);
  // fused_qk_norm_rope: 6 bf16 eps of the head's largest |qkv| (groups of head_dim = 128 in a
  // row of q, k and v heads), not 10 eps; and a v element (v is returned untouched, |v| <= 0.1
  // while |q| reaches ~3) clobbered to 0 fails, which a floor over the whole token row let pass.
  const Outputs qk = reference_outputs("fused_qk_norm_rope", R"({"kv_heads":1,"num_tokens":2,"q_heads":2})");
  const ir::HostTensor& qkv = registry::host_tensor_arg(qk.want, 0);
  const std::int64_t d = 128, v0 = 3 * d;  // q heads 0-1, the k head, then the v head
  ASSERT_EQ(qkv.shape[1], 4 * d);
  double head_max = 0, v_max = 0;
  std::int64_t v_arg = v0;
  for (std::int64_t j = 0; j < d; ++j) head_max = std::max(head_max, std::fabs(qkv.load(j)));
  for (std::int64_t j = v0; j < v0 + d; ++j)
    if (std::fabs(qkv.load(j)) > v_max) v_max = std::fabs(qkv.load(j)), v_arg = j;
  const double eps = std::ldexp(1.0, -7);
  EXPECT_TRUE(compare_moved(qk, "qkv", 3, 1, 4 * eps * head_max).pass);
  EXPECT_FALSE(compare_moved(qk, "qkv", 3, 1, 10 * eps * head_max).pass);
  EXPECT_FALSE(compare_moved(qk, "qkv", v_arg, 0).pass) << "v[" << v_arg << "] = " << qkv.load(v_arg) << " zeroed";
  EXPECT_FALSE(compare_moved(qk, "qkv", v0 + 1, 1, 0.05 * v_max).pass) << "a v element 5% of the head's range off";
}

}  // namespace
}  // namespace tessera::ops
