// SPDX-License-Identifier: Apache-2.0
// IR nodes, size expressions, printer, visitor/mutator and verifier.
#include <gtest/gtest.h>

#include "examples/examples.h"
#include "tessera/error.h"
#include "tessera/ir/ir.h"
#include "tessera/ir/printer.h"
#include "tessera/ir/size_expr.h"
#include "tessera/ir/verifier.h"
#include "tessera/ir/visitor.h"

namespace tessera::ir {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "<no error>";
}

Expr tile_value(DType dt, std::vector<Axis> axes) { return Full::make(Type{dt, std::move(axes)}, 1.0); }

TEST(IrNodes, BinaryChecksDtypesAndBroadcasts) {
  auto tm = Axis::tile(0, "tm"), tn = Axis::tile(1, "tn");
  Expr a = tile_value(DType::f32, {tm, tn}), b = tile_value(DType::f32, {tn});
  EXPECT_EQ(Binary::make(BinaryOp::add, a, b).type(), (Type{DType::f32, {tm, tn}}));
  EXPECT_EQ(Binary::make(BinaryOp::lt, a, b).dtype(), DType::boolean);
  EXPECT_NE(error_of([&] { Binary::make(BinaryOp::add, a, tile_value(DType::bf16, {tm, tn})); }).find("add: dtype mismatch"),
            std::string::npos);
  EXPECT_NE(error_of([&] { Binary::make(BinaryOp::mul, a, tile_value(DType::f32, {tm})); }).find("mul: shape mismatch"),
            std::string::npos);
  EXPECT_NE(error_of([&] { Unary::make(UnaryOp::exp, tile_value(DType::f8e4m3fn, {tm})); }).find("cannot be computed on"),
            std::string::npos);
  EXPECT_NE(error_of([&] { Unary::make(UnaryOp::exp, IntImm::make(DType::i32, 3)); }).find("needs a float operand"),
            std::string::npos);
  EXPECT_NE(error_of([&] { Reduce::make(ReduceOp::sum, a, 2); }).find("non-existent axis"), std::string::npos);
  EXPECT_EQ(Reduce::make(ReduceOp::sum, a, -1).as<Reduce>()->axis, 1);
  EXPECT_EQ(FloatImm::make(DType::bf16, 1.0 / 3).as<FloatImm>()->value, round_to_dtype(1.0 / 3, DType::bf16));
}

TEST(IrNodes, DotChecksContractionAxes) {
  auto tm = Axis::tile(0, "tm"), tn = Axis::tile(1, "tn"), tk = Axis::tile(2, "tk");
  Expr a = tile_value(DType::bf16, {tm, tk}), b = tile_value(DType::bf16, {tk, tn});
  EXPECT_EQ(Dot::make(a, b).type(), (Type{DType::f32, {tm, tn}}));
  EXPECT_NE(error_of([&] { Dot::make(a, tile_value(DType::bf16, {tn, tk})); }).find("contraction axes differ"),
            std::string::npos);
  EXPECT_NE(error_of([&] { Dot::make(a, b, tile_value(DType::bf16, {tm, tn})); }).find("accumulator must be f32"),
            std::string::npos);
}

TEST(SizeExpr, CanonicalFormsDecideEquality) {
  Expr m = SizeVar::make("m"), n = SizeVar::make("n");
  auto add = [](Expr a, Expr b) { return Binary::make(BinaryOp::add, a, b); };
  auto mul = [](Expr a, Expr b) { return Binary::make(BinaryOp::mul, a, b); };
  auto div = [](Expr a, Expr b) { return Binary::make(BinaryOp::div, a, b); };
  EXPECT_TRUE(size_equal(add(m, n), add(n, m)));
  EXPECT_TRUE(size_equal(div(mul(size_const(2), m), size_const(2)), m));
  EXPECT_FALSE(size_equal(div(m, size_const(2)), m));
  EXPECT_TRUE(size_equal(add(div(m, size_const(2)), div(m, size_const(2))), mul(size_const(2), div(m, size_const(2)))));
  EXPECT_EQ(canonical_size(div(m, size_const(2))), "m/2");
  EXPECT_EQ(eval_size(add(div(m, size_const(2)), n), {{"m", 9}, {"n", 1}}), 5);
  EXPECT_EQ(size_constant(mul(size_const(3), size_const(4))), 12);
  EXPECT_NE(error_of([&] { eval_size(m, {}); }).find("size symbol 'm' has no value"), std::string::npos);
}

