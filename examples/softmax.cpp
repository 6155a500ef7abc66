// SPDX-License-Identifier: Apache-2.0
#include "examples/softmax.h"

#include <cmath>

#include "tessera/lang/lang.h"

namespace tessera::examples {
using namespace tessera::lang;

ir::Kernel softmax_kernel(DType dtype) {
  return define("softmax", [&](Builder& k) {
    auto x = k.input("x", dtype, {"m", "n"});
    auto out = k.output("out", dtype, {x.dim(0), x.dim(1)});
    k.tile({x.dim(0)}, TileOptions{{"tm"}, {}}, [&](Tile tm) {
      auto v = x(tm, all()).to(DType::f32);
      auto e = exp(v - max(v, 1)[{all(), none()}]);  // subtract the row max: stable
      out(tm, all()) = (e / sum(e, 1)[{all(), none()}]).to(x.dtype());
    });
  });
}

void softmax_reference(const ir::HostTensor& x, ir::HostTensor& out) {
  const std::int64_t m = x.shape[0], n = x.shape[1];
  for (std::int64_t i = 0; i < m; ++i) {
    double mx = -HUGE_VAL, s = 0;
    for (std::int64_t j = 0; j < n; ++j) mx = std::max(mx, x.at({i, j}));
    for (std::int64_t j = 0; j < n; ++j) s += std::exp(x.at({i, j}) - mx);
    for (std::int64_t j = 0; j < n; ++j) out.store(out.offset({i, j}), std::exp(x.at({i, j}) - mx) / s);
  }
}

}  // namespace tessera::examples
