// SPDX-License-Identifier: Apache-2.0
// The tracing builder: turns a definition lambda into a verified ir::Kernel.
#include "tessera/lang/builder.h"

#include "tessera/error.h"
#include "tessera/ir/printer.h"
#include "tessera/ir/size_expr.h"
#include "tessera/ir/stmt.h"
#include "tessera/ir/verifier.h"
#include "tessera/ir/visitor.h"

namespace tessera::lang {

Builder::Builder(std::string name) {
  TS_USER_CHECK(!name.empty()) << "define: a kernel needs a name";
  k_.name = std::move(name);
  blocks_.emplace_back();
  block_ids_.push_back(next_scope_++);
}

TensorRef Builder::declare(const std::string& name, DType dtype, const std::vector<DimArg>& dims, bool is_output) {
  const char* what = is_output ? "output" : "input";
  TS_USER_CHECK(!name.empty()) << what << ": empty tensor name";
  TS_USER_CHECK(!k_.find_tensor(name) && !k_.find_scalar(name)) << what << " '" << name << "': the name is already used";
  TS_USER_CHECK(blocks_.size() == 1) << what << " '" << name << "': tensors must be declared before k.tile";
  ir::TensorParam p{name, dtype, {}, is_output ? ir::TensorRole::output : ir::TensorRole::input};
  for (std::size_t d = 0; d < dims.size(); ++d) {
    const DimArg& a = dims[d];
    if (a.symbol()) {
      const std::string& s = *a.symbol();
      TS_USER_CHECK(!s.empty()) << what << " '" << name << "': dimension " << d << " has an empty symbol name";
      if (!k_.find_size_var(s)) {
        TS_USER_CHECK(!is_output) << "output '" << name << "': dimension " << d << " introduces the new symbol '"
                                  << s << "'; output sizes must come from the inputs (use x.dim(i))";
        k_.size_vars.push_back({s, false});
      }
      p.dims.push_back(ir::SizeVar::make(s));
    } else {
      const ir::Expr& e = a.size()->expr();
      TS_USER_CHECK(ir::is_size_expr(e)) << what << " '" << name << "': dimension " << d << " is not a size";
      if (auto c = ir::size_constant(e)) {
        TS_USER_CHECK(*c >= 0) << what << " '" << name << "': dimension " << d << " is negative (" << *c << ")";
      }
      p.dims.push_back(e);
    }
  }
  auto& list = is_output ? k_.outputs : k_.inputs;
  list.push_back(std::move(p));
  return TensorRef(this, static_cast<int>(list.size()) - 1, is_output);
}

TensorRef Builder::input(const std::string& name, DType dtype, std::vector<DimArg> dims) {
  return declare(name, dtype, dims, false);
}
TensorRef Builder::output(const std::string& name, DType dtype, std::vector<DimArg> dims) {
  return declare(name, dtype, dims, true);
}

Value Builder::scalar_arg(const std::string& name, DType dtype) {
  TS_USER_CHECK(!k_.find_tensor(name) && !k_.find_scalar(name)) << "scalar_arg '" << name << "': the name is already used";
  TS_USER_CHECK(ir::is_arithmetic(dtype)) << "scalar_arg '" << name << "': dtype " << dtype_name(dtype)
                                          << " is not arithmetic";
  k_.scalars.push_back({name, dtype});
  return leaf(ir::ScalarArg::make(name, dtype));
}

Size Builder::specialize(const Size& s) {
  bool any = false;
  ir::visit_with(s.expr(), [&](const ir::Expr& e) {
    if (const auto* v = e.as<ir::SizeVar>()) {
      for (auto& info : k_.size_vars)
        if (info.name == v->name) info.specialized = any = true;
    }
  });
  TS_USER_CHECK(any || ir::size_constant(s.expr())) << "specialize: the argument has no size symbol to specialize";
  return s;
}

void Builder::math_mode(ir::MathMode mode) { k_.math_mode = mode; }

std::vector<Tile> Builder::begin_tile(const std::vector<Size>& dims, const TileOptions& opts) {
  const bool is_grid = loop_tiles_.empty();
  TS_USER_CHECK(!dims.empty()) << "k.tile: at least one dimension is needed";
  TS_USER_CHECK(!is_grid || k_.tile_vars.empty())
      << "k.tile: a kernel has one grid loop; put further loops inside it (device loops)";
  TS_USER_CHECK(opts.names.empty() || opts.names.size() == dims.size())
      << "k.tile: " << opts.names.size() << " names for " << dims.size() << " dimensions";
  TS_USER_CHECK(opts.block_sizes.empty() || opts.block_sizes.size() == dims.size())
      << "k.tile: " << opts.block_sizes.size() << " block sizes for " << dims.size() << " dimensions";
  const int loop_index = loops_begun_++;  // pre-order: the order of k.tile calls
  std::vector<Tile> tiles;
  std::vector<int> ids;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    TS_USER_CHECK(ir::is_size_expr(dims[i].expr())) << "k.tile: dimension " << i << " is not a size";
    ir::TileVar t;
    t.id = static_cast<int>(k_.tile_vars.size());
    t.name = opts.names.empty() ? cat("t", t.id) : opts.names[i];
    t.extent = dims[i].expr();
    t.is_grid = is_grid;
    t.loop = loop_index;
    if (!opts.block_sizes.empty() && opts.block_sizes[i] != 0) {
      TS_USER_CHECK(opts.block_sizes[i] > 0) << "k.tile: block size of " << t.name << " must be positive";
      t.fixed_block_size = opts.block_sizes[i];
    } else {
      t.block_size_slot = k_.num_block_sizes();
    }
    ids.push_back(t.id);
    tiles.emplace_back(this, t.id);
    k_.tile_vars.push_back(std::move(t));
  }
  loop_tiles_.push_back(ids);
  blocks_.emplace_back();
  block_ids_.push_back(next_scope_++);
  return tiles;
}

