// SPDX-License-Identifier: Apache-2.0
// Definition-time errors of the tile language: each names the kernel and the operation.
#include <gtest/gtest.h>

#include "tessera/error.h"
#include "tessera/ir/interpreter.h"
#include "tessera/ir/printer.h"
#include "tessera/lang/lang.h"

namespace tessera::lang {
namespace {

std::string define_error(const std::function<void(Builder&)>& body) {
  try {
    define("k1", body);
  } catch (const UserError& e) {
    return e.what();
  }
  return "<no error>";
}

#define EXPECT_ERROR(body, text)                                             \
  do {                                                                       \
    const std::string msg_ = define_error(body);                             \
    EXPECT_EQ(msg_.rfind("kernel 'k1': ", 0), 0u) << msg_;                   \
    EXPECT_NE(msg_.find(text), std::string::npos) << "message: " << msg_;   \
  } while (0)

TEST(LangErrors, DtypeMismatch) {
  EXPECT_ERROR(([](Builder& k) {
                 auto x = k.input("x", DType::bf16, {"n"});
                 auto y = k.input("y", DType::f32, {"n"});
                 auto out = k.output("out", DType::f32, {x.dim(0)});
                 k.tile({x.dim(0)}, [&](Tile t) { out(t) = x(t) + y(t); });
               }),
               "add: dtype mismatch: bf16[t0] vs f32[t0]");
  EXPECT_ERROR(([](Builder& k) {
                 auto x = k.input("x", DType::f32, {"n"});
                 auto out = k.output("out", DType::bf16, {x.dim(0)});
                 k.tile({x.dim(0)}, [&](Tile t) { out(t) = x(t) * 2.0; });
               }),
               "store out: dtype mismatch");
}

TEST(LangErrors, RankMismatch) {
  EXPECT_ERROR(([](Builder& k) {
                 auto x = k.input("x", DType::f32, {"m", "n"});
                 auto out = k.output("out", DType::f32, {x.dim(0)});
                 k.tile({x.dim(0)}, [&](Tile t) { out(t) = x(t); });
               }),
               "load x: rank mismatch: tensor 'x' has 2 dimensions but is indexed with 1");
}

TEST(LangErrors, TileUsedOutsideItsLoop) {
  EXPECT_ERROR(([](Builder& k) {
                 auto x = k.input("x", DType::f32, {"m", "n"});
                 auto out = k.output("out", DType::f32, {x.dim(0), x.dim(1)});
                 k.tile({x.dim(0)}, [&](Tile tm) {
                   std::optional<Tile> leaked;
                   k.tile({x.dim(1)}, [&](Tile tn) { leaked = tn; });
                   out(tm, *leaked) = x(tm, *leaked);
                 });
               }),
               "tile t1 is used outside its loop");
  EXPECT_ERROR(([](Builder& k) {
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
               "used after that loop ended");
}

TEST(LangErrors, ReductionOverMissingAxis) {
  EXPECT_ERROR(([](Builder& k) {
                 auto x = k.input("x", DType::f32, {"m", "n"});
                 auto out = k.output("out", DType::f32, {x.dim(0)});
                 k.tile({x.dim(0)}, [&](Tile tm) { out(tm) = sum(x(tm, all()), 2); });
               }),
               "sum(axis=2): reduction over a non-existent axis");
}

TEST(LangErrors, StoreThatDoesNotCoverItsOutput) {
  EXPECT_ERROR(([](Builder& k) {
                 auto x = k.input("x", DType::f32, {"m", "n"});
                 auto out = k.output("out", DType::f32, {x.dim(0), x.dim(1)});
                 k.tile({x.dim(0), x.dim(1) / 2}, [&](Tile tm, Tile tn) { out(tm, tn) = x(tm, tn); });
               }),
               "the stores to output 'out' do not cover it: dimension 1 has extent n");
}

TEST(Lang, TwoStoresCanCoverTwoHalves) {
  ir::Kernel k = define("halves", [](Builder& k) {
    auto x = k.input("x", DType::f32, {"m", "two_d"});
    auto d = k.specialize(x.dim(1)) / 2;
    auto out = k.output("out", DType::f32, {x.dim(0), d * 2});  // two_d may be odd: not x.dim(1)
    k.tile({x.dim(0), d}, [&](Tile tm, Tile tn) {
      out(tm, tn) = x(tm, tn + d);
      out(tm, tn + d) = x(tm, tn);
    });
  });
  EXPECT_TRUE(k.size_vars[1].specialized);
  EXPECT_EQ(k.num_block_sizes(), 2);
}

TEST(LangErrors, HalvesDoNotCoverAnOddDimension) {
  EXPECT_ERROR(([](Builder& k) {
                 auto x = k.input("x", DType::f32, {"m", "two_d"});
                 auto d = x.dim(1) / 2;
                 auto out = k.output("out", DType::f32, {x.dim(0), x.dim(1)});
                 k.tile({x.dim(0), d}, [&](Tile tm, Tile tn) {
                   out(tm, tn) = x(tm, tn);
                   out(tm, tn + d) = x(tm, tn + d);
                 });
               }),
               "do not cover it: dimension 1 has extent two_d");
}

TEST(LangErrors, OneGridAndLiteralRules) {
  EXPECT_ERROR(([](Builder& k) {
                 auto x = k.input("x", DType::f32, {"n"});
                 auto out = k.output("out", DType::f32, {x.dim(0)});
                 k.tile({x.dim(0)}, [&](Tile t) { out(t) = x(t); });
                 k.tile({x.dim(0)}, [&](Tile t) { out(t) = x(t); });
               }),
               "a kernel has one grid loop");
  EXPECT_ERROR(([](Builder& k) {
                 auto x = k.input("x", DType::i32, {"n"});
                 auto out = k.output("out", DType::i32, {x.dim(0)});
                 k.tile({x.dim(0)}, [&](Tile t) { out(t) = x(t) + 0.5; });
               }),
               "add: the literal 0.5 is not an integer");
  EXPECT_ERROR(([](Builder& k) {
                 auto x = k.input("x", DType::f32, {"n"});
                 auto out = k.output("out", DType::f32, {"q"});
                 k.tile({x.dim(0)}, [&](Tile t) { out(t) = x(t); });
               }),
               "introduces the new symbol 'q'");
}

/// out[i, :] = table[idx[i], :] (a row gather, Helion's `table[idx[tile_m], :]`).
ir::Kernel gather_rows_kernel() {
  return define("gather_rows", [](Builder& k) {
    auto idx = k.input("idx", DType::i64, {"m"});
    auto table = k.input("table", DType::f32, {"rows", "n"});
    auto out = k.output("out", DType::f32, {idx.dim(0), table.dim(1)});
    k.tile({idx.dim(0)}, TileOptions{{"tm"}, {}}, [&](Tile tm) { out(tm, all()) = table(gather(idx(tm)), all()) * 2.0; });
  });
}

TEST(LangGather, RowsByLoadedIndicesIncludingARaggedTile) {
  const ir::Kernel k = gather_rows_kernel();
  EXPECT_NE(ir::to_string(k).find("table[gather(%"), std::string::npos) << ir::to_string(k);
  ir::HostTensor idx = ir::HostTensor::zeros(DType::i64, {5});
  ir::HostTensor table = ir::HostTensor::zeros(DType::f32, {7, 3});
  ir::HostTensor out = ir::HostTensor::zeros(DType::f32, {5, 3});
  const std::int64_t rows[5] = {6, 0, 3, 3, 1};
  for (std::int64_t i = 0; i < 5; ++i) idx.store(i, static_cast<double>(rows[i]));
  for (std::int64_t i = 0; i < 21; ++i) table.store(i, static_cast<double>(i));
  ir::interpret(k, {{{"idx", &idx}, {"table", &table}, {"out", &out}}, {}}, {{4}});  // tiles of 4: ragged
  for (std::int64_t i = 0; i < 5; ++i)
    for (std::int64_t j = 0; j < 3; ++j) EXPECT_EQ(out.at({i, j}), 2.0 * static_cast<double>(rows[i] * 3 + j));
  idx.store(2, 7);  // one past the last row
  try {
    ir::interpret(k, {{{"idx", &idx}, {"table", &table}, {"out", &out}}, {}}, {{4}});
    ADD_FAILURE() << "an out-of-bounds gather index was not reported";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("index 7 is out of bounds of dimension 0"), std::string::npos) << e.what();
  }
}

TEST(LangErrors, GatherIndexRules) {
  EXPECT_ERROR(([](Builder& k) {
                 auto idx = k.input("idx", DType::f32, {"m"});
                 auto table = k.input("table", DType::f32, {"rows"});
                 auto out = k.output("out", DType::f32, {idx.dim(0)});
                 k.tile({idx.dim(0)}, [&](Tile t) { out(t) = table(gather(idx(t))); });
               }),
               "a gather index must be an i64 or i32 tile value with one tile or all() axis, got f32[t0]");
  EXPECT_ERROR(([](Builder& k) {
                 auto idx = k.input("idx", DType::i64, {"m"});
                 auto out = k.output("out", DType::f32, {idx.dim(0)});
                 k.tile({idx.dim(0)}, [&](Tile t) { out(gather(idx(t))) = idx(t).to(DType::f32); });
               }),
               "store out: a gather index (an index given by a tile value) is for loads only");
  EXPECT_ERROR(([](Builder& k) {
                 auto idx = k.input("idx", DType::i64, {"m"});
                 auto table = k.input("table", DType::f32, {"rows"});
                 auto out = k.output("out", DType::f32, {idx.dim(0)});
                 k.tile({idx.dim(0)}, [&](Tile t) { out(t) = table(gather(idx(t)), all()); });
               }),
               "rank mismatch");
}

}  // namespace
}  // namespace tessera::lang
