// SPDX-License-Identifier: Apache-2.0
// Size, Tile, Value, TensorRef, Access and Local: the handles of a definition being traced.
#include "tessera/error.h"
#include "tessera/ir/printer.h"
#include "tessera/ir/size_expr.h"
#include "tessera/ir/stmt.h"
#include "tessera/lang/builder.h"
#include "tessera/lang/ops.h"

namespace tessera::lang {

Size::Size(std::int64_t v) : expr_(ir::size_const(v)) {}

namespace {
Size size_op(ir::BinaryOp op, const Size& a, const Size& b) { return Size(ir::Binary::make(op, a.expr(), b.expr())); }
}  // namespace

Size operator+(const Size& a, const Size& b) { return size_op(ir::BinaryOp::add, a, b); }
Size operator-(const Size& a, const Size& b) { return size_op(ir::BinaryOp::sub, a, b); }
Size operator*(const Size& a, const Size& b) { return size_op(ir::BinaryOp::mul, a, b); }
Size operator/(const Size& a, const Size& b) {
  if (auto c = ir::size_constant(b.expr())) {
    TS_USER_CHECK(*c != 0) << "size division by zero";
  }
  return size_op(ir::BinaryOp::div, a, b);
}

TileOffset operator+(const Tile& t, const Size& offset) { return TileOffset{t, offset}; }

Value Tile::index() const {
  TS_USER_CHECK(builder_) << "Tile::index: not a tile of a definition";
  builder_->check_tile(id_, "index");
  return builder_->emit(ir::TileIndex::make(id_, builder_->kernel().tile_vars[id_].name));
}

Value::Value(const Size& s) : builder_(nullptr), expr_(s.expr()), scope_(-1) {}

GatherIndex gather(const Value& index) {
  TS_USER_CHECK(index.builder()) << "gather: the index must be a tile value; index with a size directly";
  index.builder()->check_usable(index, "gather");
  return GatherIndex{index.expr()};
}

Value Value::to(DType dtype) const {
  if (builder_) builder_->check_usable(*this, "to");
  if (dtype == this->dtype()) return *this;
  TS_USER_CHECK(builder_) << "to: a size cannot be cast; combine it with a tile value first";
  return builder_->emit(ir::Cast::make(dtype, expr_));
}

Value Value::operator[](std::vector<IndexArg> view) const {
  TS_USER_CHECK(builder_) << "view: sizes have no axes";
  builder_->check_usable(*this, "view");
  std::vector<int> new_axes;
  int kept = 0;
  for (std::size_t i = 0; i < view.size(); ++i) {
    if (view[i].kind() == IndexArg::Kind::none) {
      new_axes.push_back(static_cast<int>(i));
    } else {
      TS_USER_CHECK(view[i].kind() == IndexArg::Kind::all)
          << "view: index " << i << " of a value must be all() (keep the axis) or none() (new axis)";
      ++kept;
    }
  }
  TS_USER_CHECK(kept == rank()) << "view: rank mismatch: " << kept << " all() entries for a value of rank "
                                << rank() << " (" << ir::to_string(type()) << ")";
  if (new_axes.empty()) return *this;
  return builder_->emit(ir::ExpandDims::make(expr_, std::move(new_axes)));
}

// ---- TensorRef / Access ----

const ir::TensorParam& tensor_param(const TensorRef& t) { return t.builder()->param(t.index(), t.is_output()); }

Size TensorRef::dim(int i) const {
  const ir::TensorParam& p = tensor_param(*this);
  const int r = p.rank();
  TS_USER_CHECK(i >= -r && i < r) << "dim(" << i << "): tensor '" << p.name << "' has rank " << r;
  return Size(p.dims[static_cast<std::size_t>(i < 0 ? i + r : i)]);
}
int TensorRef::rank() const { return tensor_param(*this).rank(); }
DType TensorRef::dtype() const { return tensor_param(*this).dtype; }
const std::string& TensorRef::name() const { return tensor_param(*this).name; }

Access::operator Value() const {
  if (!loaded_) {
    Builder* b = tensor_.builder();
    const ir::TensorParam& p = tensor_param(tensor_);
    auto idx = b->lower_indices(p, indices_, "load");
    loaded_ = b->emit(ir::Load::make(p, std::move(idx)));
  }
  return *loaded_;
}

const Access& Access::operator=(const Value& v) const {
  tensor_.builder()->emit_store(tensor_param(tensor_), indices_, v);
  return *this;
}

// ---- Local ----

Local& Local::operator=(const Value& v) {
  builder_->emit_local_assign(id_, name_, type_, scope_, v);
  return *this;
}

Local& Local::operator+=(const Value& v) { return *this = value() + v; }

Local::operator Value() const { return builder_->read_local(id_, name_, type_, scope_); }

}  // namespace tessera::lang
