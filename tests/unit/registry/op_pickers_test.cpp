// SPDX-License-Identifier: Apache-2.0
// Every op's picker on vLLM's own config files (tests/fixtures/vllm_configs) against the key
// vLLM's Python picker returns for the same shapes. The expected keys were computed with
// python3 running vLLM's picker logic (nested dicts in str-sorted key order, min(abs diff),
// next(n >= tokens) else the largest) over the fixture files.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ops/ops.h"
#include "tessera/ir/config_space.h"
#include "tessera/support/python_json.h"

namespace tessera::ops {
namespace {

using runtime::DeviceId;
using runtime::TensorView;

struct PickCase {
  const char* op;
  const char* platform;
  std::int64_t tokens;
  std::int64_t dim;  ///< intermediate (silu_mul_fp8) or hidden size
  const char* expected;
};

/// The op's arguments for a call with `tokens` x `dim` (only shapes matter to a picker).
std::vector<registry::ArgValue> args_for(const PickCase& c, void* data) {
  const DeviceId cpu = DeviceId::cpu();
  const std::string op = c.op;
  if (op == "silu_mul_fp8")
    return {TensorView(data, DType::f8e4m3fn, {c.tokens, c.dim}, cpu),
            TensorView(data, DType::bf16, {c.tokens, 2 * c.dim}, cpu), TensorView(data, DType::f32, {1}, cpu)};
  if (op == "rms_norm_dynamic_per_token_quant")
    return {TensorView(data, DType::f8e4m3fn, {c.tokens, c.dim}, cpu), TensorView(data, DType::bf16, {c.tokens, c.dim}, cpu),
            TensorView(data, DType::bf16, {c.dim}, cpu),       TensorView(data, DType::f32, {c.tokens, 1}, cpu),
            1e-6,                                               std::monostate{},
            std::monostate{}};
  return {TensorView(data, DType::f8e4m3fn, {c.tokens, c.dim}, cpu), TensorView(data, DType::bf16, {c.tokens, c.dim}, cpu),
          TensorView(data, DType::f32, {c.tokens, 1}, cpu), std::monostate{}};
}

TEST(OpPickers, MatchVllmOnItsConfigFiles) {
  const std::vector<PickCase> cases = {
      {"silu_mul_fp8", "nvidia_h100", 1, 2048, R"({"intermediate":2048,"numtokens":1})"},
      {"silu_mul_fp8", "nvidia_h100", 3, 2048, R"({"intermediate":2048,"numtokens":4})"},
      {"silu_mul_fp8", "nvidia_h100", 200, 7000, R"({"intermediate":7688,"numtokens":256})"},
      {"silu_mul_fp8", "nvidia_h100", 600, 14336, R"({"intermediate":14336,"numtokens":512})"},
      {"silu_mul_fp8", "nvidia_h100", 17, 3000, R"({"intermediate":2880,"numtokens":24})"},
      {"silu_mul_fp8", "nvidia_h100", 256, 11008, R"({"intermediate":11008,"numtokens":256})"},
      {"silu_mul_fp8", "nvidia_h100", 513, 1, R"({"intermediate":2048,"numtokens":512})"},
      {"dynamic_per_token_scaled_fp8_quant", "nvidia_h100", 1, 2048, R"({"hidden_size":2048,"num_tokens":1})"},
      {"dynamic_per_token_scaled_fp8_quant", "nvidia_h100", 3, 3072, R"({"hidden_size":2048,"num_tokens":4})"},
      {"dynamic_per_token_scaled_fp8_quant", "nvidia_h100", 20000, 8192, R"({"hidden_size":8192,"num_tokens":8192})"},
      {"dynamic_per_token_scaled_fp8_quant", "nvidia_h100", 100, 7000, R"({"hidden_size":6144,"num_tokens":128})"},
      {"dynamic_per_token_scaled_fp8_quant", "nvidia_h100", 5, 512, R"({"hidden_size":512,"num_tokens":8})"},
      {"dynamic_per_token_scaled_fp8_quant", "nvidia_h100", 9000, 28672, R"({"hidden_size":28672,"num_tokens":8192})"},
      {"dynamic_per_token_scaled_fp8_quant", "nvidia_b200", 1, 2048, R"({"hidden_size":2048,"num_tokens":1})"},
      {"dynamic_per_token_scaled_fp8_quant", "nvidia_b200", 3, 3072, R"({"hidden_size":2048,"num_tokens":4})"},
      {"dynamic_per_token_scaled_fp8_quant", "nvidia_b200", 20000, 8192, R"({"hidden_size":5120,"num_tokens":8192})"},
      {"dynamic_per_token_scaled_fp8_quant", "nvidia_b200", 100, 4608, R"({"hidden_size":4096,"num_tokens":128})"},
      {"rms_norm_dynamic_per_token_quant", "nvidia_h100", 1, 2048, R"({"hidden_size":2048,"num_tokens":1})"},
      {"rms_norm_dynamic_per_token_quant", "nvidia_h100", 3, 3072, R"({"hidden_size":2048,"num_tokens":4})"},
      {"rms_norm_dynamic_per_token_quant", "nvidia_h100", 20000, 8192, R"({"hidden_size":8192,"num_tokens":8192})"},
      {"rms_norm_dynamic_per_token_quant", "nvidia_h100", 100, 7000, R"({"hidden_size":8192,"num_tokens":128})"},
      {"rms_norm_dynamic_per_token_quant", "nvidia_h100", 5, 100, R"({"hidden_size":2048,"num_tokens":8})"},
      {"rms_norm_dynamic_per_token_quant", "nvidia_h100", 9000, 4608, R"({"hidden_size":4096,"num_tokens":16384})"},
      {"rms_norm_dynamic_per_token_quant", "nvidia_h100", 17, 5120, R"({"hidden_size":5120,"num_tokens":32})"},
      {"rms_norm_dynamic_per_token_quant", "nvidia_b200", 3, 3072, R"({"hidden_size":2048,"num_tokens":4})"},
      {"rms_norm_dynamic_per_token_quant", "nvidia_b200", 20000, 8192, R"({"hidden_size":5120,"num_tokens":8192})"},
      {"rms_norm_dynamic_per_token_quant", "nvidia_b200", 100, 7000, R"({"hidden_size":5120,"num_tokens":128})"},
      {"rms_norm_dynamic_per_token_quant", "nvidia_b200", 9000, 4608, R"({"hidden_size":4096,"num_tokens":8192})"},
  };
  ConfigManager manager(std::filesystem::path(TS_FIXTURES_DIR) / "vllm_configs");
  registry::KernelRegistry reg(manager, [](const registry::CompileRequest&) -> std::shared_ptr<const registry::Executable> {
    throw InternalError("a picker test compiles nothing");
  });
  register_ops(reg);
  float data[1] = {0};
  for (const PickCase& c : cases) {
    const auto args = args_for(c, data);
    EXPECT_EQ(reg.get(c.op).route_on_platform(args, c.platform).key.canonical(), c.expected)
        << c.op << " on " << c.platform << " with " << c.tokens << " x " << c.dim;
  }
}

/// Every config of vLLM's files for `op` fits the op's kernel as bound for `args` (vLLM's tile
/// structure: same block_sizes, loop_orders and range_* lengths), through ConfigSpace::normalize.
void expect_vllm_configs_fit(const std::string& op, const std::vector<registry::ArgValue>& args, int block_sizes) {
  const registry::KernelSpec& spec = op_kernel(op).spec();
  registry::Binding b;
  spec.bind(args, b);
  const ir::Kernel kernel = spec.define(b);
  const ir::ConfigSpace space = ir::ConfigSpace::of(kernel);
  EXPECT_EQ(static_cast<int>(space.block_sizes().size()), block_sizes) << op << "\n" << space.describe();
  for (const char* platform : {"nvidia_h100", "nvidia_b200"}) {
    const auto path = std::filesystem::path(TS_FIXTURES_DIR) / "vllm_configs" / op / (std::string(platform) + ".json");
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    std::stringstream text;
    text << in.rdbuf();
    const json::Json entries = json::parse(text.str(), path.string());
    ASSERT_FALSE(entries.empty()) << path;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const std::string origin = path.string() + ": entry " + std::to_string(i);
      EXPECT_NO_THROW(space.normalize(entries[i].at("config"), origin)) << origin;
    }
  }
}

TEST(OpConfigSpaces, VllmConfigsFitTheDefinitions) {
  const DeviceId cpu = DeviceId::cpu();
  std::uint16_t data[1] = {0};
  const std::int64_t m = 4, h = 2048, d = 128;
  for (bool residual : {true, false}) {  // vLLM tuned with residual and scale_ub given
    const registry::ArgValue res = residual ? registry::ArgValue(TensorView(data, DType::bf16, {m, h}, cpu))
                                            : registry::ArgValue(std::monostate{});
    expect_vllm_configs_fit("rms_norm_dynamic_per_token_quant",
                            {TensorView(data, DType::f8e4m3fn, {m, h}, cpu), TensorView(data, DType::bf16, {m, h}, cpu),
                             TensorView(data, DType::bf16, {h}, cpu), TensorView(data, DType::f32, {m, 1}, cpu), 1e-6,
                             TensorView(data, DType::f32, {1}, cpu), res},
                            3);
  }
  for (bool neox : {true, false}) {
    for (std::int64_t rd : {d, d / 2}) {
      expect_vllm_configs_fit("fused_qk_norm_rope",
                              {TensorView(data, DType::bf16, {m, (16 + 2 * 8) * d}, cpu), std::int64_t{16},
                               std::int64_t{8}, std::int64_t{8}, d, 1e-6, TensorView(data, DType::bf16, {d}, cpu),
                               TensorView(data, DType::bf16, {d}, cpu), TensorView(data, DType::bf16, {40960, rd}, cpu),
                               neox, TensorView(data, DType::i64, {m}, cpu), std::monostate{}},
                              1);
    }
  }
}

/// fused_qk_norm_rope picks by (q_heads, kv_heads, num_tokens); the expected keys come from
/// vLLM's pick_config run with python3 over the fixture files (ties go to the smaller head count,
/// the first in str-sorted key order).
TEST(OpPickers, FusedQkNormRopeMatchesVllm) {
  struct Case {
    const char* platform;
    std::int64_t tokens, q_heads, kv_heads;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"nvidia_h100", 1, 16, 8, R"({"kv_heads":8,"num_tokens":1,"q_heads":16})"},
      {"nvidia_h100", 3, 32, 8, R"({"kv_heads":8,"num_tokens":4,"q_heads":32})"},
      {"nvidia_h100", 20000, 64, 8, R"({"kv_heads":8,"num_tokens":16384,"q_heads":64})"},
      {"nvidia_h100", 100, 40, 4, R"({"kv_heads":8,"num_tokens":128,"q_heads":32})"},
      {"nvidia_h100", 7, 24, 8, R"({"kv_heads":8,"num_tokens":8,"q_heads":16})"},
      {"nvidia_h100", 5000, 8, 2, R"({"kv_heads":8,"num_tokens":8192,"q_heads":16})"},
      {"nvidia_h100", 33, 48, 8, R"({"kv_heads":8,"num_tokens":64,"q_heads":32})"},
      {"nvidia_b200", 20000, 64, 8, R"({"kv_heads":8,"num_tokens":8192,"q_heads":64})"},
      {"nvidia_b200", 2, 128, 16, R"({"kv_heads":8,"num_tokens":2,"q_heads":64})"},
  };
  ConfigManager manager(std::filesystem::path(TS_FIXTURES_DIR) / "vllm_configs");
  registry::KernelRegistry reg(manager, [](const registry::CompileRequest&) -> std::shared_ptr<const registry::Executable> {
    throw InternalError("a picker test compiles nothing");
  });
  register_ops(reg);
  std::uint16_t data[1] = {0};
  const DeviceId cpu = DeviceId::cpu();
  for (const Case& c : cases) {
    const std::int64_t d = 128;
    const std::vector<registry::ArgValue> args = {
        TensorView(data, DType::bf16, {c.tokens, (c.q_heads + 2 * c.kv_heads) * d}, cpu),
        c.q_heads, c.kv_heads, c.kv_heads, d, 1e-6,
        TensorView(data, DType::bf16, {d}, cpu), TensorView(data, DType::bf16, {d}, cpu),
        TensorView(data, DType::bf16, {40960, d}, cpu), true,
        TensorView(data, DType::i64, {c.tokens}, cpu), std::monostate{}};
    EXPECT_EQ(reg.get("fused_qk_norm_rope").route_on_platform(args, c.platform).key.canonical(), c.expected)
        << "fused_qk_norm_rope on " << c.platform << " with " << c.tokens << " tokens, " << c.q_heads << " q heads, "
        << c.kv_heads << " kv heads";
  }
}

