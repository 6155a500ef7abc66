// SPDX-License-Identifier: Apache-2.0
#include "examples/silu_mul_fp8.h"

#include <cmath>

#include "tessera/lang/lang.h"

namespace tessera::examples {
using namespace tessera::lang;

ir::Kernel silu_mul_fp8_kernel(DType in_dtype) {
  return define("silu_mul_fp8", [&](Builder& k) {
    auto x = k.input("input", in_dtype, {"m", "two_d"});
    auto scale = k.input("scale", DType::f32, {1});
    auto d = k.specialize(x.dim(1)) / 2;  // compile-time constant
    auto out = k.output("out", DType::f8e4m3fn, {x.dim(0), d});
    k.tile({x.dim(0), d}, TileOptions{{"tm", "tn"}, {}}, [&](Tile tm, Tile tn) {
      Value a = x(tm, tn);
      Value b = x(tm, tn + d);
      auto prod = (silu(a) * b).to(DType::f32);  // on input-dtype tiles, as vLLM
      out(tm, tn) = (prod * (1.0 / scale.scalar(0))).to(DType::f8e4m3fn);
    });
  });
}

void silu_mul_fp8_reference(const ir::HostTensor& x, const ir::HostTensor& scale, ir::HostTensor& out) {
  const std::int64_t d = x.shape[1] / 2;
  const double inv = 1.0 / scale.at({0});
  for (std::int64_t i = 0; i < x.shape[0]; ++i)
    for (std::int64_t j = 0; j < d; ++j) {
      const double a = x.at({i, j}), b = x.at({i, j + d});
      const double silu = ir::round_to_dtype(a / (1.0 + std::exp(-a)), x.dtype);
      const double prod = ir::round_to_dtype(silu * b, x.dtype);
      out.store(out.offset({i, j}), prod * inv);
    }
}

}  // namespace tessera::examples
