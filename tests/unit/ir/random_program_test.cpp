// SPDX-License-Identifier: Apache-2.0
// Random programs: random elementwise trees (with a bf16 round trip and `where`) followed by a
// random row reduction, traced through the tile language and run by the interpreter with
// random block sizes and ragged shapes; compared with a direct float64 evaluation of the same
// tree that shares no code with the IR.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>

#include "host_tensor_testing.h"
#include "tessera/ir/interpreter.h"
#include "tessera/lang/lang.h"
#include "tessera/numeric/float_formats.h"

namespace tessera {
namespace {

enum class Op { x, y, c, add, sub, mul, max, min, neg, abs, tanh, sigmoid, exp_clamped, bf16_trip, where_lt };

struct Tree {
  Op op;
  double c = 0;
  std::unique_ptr<Tree> a, b;
};

std::unique_ptr<Tree> random_tree(std::mt19937& rng, int depth) {
  auto t = std::make_unique<Tree>();
  std::uniform_int_distribution<int> leaf(0, 2), any(3, static_cast<int>(Op::where_lt));
  t->op = depth == 0 ? static_cast<Op>(leaf(rng)) : static_cast<Op>(any(rng));
  if (t->op == Op::c) t->c = std::uniform_real_distribution<double>(-2, 2)(rng);
  const bool binary = t->op == Op::add || t->op == Op::sub || t->op == Op::mul || t->op == Op::max ||
                      t->op == Op::min || t->op == Op::where_lt;
  if (depth > 0) t->a = random_tree(rng, depth - 1);
  if (depth > 0 && binary) t->b = random_tree(rng, depth - 1);
  return t;
}

double eval(const Tree& t, double x, double y) {
  auto A = [&] { return eval(*t.a, x, y); };
  auto B = [&] { return eval(*t.b, x, y); };
  const auto f32 = [](double v) { return static_cast<double>(static_cast<float>(v)); };
  switch (t.op) {
    case Op::x: return x;
    case Op::y: return y;
    case Op::c: return f32(t.c);
    case Op::add: return A() + B();
    case Op::sub: return A() - B();
    case Op::mul: return A() * B();
    case Op::max: return std::max(A(), B());
    case Op::min: return std::min(A(), B());
    case Op::neg: return -A();
    case Op::abs: return std::fabs(A());
    case Op::tanh: return std::tanh(A());
    case Op::sigmoid: return 1 / (1 + std::exp(-A()));
    case Op::exp_clamped: return std::exp(std::min(std::max(A(), -5.0), 5.0));
    case Op::bf16_trip: return numeric::bf16_to_float(numeric::bf16_from_double(A()));
    case Op::where_lt: {
      const double a = A(), b = B();
      return a < b ? a : b * 0.5;
    }
  }
  return 0;
}

lang::Value build(const Tree& t, const lang::Value& x, const lang::Value& y) {
  using namespace lang;
  auto A = [&] { return build(*t.a, x, y); };
  auto B = [&] { return build(*t.b, x, y); };
  switch (t.op) {
    case Op::x: return x;
    case Op::y: return y;
    case Op::c: return x * 0.0 + t.c;  // a constant tile (x is finite)
    case Op::add: return A() + B();
    case Op::sub: return A() - B();
    case Op::mul: return A() * B();
    case Op::max: return maximum(A(), B());
    case Op::min: return minimum(A(), B());
    case Op::neg: return -A();
    case Op::abs: return abs(A());
    case Op::tanh: return tanh(A());
    case Op::sigmoid: return sigmoid(A());
    case Op::exp_clamped: return exp(clamp(A(), -5, 5));
    case Op::bf16_trip: return A().to(DType::bf16).to(DType::f32);
    case Op::where_lt: {
      auto a = A(), b = B();
      return where(a < b, a, b * 0.5);
    }
  }
  return x;
}

TEST(RandomPrograms, ElementwiseAndRowReductionsMatchFloat64) {
  std::mt19937 rng(2024);
  for (int trial = 0; trial < 60; ++trial) {
    auto tree = random_tree(rng, 1 + trial % 4);
    const int red = trial % 4;  // sum, max, min, mean
    ir::Kernel k = lang::define("random", [&](lang::Builder& b) {
      using namespace lang;
      auto x = b.input("x", DType::f32, {"m", "n"});
      auto y = b.input("y", DType::f32, {"m", "n"});
      auto out = b.output("out", DType::f32, {x.dim(0), x.dim(1)});
      auto row = b.output("row", DType::f32, {x.dim(0)});
      b.tile({x.dim(0)}, [&](Tile tm) {
        Value v = build(*tree, x(tm, all()), y(tm, all()));
        out(tm, all()) = v;
        row(tm) = red == 0 ? sum(v, 1) : red == 1 ? max(v, 1) : red == 2 ? min(v, 1) : mean(v, 1);
      });
    });
    const std::int64_t m = 1 + trial % 7, n = 1 + (trial * 13) % 41;
    auto x = testing::random_tensor(DType::f32, {m, n}, rng), y = testing::random_tensor(DType::f32, {m, n}, rng);
    auto out = testing::poisoned(DType::f32, {m, n}), row = testing::poisoned(DType::f32, {m});
    ir::interpret(k, {{{"x", &x}, {"y", &y}, {"out", &out}, {"row", &row}}, {}},
                  {{std::int64_t{1} << (trial % 4)}});
    auto want = ir::HostTensor::zeros(DType::f32, {m, n}), want_row = ir::HostTensor::zeros(DType::f32, {m});
    for (std::int64_t i = 0; i < m; ++i) {
      double acc = red == 1 ? -HUGE_VAL : red == 2 ? HUGE_VAL : 0;
      for (std::int64_t j = 0; j < n; ++j) {
        const double v = eval(*tree, x.at({i, j}), y.at({i, j}));
        want.store(want.offset({i, j}), v);
        acc = red == 1 ? std::max(acc, v) : red == 2 ? std::min(acc, v) : acc + v;
      }
      want_row.store(i, red == 3 ? acc / static_cast<double>(n) : acc);
    }
    SCOPED_TRACE("trial " + std::to_string(trial));
    testing::expect_close(out, want, 0.5, 0, "elementwise");
    testing::expect_close(row, want_row, 0.5, 1e-12, "row reduction");
  }
}

}  // namespace
}  // namespace tessera