/// The group-quantization ops pick by (model dim, group_size, num_tokens); the expected keys come
/// from vLLM's pick_config run with python3 over the fixture files (ties go to the first key in
/// str-sorted order: group 128 before 64, then the smaller dimension).
TEST(OpPickers, GroupQuantOpsMatchVllm) {
  struct Case {
    const char* op;
    const char* platform;
    std::int64_t tokens, dim, group;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"per_token_group_fp8_quant", "nvidia_h100", 1, 2048, 128, R"({"group_size":128,"hidden_size":2048,"num_tokens":1})"},
      {"per_token_group_fp8_quant", "nvidia_h100", 3, 3072, 128, R"({"group_size":128,"hidden_size":2048,"num_tokens":4})"},
      {"per_token_group_fp8_quant", "nvidia_h100", 100, 7000, 64, R"({"group_size":128,"hidden_size":5120,"num_tokens":128})"},
      {"per_token_group_fp8_quant", "nvidia_h100", 20000, 5120, 128, R"({"group_size":128,"hidden_size":5120,"num_tokens":8192})"},
      {"per_token_group_fp8_quant", "nvidia_b200", 5, 4608, 32, R"({"group_size":128,"hidden_size":4096,"num_tokens":8})"},
      {"per_token_group_fp8_quant", "nvidia_b200", 9, 320, 64, R"({"group_size":128,"hidden_size":2048,"num_tokens":16})"},
      {"rms_norm_per_block_quant", "nvidia_h100", 1, 2048, 64, R"({"group_size":64,"hidden_size":2048,"num_tokens":1})"},
      {"rms_norm_per_block_quant", "nvidia_h100", 3, 3072, 128, R"({"group_size":128,"hidden_size":2048,"num_tokens":4})"},
      {"rms_norm_per_block_quant", "nvidia_h100", 100, 7000, 64, R"({"group_size":64,"hidden_size":8192,"num_tokens":128})"},
      {"rms_norm_per_block_quant", "nvidia_h100", 20000, 8192, 128, R"({"group_size":128,"hidden_size":8192,"num_tokens":4096})"},
      {"rms_norm_per_block_quant", "nvidia_h100", 9000, 4608, 64, R"({"group_size":64,"hidden_size":4096,"num_tokens":4096})"},
      {"rms_norm_per_block_quant", "nvidia_h100", 5, 192, 64, R"({"group_size":64,"hidden_size":2048,"num_tokens":8})"},
      {"rms_norm_per_block_quant", "nvidia_h100", 17, 6144, 128, R"({"group_size":128,"hidden_size":5120,"num_tokens":32})"},
      {"rms_norm_per_block_quant", "nvidia_b200", 1, 2048, 64, R"({"group_size":128,"hidden_size":2048,"num_tokens":1})"},
      {"rms_norm_per_block_quant", "nvidia_b200", 20000, 8192, 128, R"({"group_size":128,"hidden_size":5120,"num_tokens":8192})"},
      {"silu_and_mul_per_block_quant", "nvidia_h100", 1, 6144, 128, R"({"group_size":128,"intermediate_size":6144,"num_tokens":1})"},
      {"silu_and_mul_per_block_quant", "nvidia_h100", 3, 9216, 128, R"({"group_size":128,"intermediate_size":12288,"num_tokens":4})"},
      {"silu_and_mul_per_block_quant", "nvidia_h100", 20000, 25600, 128, R"({"group_size":128,"intermediate_size":25600,"num_tokens":16384})"},
      {"silu_and_mul_per_block_quant", "nvidia_h100", 5, 320, 64, R"({"group_size":128,"intermediate_size":6144,"num_tokens":8})"},
      {"silu_and_mul_per_block_quant", "nvidia_b200", 100, 20000, 64, R"({"group_size":128,"intermediate_size":25600,"num_tokens":128})"},
      {"silu_and_mul_per_block_quant", "nvidia_b200", 9000, 12288, 64, R"({"group_size":128,"intermediate_size":12288,"num_tokens":8192})"},
  };
  ConfigManager manager(std::filesystem::path(TS_FIXTURES_DIR) / "vllm_configs");
  registry::KernelRegistry reg(manager, [](const registry::CompileRequest&) -> std::shared_ptr<const registry::Executable> {
    throw InternalError("a picker test compiles nothing");
  });
  register_ops(reg);
  std::uint16_t data[1] = {0};
  const DeviceId cpu = DeviceId::cpu();
  for (const Case& c : cases) {
    const std::string op = c.op;
    const std::int64_t m = c.tokens, n = c.dim, groups = c.dim / c.group;
    std::vector<registry::ArgValue> args;
    if (op == "per_token_group_fp8_quant")
      args = {TensorView(data, DType::bf16, {m, n}, cpu), TensorView(data, DType::f8e4m3fn, {m, n}, cpu),
              TensorView(data, DType::f32, {m, groups}, cpu), c.group, 1e-10, -448.0, 448.0, false, false, false};
    else if (op == "rms_norm_per_block_quant")
      args = {TensorView(data, DType::f8e4m3fn, {m, n}, cpu), TensorView(data, DType::bf16, {m, n}, cpu),
              TensorView(data, DType::bf16, {n}, cpu), TensorView(data, DType::f32, {m, groups}, cpu), 1e-6,
              std::monostate{}, std::monostate{}, c.group, false};
    else
      args = {TensorView(data, DType::f8e4m3fn, {m, n}, cpu), TensorView(data, DType::bf16, {m, 2 * n}, cpu),
              TensorView(data, DType::f32, {m, groups}, cpu), c.group, std::monostate{}, false};
    EXPECT_EQ(reg.get(op).route_on_platform(args, c.platform).key.canonical(), c.expected)
        << op << " on " << c.platform << " with " << m << " x " << n << ", group " << c.group;
  }
}

