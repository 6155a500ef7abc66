// SPDX-License-Identifier: Apache-2.0
// Every op of the library on the CPU device, through the registry (pick, compile, launch) with
// the shipped cpu configs, against its float64 reference: random inputs from the op's input
// generator at vLLM's shapes and at small ragged ones, outputs poisoned first; quantized outputs
// within 1 ULP, scales within 1e-6 relative. A few compiles per op keep it fast.
#include <gtest/gtest.h>

#include <vector>

#include "ops/harness.h"
#include "ops/ops.h"
#include "ops/per_token_group_fp8_quant/per_token_group_fp8_quant.h"
#include "ops/rms_norm_per_block_quant/rms_norm_per_block_quant.h"
#include "ops/silu_and_mul_per_block_quant/silu_and_mul_per_block_quant.h"
#include "tessera/runtime/registry.h"

namespace tessera::ops {
namespace {

struct OpCase {
  std::string op;
  std::string key;  ///< the input generator's case key (canonical JSON)
};

std::string case_name(const ::testing::TestParamInfo<OpCase>& info) {
  std::string s = info.param.op + "_" + std::to_string(info.index);
  return s;
}

class OpsCpu : public ::testing::TestWithParam<OpCase> {};

TEST_P(OpsCpu, MatchesTheFloat64Reference) {
  tessera::init();
  const runtime::Device device = open_device("cpu");
  const registry::RegisteredKernel& k = op_kernel(GetParam().op);
  RunOptions options;
  options.iterations = 0;
  options.seed = 7;
  const CaseResult r = run_case(k, device, CaseKey::parse(GetParam().key), options);
  ASSERT_TRUE(r.checked);
  for (const OutputError& e : r.errors) {
    EXPECT_TRUE(e.pass) << GetParam().op << " " << GetParam().key << ": output '" << e.arg << "': " << e.mismatches
                        << " mismatches, max " << e.max_ulp << " ulp, max rel " << e.max_rel << "; first "
                        << e.first_mismatch << " (picked " << r.route.key.canonical() << ")";
  }
}

std::vector<OpCase> cases() {
  return {
      {"silu_mul_fp8", R"({"intermediate":2048,"numtokens":3})"},
      {"silu_mul_fp8", R"({"intermediate":100,"numtokens":33})"},
      {"dynamic_per_token_scaled_fp8_quant", R"({"hidden_size":2048,"num_tokens":4})"},
      {"dynamic_per_token_scaled_fp8_quant", R"({"hidden_size":200,"num_tokens":7})"},
      {"per_token_group_fp8_quant", R"({"group_size":128,"hidden_size":2048,"num_tokens":3})"},
      {"per_token_group_fp8_quant", R"({"column_major":1,"dtype":"f16","group_size":64,"hidden_size":320,"num_tokens":7,"scale_ue8m0":1})"},
      {"rms_norm_per_block_quant", R"({"group_size":128,"hidden_size":2048,"num_tokens":3})"},
      {"rms_norm_per_block_quant", R"({"group_size":64,"hidden_size":192,"int8":1,"num_tokens":5,"transposed":1})"},
      {"rms_norm_per_block_quant", R"({"dtype":"f32","group_size":64,"hidden_size":320,"num_tokens":2,"residual":0})"},
      {"silu_and_mul_per_block_quant", R"({"group_size":128,"intermediate_size":6144,"num_tokens":2})"},
      {"silu_and_mul_per_block_quant", R"({"group_size":64,"int8":1,"intermediate_size":320,"num_tokens":5,"transposed":1})"},
      {"rms_norm_dynamic_per_token_quant", R"({"hidden_size":2048,"num_tokens":4})"},
      {"rms_norm_dynamic_per_token_quant", R"({"hidden_size":200,"int8":1,"num_tokens":5,"residual":0})"},
      {"rms_norm_dynamic_per_token_quant", R"({"hidden_size":72,"num_tokens":3,"residual":0})"},
      {"fused_qk_norm_rope", R"({"kv_heads":8,"num_tokens":3,"q_heads":16})"},
      {"fused_qk_norm_rope", R"({"head_dim":64,"is_neox":0,"kv_heads":2,"num_tokens":5,"q_heads":3,"random_positions":1,"rotary_dim":32})"},
      {"rms_norm", R"({"hidden_size":2048,"num_tokens":3})"},
      {"rms_norm", R"({"dtype":"f16","hidden_size":200,"num_tokens":7})"},
      {"rms_norm", R"({"dtype":"f32","hidden_size":96,"num_tokens":5})"},
      {"layer_norm", R"({"hidden_size":2048,"num_tokens":3})"},
      {"layer_norm", R"({"dtype":"f32","hidden_size":200,"num_tokens":7})"},
      {"softmax", R"({"num_rows":4,"row_size":1024})"},
      {"softmax", R"({"dtype":"f16","num_rows":9,"row_size":100})"},
      {"add", R"({"hidden_size":2048,"num_tokens":3})"},
      {"add", R"({"dtype":"f32","hidden_size":333,"num_tokens":7})"},
      {"matmul", R"({"k":4096,"m":1,"n":4096})"},
      {"matmul", R"({"dtype":"f16","k":100,"m":33,"n":70})"},
  };
}

INSTANTIATE_TEST_SUITE_P(Ops, OpsCpu, ::testing::ValuesIn(cases()), case_name);

/// The typed call APIs of the group-quantization ops pass their arguments in vLLM's order: each
/// runs on the input generator's host tensors (CPU memory) and matches the reference. The shapes
/// are those of cases above, so the compiled kernels are reused.
TEST(OpsCpuTyped, GroupQuantTypedCallsMatchTheReference) {
  tessera::init();
  const runtime::Device device = open_device("cpu");
  auto view = [&](registry::HostArgs& a, std::size_t i) {
    ir::HostTensor& t = registry::host_tensor_arg(a, i);
    return runtime::TensorView(t.storage.data(), t.dtype, t.shape, t.strides, device.id());
  };
  auto run = [&](const char* op, const char* key, const std::function<void(registry::HostArgs&)>& typed_call) {
    const registry::RegisteredKernel& k = op_kernel(op);
    registry::HostArgs got = k.make_inputs(CaseKey::parse(key), 7), want = got;
    k.spec().reference(want);
    typed_call(got);
    device.synchronize();
    for (const registry::OutputCheck& c : k.spec().checks) {
      const OutputError e = compare_output(k.spec().signature[c.arg].name, registry::host_tensor_arg(got, c.arg),
                                           registry::host_tensor_arg(want, c.arg), c, check_precision(c, want),
                                           check_floor_group(c, want));
      EXPECT_TRUE(e.pass) << op << " output '" << e.arg << "': " << e.first_mismatch;
    }
  };
  run("per_token_group_fp8_quant", R"({"group_size":128,"hidden_size":2048,"num_tokens":3})", [&](registry::HostArgs& a) {
    per_token_group_fp8_quant(view(a, 0), view(a, 1), view(a, 2), 128, 1e-10, -448.0, 448.0, false);
  });
  run("rms_norm_per_block_quant", R"({"group_size":128,"hidden_size":2048,"num_tokens":3})", [&](registry::HostArgs& a) {
    const runtime::TensorView ub = view(a, 5), residual = view(a, 6);
    rms_norm_per_block_quant(view(a, 0), view(a, 1), view(a, 2), view(a, 3), 1e-6, &ub, &residual, 128, false);
  });
  run("silu_and_mul_per_block_quant", R"({"group_size":128,"intermediate_size":6144,"num_tokens":2})",
      [&](registry::HostArgs& a) {
        const runtime::TensorView ub = view(a, 4);
        silu_and_mul_per_block_quant(view(a, 0), view(a, 1), view(a, 2), 128, &ub);
      });
}

/// `add` through the registry on views whose rows are not 16-byte aligned: x one element into
/// its buffer, y with an odd row stride. On a GPU these get element accesses in programs of
/// their own (ops_cuda_codegen_test); here the same specializations must compute the same sums.
TEST(OpsCpuViews, AddOnMisalignedAndOddStrideViewsMatchesTheReference) {
  tessera::init();
  const runtime::Device device = open_device("cpu");
  const registry::RegisteredKernel& k = op_kernel("add");
  const std::int64_t m = 5, h = 72;
  std::vector<float> xs(static_cast<std::size_t>(m * h + 1)), ys(static_cast<std::size_t>(m * (h + 1)));
  for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = 0.25f * static_cast<float>(i % 37) - 3.0f;
  for (std::size_t i = 0; i < ys.size(); ++i) ys[i] = 1.0f / static_cast<float>(1 + i % 11);
  const std::int64_t shape[] = {m, h}, odd[] = {h + 1, 1};
  const runtime::TensorView x(xs.data() + 1, DType::f32, shape, device.id());
  const runtime::TensorView y(ys.data(), DType::f32, shape, odd, device.id());
  ASSERT_FALSE(x.rows_aligned16());
  ASSERT_FALSE(y.rows_aligned16());
  for (bool aligned_x : {false, true}) {
    std::vector<float> xa(xs.begin() + 1, xs.end()), out(static_cast<std::size_t>(m * h), -1.0f);
    const runtime::TensorView xv = aligned_x ? runtime::TensorView(xa.data(), DType::f32, shape, device.id()) : x;
    const std::vector<registry::ArgValue> args{runtime::TensorView(out.data(), DType::f32, shape, device.id()), xv, y};
    k.call(args);
    device.synchronize();
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < h; ++j) {
        const double want = static_cast<float>(static_cast<double>(xs[static_cast<std::size_t>(1 + i * h + j)]) +
                                               static_cast<double>(ys[static_cast<std::size_t>(i * (h + 1) + j)]));
        ASSERT_EQ(out[static_cast<std::size_t>(i * h + j)], want) << "row " << i << " column " << j << " aligned x "
                                                                   << aligned_x;
      }
  }
}

}  // namespace
}  // namespace tessera::ops
