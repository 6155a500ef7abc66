// SPDX-License-Identifier: Apache-2.0
#include "examples/matmul.h"

#include "tessera/lang/lang.h"

namespace tessera::examples {
using namespace tessera::lang;

ir::Kernel matmul_kernel(DType in_dtype) {
  return define("matmul", [&](Builder& k) {
    auto a = k.input("a", in_dtype, {"m", "k"});
    auto b = k.input("b", in_dtype, {"k", "n"});
    auto out = k.output("out", DType::bf16, {a.dim(0), b.dim(1)});
    k.tile({a.dim(0), b.dim(1)}, TileOptions{{"tm", "tn"}, {}}, [&](Tile tm, Tile tn) {
      auto acc = k.local(zeros({tm, tn}, DType::f32), "acc");
      k.tile({a.dim(1)}, TileOptions{{"tk"}, {}}, [&](Tile tk) {
        // Loads named in order (C++ leaves the order of a call's arguments open): the config's
        // per-access lists (indexing, load_eviction_policies) then mean a, b, out everywhere.
        Value a_tile = a(tm, tk);
        Value b_tile = b(tk, tn);
        acc = dot(a_tile, b_tile, acc);
      });
      out(tm, tn) = acc.to(DType::bf16);
    });
  });
}

void matmul_reference(const ir::HostTensor& a, const ir::HostTensor& b, ir::HostTensor& out) {
  const std::int64_t m = a.shape[0], kd = a.shape[1], n = b.shape[1];
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::int64_t p = 0; p < kd; ++p) s += a.at({i, p}) * b.at({p, j});
      out.store(out.offset({i, j}), s);
    }
}

}  // namespace tessera::examples
