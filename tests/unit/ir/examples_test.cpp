// SPDX-License-Identifier: Apache-2.0
// The float64 interpreter on every example kernel against the example's independent
// reference: random inputs, ragged shapes (not multiples of the block sizes), several block
// sizes, poisoned outputs, per-dtype tolerances.
#include <gtest/gtest.h>

#include <random>

#include "examples/examples.h"
#include "host_tensor_testing.h"
#include "tessera/error.h"
#include "tessera/ir/interpreter.h"

namespace tessera {
namespace {

using ir::HostTensor;
using testing::expect_close;
using testing::poisoned;
using testing::random_tensor;

const std::vector<std::vector<std::int64_t>> kShapes = {{1, 1}, {3, 5}, {17, 33}, {32, 64}, {5, 130}};
const std::vector<std::int64_t> kBlocks = {1, 4, 16, 64};

std::vector<std::int64_t> blocks_for(const ir::Kernel& k, std::int64_t b) {
  return std::vector<std::int64_t>(static_cast<std::size_t>(k.num_block_sizes()), b);
}

TEST(Examples, AddF32AndBF16) {
  std::mt19937 rng(1);
  for (DType dt : {DType::f32, DType::bf16}) {
    auto k = examples::add_kernel(dt);
    for (const auto& s : kShapes)
      for (auto b : kBlocks) {
        auto x = random_tensor(dt, s, rng), y = random_tensor(dt, s, rng);
        auto out = poisoned(dt, s), ref = poisoned(dt, s);
        ir::interpret(k, {{{"x", &x}, {"y", &y}, {"out", &out}}, {}}, {blocks_for(k, b)});
        examples::add_reference(x, y, ref);
        expect_close(out, ref, 0.5, 0, "add");
      }
  }
}

TEST(Examples, SiluMulFp8) {
  std::mt19937 rng(2);
  for (DType dt : {DType::bf16, DType::f16})
    for (const auto& s : kShapes)
      for (auto b : kBlocks) {
        std::vector<std::int64_t> in_shape{s[0], 2 * s[1]};
        auto x = random_tensor(dt, in_shape, rng, 0, 3);
        auto scale = HostTensor::zeros(DType::f32, {1});
        scale.store(0, 0.37);
        auto k = examples::silu_mul_fp8_kernel(dt);
        auto out = poisoned(DType::f8e4m3fn, s), ref = poisoned(DType::f8e4m3fn, s);
        ir::interpret(k, {{{"input", &x}, {"scale", &scale}, {"out", &out}}, {}}, {blocks_for(k, b)});
        examples::silu_mul_fp8_reference(x, scale, ref);
        expect_close(out, ref, 1, 0, "silu_mul_fp8");  // OPS.md: <= 1 ulp on quantized bytes
      }
}

TEST(Examples, RmsNormAndLayerNorm) {
  std::mt19937 rng(3);
  for (DType dt : {DType::f32, DType::bf16})
    for (const auto& s : kShapes)
      for (auto b : {1, 8}) {
        auto x = random_tensor(dt, s, rng), w = random_tensor(dt, {s[1]}, rng, 1, 1), bias = random_tensor(dt, {s[1]}, rng);
        auto out = poisoned(dt, s), ref = poisoned(dt, s);
        auto k = examples::rms_norm_kernel(dt);
        ir::interpret(k, {{{"x", &x}, {"w", &w}, {"out", &out}}, {{"eps", 1e-6}}}, {blocks_for(k, b)});
        examples::rms_norm_reference(x, w, 1e-6, ref);
        expect_close(out, ref, 1, 1e-30, "rms_norm");
        auto ln = examples::layer_norm_kernel(dt);
        auto out2 = poisoned(dt, s), ref2 = poisoned(dt, s);
        ir::interpret(ln, {{{"x", &x}, {"w", &w}, {"b", &bias}, {"out", &out2}}, {{"eps", 1e-5}}}, {blocks_for(ln, b)});
        examples::layer_norm_reference(x, w, bias, 1e-5, ref2);
        // (x - mean) cancels: allow one output ulp plus a tiny absolute term.
        expect_close(out2, ref2, 1, 1e-6, "layer_norm");
      }
}

TEST(Examples, SoftmaxIsStableForLargeInputs) {
  std::mt19937 rng(4);
  for (DType dt : {DType::f32, DType::bf16})
    for (const auto& s : kShapes) {
      auto x = random_tensor(dt, s, rng, 500, 30);  // exp(500) overflows without the max shift
      auto out = poisoned(dt, s), ref = poisoned(dt, s);
      auto k = examples::softmax_kernel(dt);
      ir::interpret(k, {{{"x", &x}, {"out", &out}}, {}}, {blocks_for(k, 4)});
      examples::softmax_reference(x, ref);
      expect_close(out, ref, 1, 1e-30, "softmax");
    }
}

TEST(Examples, DynamicPerTokenFp8Quant) {
  std::mt19937 rng(5);
  for (const auto& s : kShapes)
    for (auto b : kBlocks) {
      auto x = random_tensor(DType::bf16, s, rng, 0, 2);
      auto k = examples::dynamic_per_token_fp8_quant_kernel(DType::bf16);
      auto res = poisoned(DType::f8e4m3fn, s), res_ref = poisoned(DType::f8e4m3fn, s);
      auto sc = poisoned(DType::f32, {s[0], 1}), sc_ref = poisoned(DType::f32, {s[0], 1});
      ir::interpret(k, {{{"input", &x}, {"result", &res}, {"scale", &sc}}, {}}, {blocks_for(k, b)});
      examples::dynamic_per_token_fp8_quant_reference(x, res_ref, sc_ref);
      expect_close(sc, sc_ref, 2, 0, "scale");  // the kernel's 1/448 literal is an f32
      expect_close(res, res_ref, 1, 0, "result");
    }
  // All-zero rows take the minimum scale, not a division by zero.
  auto z = HostTensor::zeros(DType::bf16, {2, 7});
  auto res = poisoned(DType::f8e4m3fn, {2, 7}), sc = poisoned(DType::f32, {2, 1});
  ir::interpret(examples::dynamic_per_token_fp8_quant_kernel(), {{{"input", &z}, {"result", &res}, {"scale", &sc}}, {}});
  EXPECT_FLOAT_EQ(static_cast<float>(sc.at({0, 0})), static_cast<float>(1.0 / (448.0 * 512.0)));
  EXPECT_EQ(res.at({1, 6}), 0.0);
}

TEST(Examples, MatmulLoopsOverK) {
  std::mt19937 rng(6);
  for (DType dt : {DType::bf16, DType::f16})
    for (auto [m, kd, n] : std::vector<std::array<std::int64_t, 3>>{{1, 1, 1}, {7, 19, 5}, {33, 70, 17}, {16, 64, 32}})
      for (auto b : {4, 16}) {
        auto a = random_tensor(dt, {m, kd}, rng), bm = random_tensor(dt, {kd, n}, rng);
        auto out = poisoned(DType::bf16, {m, n}), ref = poisoned(DType::bf16, {m, n});
        auto k = examples::matmul_kernel(dt);
        ir::interpret(k, {{{"a", &a}, {"b", &bm}, {"out", &out}}, {}}, {blocks_for(k, b)});
        examples::matmul_reference(a, bm, ref);
        expect_close(out, ref, 0.5, 0, "matmul");
      }
}

TEST(Examples, StridedInputs) {
  std::mt19937 rng(7);
  auto k = examples::add_kernel(DType::f32);
  auto x = HostTensor::strided(DType::f32, {5, 6}, {1, 7});  // column-major with padding
  auto y = random_tensor(DType::f32, {5, 6}, rng);
  for (std::int64_t i = 0; i < 5; ++i)
    for (std::int64_t j = 0; j < 6; ++j) x.store(x.offset({i, j}), static_cast<double>(i * 10 + j));
  auto out = poisoned(DType::f32, {5, 6}), ref = poisoned(DType::f32, {5, 6});
  ir::interpret(k, {{{"x", &x}, {"y", &y}, {"out", &out}}, {}}, {{4, 4}});
  examples::add_reference(x, y, ref);
  expect_close(out, ref, 0.5, 0, "strided add");
}

TEST(Examples, ShapeMismatchIsAUserError) {
  auto k = examples::add_kernel(DType::f32);
  auto x = HostTensor::zeros(DType::f32, {4, 4}), y = HostTensor::zeros(DType::f32, {4, 5});
  auto out = HostTensor::zeros(DType::f32, {4, 4});
  try {
    ir::interpret(k, {{{"x", &x}, {"y", &y}, {"out", &out}}, {}});
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("kernel 'add': tensor 'y' dimension 1 is 5"), std::string::npos) << e.what();
  }
}

TEST(Examples, AllExamplesPrintAndVerify) {
  for (const auto& e : examples::example_kernels()) {
    ir::Kernel k = e.make();
    EXPECT_EQ(k.name, e.name);
  }
}

}  // namespace
}  // namespace tessera
