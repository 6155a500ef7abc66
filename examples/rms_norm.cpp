// SPDX-License-Identifier: Apache-2.0
#include "examples/rms_norm.h"

#include <cmath>

#include "tessera/lang/lang.h"

namespace tessera::examples {
using namespace tessera::lang;

ir::Kernel rms_norm_kernel(DType dtype) {
  return define("rms_norm", [&](Builder& k) {
    auto x = k.input("x", dtype, {"m", "n"});
    auto w = k.input("w", dtype, {x.dim(1)});
    auto eps = k.scalar_arg("eps", DType::f32);
    auto out = k.output("out", dtype, {x.dim(0), x.dim(1)});
    k.tile({x.dim(0)}, TileOptions{{"tm"}, {}}, [&](Tile tm) {
      auto v = x(tm, all()).to(DType::f32);
      auto inv = rsqrt(mean(v * v, 1) + eps);
      out(tm, all()) = (v * inv[{all(), none()}] * w(all()).to(DType::f32)).to(x.dtype());
    });
  });
}

void rms_norm_reference(const ir::HostTensor& x, const ir::HostTensor& w, double eps, ir::HostTensor& out) {
  const std::int64_t m = x.shape[0], n = x.shape[1];
  const double e = ir::round_to_dtype(eps, DType::f32);
  for (std::int64_t i = 0; i < m; ++i) {
    double ss = 0;
    for (std::int64_t j = 0; j < n; ++j) ss += x.at({i, j}) * x.at({i, j});
    const double inv = 1.0 / std::sqrt(ss / static_cast<double>(n) + e);
    for (std::int64_t j = 0; j < n; ++j) out.store(out.offset({i, j}), x.at({i, j}) * inv * w.at({j}));
  }
}

}  // namespace tessera::examples