/// The space of `op`'s kernel bound for `args`: {loop_orders, ranges, static_ranges, loads,
/// accesses}, to compare with the list lengths of vLLM's files.
std::vector<std::size_t> space_lengths(const std::string& op, const std::vector<registry::ArgValue>& args) {
  const registry::KernelSpec& spec = op_kernel(op).spec();
  registry::Binding b;
  spec.bind(args, b);
  const ir::ConfigSpace space = ir::ConfigSpace::of(spec.define(b));
  return {space.loop_orders().size(), space.ranges().size(), space.static_ranges().size(),
          static_cast<std::size_t>(space.num_loads()), space.accesses().size()};
}

TEST(OpConfigSpaces, GroupQuantVllmConfigsFitTheDefinitions) {
  const DeviceId cpu = DeviceId::cpu();
  std::uint16_t data[1] = {0};
  const std::int64_t m = 4, h = 2048, g = 128;
  const TensorView ub(data, DType::f32, {1}, cpu);
  const std::vector<registry::ArgValue> group_quant = {
      TensorView(data, DType::bf16, {m, h}, cpu), TensorView(data, DType::f8e4m3fn, {m, h}, cpu),
      TensorView(data, DType::f32, {m, h / g}, cpu), g, 1e-10, -448.0, 448.0, false, false, false};
  expect_vllm_configs_fit("per_token_group_fp8_quant", group_quant, 1);
  // vLLM's files: loop_orders 1 (the 3-d grid), range_* 1, indexing 3, load_eviction_policies 1.
  EXPECT_EQ(space_lengths("per_token_group_fp8_quant", group_quant), (std::vector<std::size_t>{1, 1, 0, 1, 3}));
  for (bool residual : {true, false}) {  // vLLM tuned with residual and scale_ub given
    const registry::ArgValue res = residual ? registry::ArgValue(TensorView(data, DType::bf16, {m, h}, cpu))
                                            : registry::ArgValue(std::monostate{});
    const std::vector<registry::ArgValue> args = {
        TensorView(data, DType::f8e4m3fn, {m, h}, cpu), TensorView(data, DType::bf16, {m, h}, cpu),
        TensorView(data, DType::bf16, {h}, cpu), TensorView(data, DType::f32, {m, h / g}, cpu), 1e-6, ub, res, g,
        false};
    expect_vllm_configs_fit("rms_norm_per_block_quant", args, 2);
    // nvidia_b200.json (the current kernel): loop_orders 1 (the [groups, group_size] loop),
    // range_* 4 (grid, hidden loop, both group-loop dimensions), static_ranges 1 (the group_size
    // dimension, one trip), load_eviction_policies 6 and indexing 9 with residual and scale_ub.
    if (residual)
      EXPECT_EQ(space_lengths("rms_norm_per_block_quant", args), (std::vector<std::size_t>{1, 4, 1, 6, 9}));
  }
  const std::vector<registry::ArgValue> silu = {TensorView(data, DType::f8e4m3fn, {m, h}, cpu),
                                                TensorView(data, DType::bf16, {m, 2 * h}, cpu),
                                                TensorView(data, DType::f32, {m, h / g}, cpu), g, ub, false};
  expect_vllm_configs_fit("silu_and_mul_per_block_quant", silu, 1);
  // vLLM's files: loop_orders 1, range_* 1, load_eviction_policies 3, indexing 5 (with scale_ub).
  EXPECT_EQ(space_lengths("silu_and_mul_per_block_quant", silu), (std::vector<std::size_t>{1, 1, 0, 3, 5}));
}

