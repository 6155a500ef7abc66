// SPDX-License-Identifier: Apache-2.0
#include "examples/dynamic_per_token_fp8_quant.h"

#include <cmath>

#include "tessera/lang/lang.h"

namespace tessera::examples {
using namespace tessera::lang;

namespace {
constexpr double kFp8Max = 448.0;                      // e4m3fn
constexpr double kMinScale = 1.0 / (kFp8Max * 512.0);  // vLLM's min_scaling_factor
}  // namespace

ir::Kernel dynamic_per_token_fp8_quant_kernel(DType in_dtype) {
  return define("dynamic_per_token_scaled_fp8_quant", [&](Builder& k) {
    auto x = k.input("input", in_dtype, {"num_tokens", "hidden_size"});
    auto h = k.specialize(x.dim(1));
    auto result = k.output("result", DType::f8e4m3fn, {x.dim(0), h});
    auto scale = k.output("scale", DType::f32, {x.dim(0), 1});
    // vLLM: `for tile_m in hl.tile(num_tokens, block_size=1)`, two `hl.tile(hidden_size)` loops.
    k.tile({x.dim(0)}, TileOptions{{"tm"}, {1}}, [&](Tile tm) {
      auto s = k.local(zeros({tm}, DType::f32), "s");
      k.tile({h}, TileOptions{{"tn"}, {}}, [&](Tile tn) { s = maximum(s, amax(x(tm, tn).to(DType::f32), -1)); });
      auto sv = maximum(Value(s) * (1.0 / kFp8Max), kMinScale);
      scale(tm, 0) = sv;
      k.tile({h}, TileOptions{{"tn2"}, {}}, [&](Tile tn) {
        auto y = x(tm, tn).to(DType::f32) * (1.0 / sv)[{all(), none()}];
        result(tm, tn) = clamp(y, -kFp8Max, kFp8Max).to(DType::f8e4m3fn);
      });
    });
  });
}

void dynamic_per_token_fp8_quant_reference(const ir::HostTensor& x, ir::HostTensor& result, ir::HostTensor& scale) {
  const std::int64_t m = x.shape[0], n = x.shape[1];
  for (std::int64_t i = 0; i < m; ++i) {
    double s = 0;
    for (std::int64_t j = 0; j < n; ++j) s = std::max(s, std::fabs(x.at({i, j})));
    s = std::max(s * (1.0 / kFp8Max), kMinScale);
    scale.store(scale.offset({i, 0}), s);
    for (std::int64_t j = 0; j < n; ++j)
      result.store(result.offset({i, j}), std::clamp(x.at({i, j}) * (1.0 / s), -kFp8Max, kFp8Max));
  }
}

}  // namespace tessera::examples
