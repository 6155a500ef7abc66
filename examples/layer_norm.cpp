// SPDX-License-Identifier: Apache-2.0
#include "examples/layer_norm.h"

#include <cmath>

#include "tessera/lang/lang.h"

namespace tessera::examples {
using namespace tessera::lang;

ir::Kernel layer_norm_kernel(DType dtype) {
  return define("layer_norm", [&](Builder& k) {
    auto x = k.input("x", dtype, {"m", "n"});
    auto w = k.input("w", dtype, {x.dim(1)});
    auto b = k.input("b", dtype, {x.dim(1)});
    auto eps = k.scalar_arg("eps", DType::f32);
    auto out = k.output("out", dtype, {x.dim(0), x.dim(1)});
    k.tile({x.dim(0)}, TileOptions{{"tm"}, {}}, [&](Tile tm) {
      auto v = x(tm, all()).to(DType::f32);
      auto centered = v - mean(v, 1)[{all(), none()}];
      auto inv = rsqrt(mean(centered * centered, 1) + eps);
      auto y = centered * inv[{all(), none()}] * w(all()).to(DType::f32) + b(all()).to(DType::f32);
      out(tm, all()) = y.to(x.dtype());
    });
  });
}

void layer_norm_reference(const ir::HostTensor& x, const ir::HostTensor& w, const ir::HostTensor& b, double eps,
                          ir::HostTensor& out) {
  const std::int64_t m = x.shape[0], n = x.shape[1];
  const double e = ir::round_to_dtype(eps, DType::f32);
  for (std::int64_t i = 0; i < m; ++i) {
    double mu = 0, var = 0;
    for (std::int64_t j = 0; j < n; ++j) mu += x.at({i, j});
    mu /= static_cast<double>(n);
    for (std::int64_t j = 0; j < n; ++j) var += (x.at({i, j}) - mu) * (x.at({i, j}) - mu);
    const double inv = 1.0 / std::sqrt(var / static_cast<double>(n) + e);
    for (std::int64_t j = 0; j < n; ++j)
      out.store(out.offset({i, j}), (x.at({i, j}) - mu) * inv * w.at({j}) + b.at({j}));
  }
}

}  // namespace tessera::examples