/// Calls vLLM's kernels reject (its asserts) are `UserError`s from `bind`, before any launch.
TEST(OpBindings, GroupQuantOpsRejectWhatVllmAsserts) {
  const DeviceId cpu = DeviceId::cpu();
  std::uint16_t data[1] = {0};
  const std::int64_t m = 4, h = 256;
  auto bind = [](const char* op, const std::vector<registry::ArgValue>& args) {
    registry::Binding b;
    op_kernel(op).spec().bind(args, b);
  };
  auto group_quant = [&](std::int64_t g, std::int64_t groups) {
    return std::vector<registry::ArgValue>{TensorView(data, DType::bf16, {m, h}, cpu),
                                           TensorView(data, DType::f8e4m3fn, {m, h}, cpu),
                                           TensorView(data, DType::f32, {m, groups}, cpu), g, 1e-10, -448.0, 448.0,
                                           false, false, false};
  };
  EXPECT_NO_THROW(bind("per_token_group_fp8_quant", group_quant(64, 4)));
  EXPECT_THROW(bind("per_token_group_fp8_quant", group_quant(96, 2)), UserError);  // not a power of two
  EXPECT_THROW(bind("per_token_group_fp8_quant", group_quant(64, 2)), UserError);  // output_s shape
  auto rms = [&](DType result, std::int64_t g, bool ub, std::vector<std::int64_t> scale_strides, bool transposed) {
    const TensorView ub_view(data, DType::f32, {1}, cpu);
    const std::vector<std::int64_t> scale_shape{m, h / g};
    return std::vector<registry::ArgValue>{
        TensorView(data, result, {m, h}, cpu), TensorView(data, DType::bf16, {m, h}, cpu),
        TensorView(data, DType::bf16, {h}, cpu), TensorView(data, DType::f32, scale_shape, scale_strides, cpu), 1e-6,
        ub ? registry::ArgValue(ub_view) : registry::ArgValue(std::monostate{}), std::monostate{}, g, transposed};
  };
  EXPECT_NO_THROW(bind("rms_norm_per_block_quant", rms(DType::f8e4m3fn, 128, true, {2, 1}, false)));
  EXPECT_NO_THROW(bind("rms_norm_per_block_quant", rms(DType::i8, 64, false, {1, m}, true)));
  EXPECT_THROW(bind("rms_norm_per_block_quant", rms(DType::i8, 64, false, {1, m}, false)), UserError);
  EXPECT_THROW(bind("rms_norm_per_block_quant", rms(DType::i8, 64, true, {4, 1}, false)), UserError);  // int8 + ub
  EXPECT_THROW(bind("rms_norm_per_block_quant", rms(DType::f8e4m3fn, 32, false, {8, 1}, false)), UserError);
  auto silu = [&](std::int64_t g, std::int64_t out_cols) {
    return std::vector<registry::ArgValue>{TensorView(data, DType::f8e4m3fn, {m, out_cols}, cpu),
                                           TensorView(data, DType::bf16, {m, 2 * h}, cpu),
                                           TensorView(data, DType::f32, {m, out_cols / g}, cpu), g, std::monostate{},
                                           false};
  };
  EXPECT_NO_THROW(bind("silu_and_mul_per_block_quant", silu(128, h)));
  EXPECT_THROW(bind("silu_and_mul_per_block_quant", silu(256, h)), UserError);  // group_size 64 or 128
  EXPECT_THROW(bind("silu_and_mul_per_block_quant", silu(64, h / 2)), UserError);  // out is [M, I]
}

}  // namespace
}  // namespace tessera::ops
