// SPDX-License-Identifier: Apache-2.0
// Random programs through the CPU backend vs the float64 interpreter. Each seed generates one
// kernel: random input dtypes (f32/bf16/f16) and a random output dtype, a random chain of
// elementwise operations over x and a second input that is full, a row vector or a column
// vector (broadcast), then either a 2-D elementwise store or a reduction (sum/max/min/mean/amax)
// along a random axis followed by a stage that broadcasts the reduced value back. The kernel is
// run through lang::Kernel on `cpu` with random block sizes and reduction chunks, on ragged
// shapes (two shapes per compile under static_shapes = false), outputs poisoned first. A fixed
// seed list keeps CI to one compile per seed.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <iostream>
#include <random>

#include "kernel_test_util.h"
#include "tessera/ir/interpreter.h"
#include "tessera/ir/size_expr.h"
#include "tessera/lang/kernel.h"
#include "tessera/lang/lang.h"
#include "tessera/runtime/registry.h"

namespace tessera::lang {
namespace {

/// One generated program and how to run it.
struct Program {
  ir::Kernel kernel;
  Config config;
  bool static_shapes = true;
  std::string description;
};

enum class Second { kFull, kRow, kColumn };  // y: [m, n], [n] or [m]

/// A random elementwise chain over `a` and `b` (f32 tiles of one shape); `cond` is an input
/// tile for `where` (a condition on an input cannot flip between float32 and float64).
Value chain(std::mt19937& rng, int length, Value a, Value b, const Value& cond, std::string& text) {
  std::uniform_int_distribution<int> pick(0, 12);
  std::uniform_real_distribution<double> constant(-1.5, 1.5);
  Value v = a;
  for (int i = 0; i < length; ++i) {
    const double c = static_cast<float>(constant(rng));  // exactly representable in f32
    switch (pick(rng)) {
      case 0: v = v + b; text += " +y"; break;
      case 1: v = v - b * c; text += " -y*c"; break;
      case 2: v = v * b; text += " *y"; break;
      case 3: v = maximum(v, b); text += " max(.,y)"; break;
      case 4: v = minimum(v, c); text += " min(.,c)"; break;
      case 5: v = -abs(v); text += " -abs"; break;
      case 6: v = tanh(v); text += " tanh"; break;
      case 7: v = sigmoid(v) + c; text += " sigmoid+c"; break;
      case 8: v = exp(clamp(v, -4, 4)); text += " exp(clamp)"; break;
      case 9: v = sqrt(abs(v) + 0.25); text += " sqrt(|.|+.25)"; break;
      case 10: v = where(cond < 0.0, v, b); text += " where(x<0,.,y)"; break;
      case 11: v = v / (abs(b) + 1.0); text += " /(|y|+1)"; break;
      default: v = silu(v) * c; text += " silu*c"; break;
    }
  }
  return v;
}

DType random_dtype(std::mt19937& rng) {
  static const DType kTypes[] = {DType::f32, DType::bf16, DType::f16};
  return kTypes[std::uniform_int_distribution<int>(0, 2)(rng)];
}

std::int64_t random_block(std::mt19937& rng) { return std::int64_t{1} << std::uniform_int_distribution<int>(0, 6)(rng); }

Program generate(unsigned seed) {
  std::mt19937 rng(seed);
  Program p;
  const DType xt = random_dtype(rng), yt = random_dtype(rng), ot = random_dtype(rng);
  const auto second = static_cast<Second>(std::uniform_int_distribution<int>(0, 2)(rng));
  const bool reduce = seed % 2 == 1;
  const int axis = std::uniform_int_distribution<int>(0, 1)(rng);
  const int op = std::uniform_int_distribution<int>(0, 4)(rng);
  const int length = std::uniform_int_distribution<int>(2, 6)(rng);
  p.static_shapes = std::bernoulli_distribution(0.5)(rng);
  std::string text;
  p.kernel = define("random_" + std::to_string(seed), [&](Builder& k) {
    auto x = k.input("x", xt, {"m", "n"});
    std::vector<DimArg> ydims = second == Second::kFull ? std::vector<DimArg>{x.dim(0), x.dim(1)}
                                : second == Second::kRow ? std::vector<DimArg>{x.dim(1)}
                                                         : std::vector<DimArg>{x.dim(0)};
    auto y = k.input("y", yt, ydims);
    if (!reduce) {
      auto out = k.output("out", ot, {x.dim(0), x.dim(1)});
      k.tile({x.dim(0), x.dim(1)}, [&](Tile tm, Tile tn) {
        Value xv = x(tm, tn).to(DType::f32);
        Value yv = second == Second::kFull  ? y(tm, tn).to(DType::f32)
                   : second == Second::kRow ? y(tn).to(DType::f32)[{none(), all()}]
                                            : y(tm).to(DType::f32)[{all(), none()}];
        out(tm, tn) = chain(rng, length, xv, yv, xv, text).to(ot);
      });
      return;
    }
    // Reduce along `axis`: the grid runs over the other dimension, the reduced one is whole.
    const int keep = 1 - axis;
    auto red = k.output("red", DType::f32, {x.dim(keep)});
    auto out = k.output("out", ot, {x.dim(0), x.dim(1)});
    k.tile({x.dim(keep)}, [&](Tile t) {
      Value xv = axis == 1 ? x(t, all()).to(DType::f32) : x(all(), t).to(DType::f32);
      // y along the reduced dimension is whole (all()), along the kept one it is tile t.
      const std::vector<IndexArg> row_view{none(), all()}, column_view{all(), none()};
      auto load_y = [&]() -> Value {
        if (second == Second::kFull) return (axis == 1 ? y(t, all()) : y(all(), t)).to(DType::f32);
        if ((second == Second::kRow) == (axis == 1)) return y(all()).to(DType::f32)[axis == 1 ? row_view : column_view];
        return y(t).to(DType::f32)[axis == 1 ? column_view : row_view];
      };
      Value yv = load_y();
      Value v = chain(rng, length, xv, yv, xv, text);
      Value r = op == 0 ? sum(v, axis) : op == 1 ? max(v, axis) : op == 2 ? min(v, axis) : op == 3 ? mean(v, axis) : amax(v, axis);
      red(t) = r;
      Value back = axis == 1 ? r[{all(), none()}] : r[{none(), all()}];
      Value o = (v - back) * 0.5 + xv;
      if (axis == 1) out(t, all()) = o.to(ot);
      else out(all(), t) = o.to(ot);
    });
    text += std::string(" | ") + (op == 0 ? "sum" : op == 1 ? "max" : op == 2 ? "min" : op == 3 ? "mean" : "amax") +
            " axis " + std::to_string(axis);
  });
  // Random config: block sizes; reduction chunks (required for run-time extents).
  std::vector<std::int64_t> blocks;
  for (int i = 0; i < p.kernel.num_block_sizes(); ++i) blocks.push_back(random_block(rng));
  p.config.set_block_sizes(blocks);
  if (reduce) {
    const bool looped = !p.static_shapes || std::bernoulli_distribution(0.5)(rng);
    p.config.set_reduction_loops({looped ? std::optional<std::int64_t>(8 << std::uniform_int_distribution<int>(0, 4)(rng))
                                         : std::nullopt});
  }
  p.description = "seed " + std::to_string(seed) + ": x " + std::string(dtype_name(xt)) + ", y " + std::string(dtype_name(yt)) + " (" +
                  (second == Second::kFull ? "full" : second == Second::kRow ? "row" : "column") + "), out " +
                  std::string(dtype_name(ot)) + (p.static_shapes ? ", static" : ", dynamic") + ", config " +
                  p.config.to_json().dump() + ", chain" + text;
  return p;
}

class RandomPrograms : public ::testing::TestWithParam<unsigned> {
 protected:
  void SetUp() override {
    tessera::init();
    dev_ = tessera::open_device("cpu");
  }
  runtime::Device dev_;
};

TEST_P(RandomPrograms, CpuBackendMatchesTheInterpreter) {
  Program p = generate(GetParam());
  SCOPED_TRACE(p.description);
  std::cout << p.description << "\n";
  const ir::Kernel k = p.kernel;
  Settings settings;
  settings.static_shapes = p.static_shapes;
  Kernel kernel(std::move(p.kernel), p.config, settings);
  std::mt19937 rng(GetParam() * 7919u);
  const std::vector<std::pair<std::int64_t, std::int64_t>> shapes =
      p.static_shapes ? std::vector<std::pair<std::int64_t, std::int64_t>>{{37, 83}}
                      : std::vector<std::pair<std::int64_t, std::int64_t>>{{37, 83}, {70, 5}};
  for (auto [m, n] : shapes) {
    std::map<std::string, ir::HostTensor> host;
    std::map<std::string, test::DeviceTensor> device;
    std::vector<Arg> args;
    for (const auto* list : {&k.inputs, &k.outputs}) {
      for (const ir::TensorParam& t : *list) {
        std::vector<std::int64_t> shape;
        for (const ir::Expr& d : t.dims) shape.push_back(ir::eval_size(d, {{"m", m}, {"n", n}}));
        ir::HostTensor h = ir::HostTensor::zeros(t.dtype, shape);
        if (t.role == ir::TensorRole::input) test::fill_random(h, rng);
        else h.fill_bytes(0xFF);
        auto [it, _] = device.emplace(t.name, test::to_device(dev_, h));
        args.push_back(it->second.view);
        host.emplace(t.name, std::move(h));
      }
    }
    kernel(args);
    std::map<std::string, ir::HostTensor> want = host;
    ir::InterpretArgs ia;
    for (auto& [name, t] : want) ia.tensors[name] = &t;
    ir::interpret(k, ia);
    for (const ir::TensorParam& t : k.outputs) {
      ir::HostTensor& got = host.at(t.name);
      test::to_host(dev_, device.at(t.name), got);
      // f32 arithmetic vs exact float64 through a chain of up to six operations (approximate
      // exp/tanh/sigmoid/division within a few ulp each): an absolute bound scaled by the
      // output's magnitude, plus the output dtype's relative rounding.
      double scale = 1;
      const ir::HostTensor& w = want.at(t.name);
      for (std::int64_t i = 0; i < static_cast<std::int64_t>(w.storage.size() / dtype_size(w.dtype)); ++i)
        if (std::isfinite(w.load(i))) scale = std::max(scale, std::abs(w.load(i)));
      EXPECT_EQ(test::compare(got, w, t.name + " [" + std::to_string(m) + "x" + std::to_string(n) + "]", 2e-5 * scale), 0);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomPrograms, ::testing::Values(11u, 12u, 23u, 24u, 35u, 36u, 47u, 58u));

}  // namespace
}  // namespace tessera::lang