void Builder::end_tile() {
  std::vector<ir::Stmt> body = std::move(blocks_.back());
  blocks_.pop_back();
  block_ids_.pop_back();
  std::vector<int> ids = std::move(loop_tiles_.back());
  loop_tiles_.pop_back();
  blocks_.back().push_back(ir::TileLoop::make(std::move(ids), loop_tiles_.empty(), ir::Block::make(std::move(body))));
}

void Builder::arity_check(const std::vector<Tile>& t, std::size_t n) const {
  TS_USER_CHECK(t.size() == n) << "k.tile: " << t.size() << " dimensions but the body takes " << n << " Tile arguments";
}

Local Builder::local(const Value& init, const std::string& name) {
  check_usable(init, "local");
  TS_USER_CHECK(!loop_tiles_.empty()) << "local: declare locals inside the grid loop (k.tile)";
  const int id = k_.num_locals++;
  std::string n = name.empty() ? cat("l", id) : name;
  blocks_.back().push_back(ir::LocalDecl::make(id, n, init.expr()));
  return Local(this, id, n, init.type(), block_ids_.back());
}

Value Builder::emit(const ir::Expr& e) {
  for (const ir::Axis& a : e.type().axes)
    if (a.kind == ir::AxisKind::tile) check_tile(a.id, "operation");
  TS_USER_CHECK(!loop_tiles_.empty()) << "operations on tiles must be inside k.tile";
  const int id = k_.num_lets++;
  auto let = ir::Let::make(id, "", e);
  blocks_.back().push_back(let);
  return Value(this, let.as<ir::Let>()->var(), block_ids_.back());
}

Value Builder::leaf(const ir::Expr& e) { return Value(this, e, block_ids_.front()); }

bool Builder::scope_open(int scope) const {
  for (int id : block_ids_)
    if (id == scope) return true;
  return false;
}

void Builder::check_usable(const Value& v, const char* op) const {
  TS_USER_CHECK(v.builder() == this) << op << ": the value belongs to another kernel definition";
  TS_USER_CHECK(scope_open(v.scope()))
      << op << ": a value computed inside a tile loop is used after that loop ended; carry it across "
               "iterations with k.local(...)";
}

void Builder::check_tile(int tile_id, const char* op) const {
  bool open = false;
  for (const auto& l : loop_tiles_)
    for (int id : l) open |= id == tile_id;
  TS_USER_CHECK(open) << op << ": tile " << (tile_id >= 0 && tile_id < static_cast<int>(k_.tile_vars.size()) ? k_.tile_vars[tile_id].name : "?")
                      << " is used outside its loop (a Tile is valid only inside its k.tile lambda)";
}

int Builder::rdim_for(const ir::Expr& extent) {
  const std::string key = ir::canonical_size(extent);
  auto it = rdim_by_extent_.find(key);
  if (it != rdim_by_extent_.end()) return it->second;
  const int id = static_cast<int>(k_.rdims.size());
  k_.rdims.push_back({id, cat("R", id), extent});
  rdim_by_extent_[key] = id;
  return id;
}

