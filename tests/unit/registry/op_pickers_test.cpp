// SPDX-License-Identifier: Apache-2.0
// Every op's picker on vLLM's own config files (tests/fixtures/vllm_configs) against the key
// vLLM's Python picker returns for the same shapes. The expected keys were computed with
// python3 running vLLM's picker logic (nested dicts in str-sorted key order, min(abs diff),
// next(n >= tokens) else the largest) over the fixture files.
#include <gtest/gtest.h>

#include "ops/ops.h"

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

}  // namespace
}  // namespace tessera::ops
