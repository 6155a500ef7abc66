// SPDX-License-Identifier: Apache-2.0
// Must-fail tile-language programs ([Halide] test/error): each program below is wrong in one
// way and must be rejected, at definition time or when its config is applied, with a UserError
// that names the kernel, the operation or field, what is wrong and how to fix it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

#include "examples/examples.h"
#include "tessera/error.h"
#include "tessera/ir/config_space.h"
#include "tessera/lang/lang.h"
#include "tessera/lower/program.h"

namespace tessera::lang {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

/// The message of the UserError that defining `name` with `body` throws.
std::string define_error(const std::string& name, const std::function<void(Builder&)>& body) {
  try {
    define(name, body);
  } catch (const UserError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected a UserError, got: " << e.what();
    return {};
  }
  ADD_FAILURE() << "kernel '" << name << "' was accepted but must fail";
  return {};
}

TEST(LangErrorPrograms, DtypeMismatchInAnOperation) {
  // rms_norm written without the f32 cast of the weight: bf16 row times f32 weights.
  EXPECT_THAT(define_error("rms_norm_no_cast",
                           [](Builder& k) {
                             auto x = k.input("x", DType::f32, {"m", "n"});
                             auto w = k.input("w", DType::bf16, {x.dim(1)});
                             auto out = k.output("out", DType::f32, {x.dim(0), x.dim(1)});
                             k.tile({x.dim(0)}, [&](Tile tm) { out(tm, all()) = x(tm, all()) * w(all()); });
                           }),
              AllOf(StartsWith("kernel 'rms_norm_no_cast': "), HasSubstr("mul: dtype mismatch: f32[t0, R0] vs bf16[R0]"),
                    HasSubstr(".to(dtype)")));
}

TEST(LangErrorPrograms, DtypeMismatchInAStore) {
  // Storing an f32 result into a bf16 output needs an explicit cast (no implicit conversion).
  EXPECT_THAT(define_error("store_no_cast",
                           [](Builder& k) {
                             auto x = k.input("x", DType::bf16, {"n"});
                             auto out = k.output("out", DType::bf16, {x.dim(0)});
                             k.tile({x.dim(0)}, [&](Tile t) { out(t) = x(t).to(DType::f32) * 2.0; });
                           }),
              AllOf(StartsWith("kernel 'store_no_cast': "), HasSubstr("store out: dtype mismatch")));
}

TEST(LangErrorPrograms, RankMismatch) {
  // A 2-d tensor indexed with one tile.
  EXPECT_THAT(define_error("rank",
                           [](Builder& k) {
                             auto x = k.input("x", DType::f32, {"m", "n"});
                             auto out = k.output("out", DType::f32, {x.dim(0)});
                             k.tile({x.dim(0)}, [&](Tile t) { out(t) = x(t); });
                           }),
              AllOf(StartsWith("kernel 'rank': "),
                    HasSubstr("load x: rank mismatch: tensor 'x' has 2 dimensions but is indexed with 1")));
}

TEST(LangErrorPrograms, TileUsedOutsideItsLoop) {
  // The inner loop's tile escapes and indexes a store after the loop ended.
  EXPECT_THAT(define_error("leak",
                           [](Builder& k) {
                             auto x = k.input("x", DType::f32, {"m", "n"});
                             auto out = k.output("out", DType::f32, {x.dim(0), x.dim(1)});
                             k.tile({x.dim(0)}, [&](Tile tm) {
                               std::optional<Tile> leaked;
                               k.tile({x.dim(1)}, [&](Tile tn) { leaked = tn; });
                               out(tm, *leaked) = x(tm, *leaked);
                             });
                           }),
              AllOf(StartsWith("kernel 'leak': "), HasSubstr("tile t1 is used outside its loop")));
}

TEST(LangErrorPrograms, ValueUsedAfterItsLoopEnded) {
  EXPECT_THAT(define_error("late",
                           [](Builder& k) {
                             auto x = k.input("x", DType::f32, {"m", "n"});
                             auto out = k.output("out", DType::f32, {x.dim(0), x.dim(1)});
                             k.tile({x.dim(0)}, [&](Tile tm) {
                               std::optional<Value> inner;
                               k.tile({x.dim(1)}, [&](Tile tn) {
                                 inner = Value(x(tm, tn));
                                 out(tm, tn) = *inner;
                               });
                               out(tm, all()) = *inner;
                             });
                           }),
              AllOf(StartsWith("kernel 'late': "), HasSubstr("used after that loop ended")));
}

TEST(LangErrorPrograms, ReductionOverAMissingAxis) {
  // A row sum over axis 2 of a 2-d tile.
  EXPECT_THAT(define_error("row_sum",
                           [](Builder& k) {
                             auto x = k.input("x", DType::f32, {"m", "n"});
                             auto out = k.output("out", DType::f32, {x.dim(0)});
                             k.tile({x.dim(0)}, [&](Tile tm) { out(tm) = sum(x(tm, all()), 2); });
                           }),
              AllOf(StartsWith("kernel 'row_sum': "), HasSubstr("sum(axis=2): reduction over a non-existent axis")));
}

TEST(LangErrorPrograms, StoreThatDoesNotCoverItsOutput) {
  // silu_mul_fp8's grid over the first half only, storing to an output as wide as the input.
  EXPECT_THAT(define_error("half_store",
                           [](Builder& k) {
                             auto x = k.input("x", DType::f32, {"m", "n"});
                             auto out = k.output("out", DType::f32, {x.dim(0), x.dim(1)});
                             k.tile({x.dim(0), x.dim(1) / 2}, [&](Tile tm, Tile tn) { out(tm, tn) = x(tm, tn); });
                           }),
              AllOf(StartsWith("kernel 'half_store': "),
                    HasSubstr("the stores to output 'out' do not cover it: dimension 1 has extent n")));
}

// ---- configs that do not fit their kernel --------------------------------------------------

ir::Kernel example(const std::string& name) {
  for (const auto& e : examples::example_kernels())
    if (e.name == name) return e.make();
  ADD_FAILURE() << "no example " << name;
  return {};
}

template <typename F>
std::string user_error(F&& fn) {
  try {
    fn();
  } catch (const UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "the config was accepted but must fail";
  return {};
}

Config config(const std::string& text) { return Config::from_json(json::parse(text, "test"), "test"); }

lower::Program lower_on_cpu(const ir::Kernel& k, const Config& c) {
  lower::Specialization spec;
  for (const auto& sv : k.size_vars) spec.sizes[sv.name] = 1000;
  return lower::lower(std::make_shared<const ir::Kernel>(k), c, spec, "host", 1);
}

TEST(LangErrorPrograms, AnotherKernelsConfig) {
  // vLLM's rms_norm_per_block_quant config (two block sizes, a loop order, four range slots)
  // given to rms_norm (one block size, a 1-d grid, one range slot).
  const Config c = config(R"({"block_sizes": [2048, 16], "loop_orders": [[1, 0]], "range_unroll_factors": [0, 2, 0, 0],
      "load_eviction_policies": ["last", "", "", "last", "last", "last"], "num_warps": 16, "num_stages": 8,
      "pid_type": "flat"})");
  EXPECT_THAT(user_error([&] { lower_on_cpu(example("rms_norm"), c); }),
              AllOf(StartsWith("kernel 'rms_norm': config field \"block_sizes\" has 2 entries but this kernel has 1 tile "
                               "dimensions without a fixed block size (tm)"),
                    HasSubstr("give one power of two per dimension")));
  Config one_block = c;
  one_block.set_block_sizes({64});
  EXPECT_THAT(user_error([&] { lower_on_cpu(example("rms_norm"), one_block); }),
              HasSubstr("kernel 'rms_norm': config field \"loop_orders\" has 1 entries but this kernel has 0 tile loops "
                        "of two or more dimensions"));
}

TEST(LangErrorPrograms, BlockSizeNotAPowerOfTwoInAConfigFile) {
  const ir::ConfigSpace s = ir::ConfigSpace::of(example("silu_mul_fp8"));
  EXPECT_THAT(user_error([&] {
                s.normalize(json::parse(R"({"block_sizes": [64, 96]})", "t"), "configs/silu_mul_fp8/cpu.json: entry 0");
              }),
              AllOf(StartsWith("kernel 'silu_mul_fp8': configs/silu_mul_fp8/cpu.json: entry 0: config field "
                               "\"block_sizes\""),
                    HasSubstr("element [1] must be a power of two >= 1, got an integer 96")));
}

TEST(LangErrorPrograms, XyzOnAFourDimensionalGrid) {
  ir::Kernel k = define("grid4", [](Builder& k) {
    auto x = k.input("x", DType::f32, {"a", "b", "c", "d"});
    auto out = k.output("out", DType::f32, {x.dim(0), x.dim(1), x.dim(2), x.dim(3)});
    k.tile({x.dim(0), x.dim(1), x.dim(2), x.dim(3)},
           [&](Tile a, Tile b, Tile c, Tile d) { out(a, b, c, d) = x(a, b, c, d); });
  });
  EXPECT_THAT(user_error([&] { lower_on_cpu(k, config(R"({"pid_type": "xyz"})")); }),
              AllOf(HasSubstr("kernel 'grid4': config field \"pid_type\" \"xyz\" needs a grid of at most 3 dimensions, "
                              "this one has 4"),
                    HasSubstr("use \"flat\" or a persistent pid_type")));
}

TEST(LangErrorPrograms, PersistentKnobsOnAFlatGrid) {
  EXPECT_THAT(user_error([&] {
                lower_on_cpu(example("add"), config(R"({"pid_type": "flat", "num_sm_multiplier": 8})"));
              }),
              AllOf(StartsWith("kernel 'add': config field \"num_sm_multiplier\" = 8 applies to persistent kernels only"),
                    HasSubstr("use pid_type \"persistent_blocked\" or \"persistent_interleaved\"")));
}

}  // namespace
}  // namespace tessera::lang