const ir::TensorParam& Builder::param(int index, bool is_output) const {
  return (is_output ? k_.outputs : k_.inputs).at(static_cast<std::size_t>(index));
}

std::vector<ir::Index> Builder::lower_indices(const ir::TensorParam& t, const std::vector<IndexArg>& idx, const char* op) {
  std::vector<ir::Index> out;
  int dim = 0;
  for (const IndexArg& a : idx) {
    switch (a.kind()) {
      case IndexArg::Kind::tile: {
        check_tile(a.tile().id(), op);
        TS_USER_CHECK(a.tile().builder() == this) << op << ": the tile belongs to another kernel definition";
        const ir::Expr& off = a.size().expr();
        const bool zero = ir::size_constant(off) == 0;
        out.push_back(ir::Index::tile(a.tile().id(), k_.tile_vars[a.tile().id()].name, zero ? ir::Expr() : off));
        ++dim;
        break;
      }
      case IndexArg::Kind::all:
        TS_USER_CHECK(dim < t.rank()) << op << " " << t.name << ": rank mismatch: more indices than the "
                                      << t.rank() << " dimensions of '" << t.name << "'";
        {
          const int r = rdim_for(t.dims[dim]);
          out.push_back(ir::Index::full(r, k_.rdims[r].name));
        }
        ++dim;
        break;
      case IndexArg::Kind::none: out.push_back(ir::Index::new_axis()); break;
      case IndexArg::Kind::gather:
        TS_USER_CHECK(dim < t.rank()) << op << " " << t.name << ": rank mismatch: more indices than the "
                                      << t.rank() << " dimensions of '" << t.name << "'";
        out.push_back(ir::Index::gather(a.size().expr()));
        ++dim;
        break;
      case IndexArg::Kind::scalar:
        TS_USER_CHECK(ir::is_size_expr(a.size().expr())) << op << ": a scalar index must be a size";
        out.push_back(ir::Index::scalar(a.size().expr()));
        ++dim;
        break;
    }
  }
  return out;
}

void Builder::emit_store(const ir::TensorParam& t, const std::vector<IndexArg>& idx, const Value& v) {
  check_usable(v, "store");
  TS_USER_CHECK(!loop_tiles_.empty()) << "store " << t.name << ": stores must be inside k.tile";
  auto indices = lower_indices(t, idx, "store");
  blocks_.back().push_back(ir::Store::make(t, std::move(indices), v.expr()));
}

void Builder::emit_local_assign(int id, const std::string& name, const ir::Type& type, int scope, const Value& v) {
  check_usable(v, "local assignment");
  TS_USER_CHECK(scope_open(scope)) << "assignment to local " << name << ": the local is used after its loop ended";
  blocks_.back().push_back(ir::LocalAssign::make(id, name, type, v.expr()));
}

Value Builder::read_local(int id, const std::string& name, const ir::Type& type, int scope) {
  TS_USER_CHECK(scope_open(scope)) << "read of local " << name << ": the local is used after its loop ended";
  return emit(ir::LocalRead::make(id, name, type));
}

ir::Axis Builder::axis_for(const IndexArg& a, const char* op) {
  if (a.kind() == IndexArg::Kind::tile) {
    check_tile(a.tile().id(), op);
    TS_USER_CHECK(ir::size_constant(a.size().expr()) == 0) << op << ": a shape entry cannot have an offset";
    return ir::Axis::tile(a.tile().id(), k_.tile_vars[a.tile().id()].name);
  }
  if (a.kind() == IndexArg::Kind::none) return ir::Axis::broadcast();
  TS_USER_CHECK(a.kind() == IndexArg::Kind::scalar) << op << ": a shape entry is a Tile, a Size or none()";
  const int r = rdim_for(a.size().expr());
  return ir::Axis::full(r, k_.rdims[r].name);
}

ir::Kernel Builder::finish() {
  TS_USER_CHECK(!k_.tile_vars.empty()) << "the definition has no k.tile loop";
  k_.body = ir::Block::make(std::move(blocks_.front()));
  ir::verify(k_);
  return k_;
}

ir::Kernel define(const std::string& name, const std::function<void(Builder&)>& body) {
  Builder b(name);
  try {
    body(b);
    return b.finish();
  } catch (const UserError& e) {
    const std::string msg = e.what();
    if (msg.rfind("kernel '", 0) == 0) throw;
    throw UserError(cat("kernel '", name, "': ", msg));
  }
}

}  // namespace tessera::lang
