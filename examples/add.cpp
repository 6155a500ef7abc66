// SPDX-License-Identifier: Apache-2.0
#include "examples/add.h"

#include "tessera/lang/lang.h"

namespace tessera::examples {
using namespace tessera::lang;

ir::Kernel add_kernel(DType dtype) {
  return define("add", [&](Builder& k) {
    auto x = k.input("x", dtype, {"m", "n"});
    auto y = k.input("y", dtype, {"m", "n"});
    auto out = k.output("out", dtype, {x.dim(0), x.dim(1)});
    k.tile({x.dim(0), x.dim(1)}, TileOptions{{"tm", "tn"}, {}}, [&](Tile tm, Tile tn) {
      out(tm, tn) = x(tm, tn) + y(tm, tn);
    });
  });
}

void add_reference(const ir::HostTensor& x, const ir::HostTensor& y, ir::HostTensor& out) {
  for (std::int64_t i = 0; i < x.shape[0]; ++i)
    for (std::int64_t j = 0; j < x.shape[1]; ++j) out.store(out.offset({i, j}), x.at({i, j}) + y.at({i, j}));
}

}  // namespace tessera::examples