TEST(Printer, PrintsEveryExampleDeterministically) {
  for (const auto& e : examples::example_kernels()) {
    const std::string a = to_string(e.make()), b = to_string(e.make());
    EXPECT_EQ(a, b);
    EXPECT_EQ(a.rfind("kernel " + e.name + "(", 0), 0u) << a;
  }
  const std::string mm = to_string(examples::matmul_kernel());
  EXPECT_NE(mm.find("local $acc: f32[tm, tn] = %0"), std::string::npos) << mm;
  EXPECT_NE(mm.find("device tile (tk) {"), std::string::npos) << mm;
  EXPECT_NE(mm.find("dot(%1, %2, acc=%3)"), std::string::npos) << mm;  // a, b, then acc: source order
  const std::string rms = to_string(examples::rms_norm_kernel());
  EXPECT_NE(rms.find("rdim R0 = n: reduction_loops[0]"), std::string::npos) << rms;
  EXPECT_NE(rms.find("load x[tm, :R0]"), std::string::npos) << rms;
}

TEST(Visitor, CountsAndMutatorRewrites) {
  Kernel k = examples::rms_norm_kernel();
  int loads = 0, lets = 0;
  visit_with(k.body, [&](const Expr& e) { loads += e.kind() == NodeKind::Load; },
             [&](const Stmt& s) { lets += s.kind() == NodeKind::Let; });
  EXPECT_EQ(loads, 2);
  EXPECT_EQ(lets, k.num_lets);

  // Replace rsqrt by 1/sqrt: a new graph that still verifies, the old one unchanged.
  struct RsqrtToDiv : Mutator {
    using Mutator::mutate;
    Expr mutate(const Unary& n, const Expr& self) override {
      if (n.op != UnaryOp::rsqrt) return Mutator::mutate(n, self);
      Expr a = mutate(n.a);
      return Binary::make(BinaryOp::div, FloatImm::make(a.dtype(), 1.0), Unary::make(UnaryOp::sqrt, a));
    }
  } m;
  Kernel k2 = k;
  k2.body = m.mutate(k.body);
  EXPECT_FALSE(k2.body.same_as(k.body));
  verify(k2);
  EXPECT_NE(to_string(k2).find("div(1.0:f32, sqrt(%4))"), std::string::npos) << to_string(k2);
  EXPECT_NE(to_string(k).find("rsqrt(%4)"), std::string::npos);
}

TEST(Verifier, RejectsBrokenKernels) {
  Kernel good = examples::add_kernel();
  verify(good);

  Kernel no_grid = good;
  no_grid.body = Block::make({});
  EXPECT_NE(error_of([&] { verify(no_grid); }).find("exactly one grid tile loop"), std::string::npos);

  // A Var used in a block that does not define it.
  const auto* loop = good.body.as<Block>()->stmts[0].as<TileLoop>();
  Stmt stray = Let::make(good.num_lets, "", Var::make(999, "", Type::scalar(DType::f32)));
  Kernel bad_var = good;
  bad_var.num_lets += 1;
  std::vector<Stmt> body = loop->body.as<Block>()->stmts;
  body.insert(body.begin(), stray);
  bad_var.body = Block::make({TileLoop::make(loop->tile_vars, true, Block::make(body))});
  EXPECT_NE(error_of([&] { verify(bad_var); }).find("%999 is used outside the block"), std::string::npos);

  // An output that is never stored.
  Kernel unstored = good;
  std::vector<Stmt> no_store(body.begin() + 1, body.end() - 1);
  unstored.body = Block::make({TileLoop::make(loop->tile_vars, true, Block::make(no_store))});
  EXPECT_NE(error_of([&] { verify(unstored); }).find("output 'out' is never stored"), std::string::npos);
}

TEST(ErrorBounds, FastModeIsLooserOnlyWhereDocumented) {
  EXPECT_TRUE(error_bound(UnaryOp::abs, MathMode::fast).exact());
  EXPECT_EQ(error_bound(BinaryOp::div, MathMode::fast).ulps, 2);
  EXPECT_EQ(error_bound(BinaryOp::div, MathMode::exact).ulps, 0.5);
  EXPECT_GT(error_bound(UnaryOp::exp, MathMode::fast).ulps_per_abs_x, 0);
  EXPECT_EQ(error_bound(UnaryOp::exp, MathMode::exact).ulps_per_abs_x, 0);
  for (auto op : {UnaryOp::neg, UnaryOp::silu, UnaryOp::round}) EXPECT_EQ(parse_unary_op(op_name(op)), op);
  EXPECT_EQ(parse_reduce_op("amax"), ReduceOp::amax);
  EXPECT_EQ(parse_math_mode("exact"), MathMode::exact);
}

}  // namespace
}  // namespace tessera::ir
