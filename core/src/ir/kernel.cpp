// SPDX-License-Identifier: Apache-2.0
#include "tessera/ir/kernel.h"

#include "tessera/ir/stmt.h"

namespace tessera::ir {

const TensorParam* Kernel::find_tensor(const std::string& n) const {
  for (const auto& t : inputs)
    if (t.name == n) return &t;
  for (const auto& t : outputs)
    if (t.name == n) return &t;
  return nullptr;
}

const ScalarParam* Kernel::find_scalar(const std::string& n) const {
  for (const auto& s : scalars)
    if (s.name == n) return &s;
  return nullptr;
}

const SizeVarInfo* Kernel::find_size_var(const std::string& n) const {
  for (const auto& s : size_vars)
    if (s.name == n) return &s;
  return nullptr;
}

namespace {
void collect_loops(const Stmt& s, std::vector<const TileLoop*>& out) {
  if (!s.defined()) return;
  if (const auto* b = s.as<Block>()) {
    for (const Stmt& c : b->stmts) collect_loops(c, out);
  } else if (const auto* l = s.as<TileLoop>()) {
    out.push_back(l);
    collect_loops(l->body, out);
  }
}
}  // namespace

std::vector<const TileLoop*> Kernel::loops() const {
  std::vector<const TileLoop*> out;
  collect_loops(body, out);
  return out;
}

int Kernel::num_block_sizes() const {
  int n = 0;
  for (const TileVar& t : tile_vars)
    if (!t.fixed_block_size) ++n;
  return n;
}

}  // namespace tessera::ir
