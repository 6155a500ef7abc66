// SPDX-License-Identifier: Apache-2.0
// make() of every statement node.
#include "tessera/ir/stmt.h"

#include "tessera/error.h"
#include "tessera/ir/kernel.h"

namespace tessera::ir {
namespace {
template <typename T, typename... Args>
Stmt make_node(Args&&... args) {
  return Stmt(std::make_shared<const T>(std::forward<Args>(args)...));
}
}  // namespace

Stmt Block::make(std::vector<Stmt> stmts) {
  for (const Stmt& s : stmts) TS_INTERNAL_CHECK(s.defined()) << "Block with an undefined statement";
  return make_node<Block>(std::move(stmts));
}

Stmt TileLoop::make(std::vector<int> tile_vars, bool is_grid, Stmt body) {
  TS_USER_CHECK(!tile_vars.empty()) << "tile loop: at least one dimension is needed";
  TS_INTERNAL_CHECK(body.defined()) << "TileLoop without a body";
  return make_node<TileLoop>(std::move(tile_vars), is_grid, std::move(body));
}

Stmt Let::make(int id, std::string name, Expr value) {
  TS_INTERNAL_CHECK(id >= 0 && value.defined()) << "Let " << id;
  return make_node<Let>(id, std::move(name), std::move(value));
}

Expr Let::var() const { return Var::make(id, name, value.type()); }

Stmt Store::make(const TensorParam& tensor, std::vector<Index> indices, Expr value) {
  const std::string what = "store " + tensor.name;
  TS_USER_CHECK(value.defined()) << what << ": undefined value";
  TS_USER_CHECK(tensor.role == TensorRole::output)
      << what << ": '" << tensor.name << "' is an input; only outputs can be stored to";
  for (const Index& ix : indices) {
    TS_USER_CHECK(ix.kind != IndexKind::gather)
        << what << ": a gather index (an index given by a tile value) is for loads only; scatter stores are "
           "not supported";
  }
  auto axes = access_axes(tensor, indices, what);
  TS_USER_CHECK(value.dtype() == tensor.dtype)
      << what << ": dtype mismatch: the value is " << to_string(value.type()) << " but '" << tensor.name
      << "' holds " << dtype_name(tensor.dtype) << "; convert with .to(" << dtype_name(tensor.dtype) << ")";
  TS_USER_CHECK(broadcasts_to(value.type().axes, axes))
      << what << ": shape mismatch: the value " << to_string(value.type()) << " does not fit the access "
      << axes_to_string(axes);
  return make_node<Store>(tensor.name, std::move(indices), std::move(value));
}

Stmt LocalDecl::make(int id, std::string name, Expr init) {
  TS_USER_CHECK(init.defined()) << "local " << name << ": undefined initial value";
  TS_USER_CHECK(is_arithmetic(init.dtype()))
      << "local " << name << ": dtype " << dtype_name(init.dtype()) << " cannot be a local (arithmetic only)";
  return make_node<LocalDecl>(id, std::move(name), std::move(init));
}

Expr LocalDecl::read() const { return LocalRead::make(id, name, init.type()); }

Stmt LocalAssign::make(int id, std::string name, Type local_type, Expr value) {
  const std::string what = "assignment to local " + name;
  TS_USER_CHECK(value.defined()) << what << ": undefined value";
  TS_USER_CHECK(value.dtype() == local_type.dtype)
      << what << ": dtype mismatch: the local is " << to_string(local_type) << ", the value "
      << to_string(value.type()) << "; convert with .to(" << dtype_name(local_type.dtype) << ")";
  TS_USER_CHECK(broadcasts_to(value.type().axes, local_type.axes))
      << what << ": shape mismatch: the local is " << to_string(local_type) << ", the value "
      << to_string(value.type());
  return make_node<LocalAssign>(id, std::move(name), std::move(local_type), std::move(value));
}

}  // namespace tessera::ir
