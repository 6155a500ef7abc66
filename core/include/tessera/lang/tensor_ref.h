// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `TensorRef` (a kernel's tensor parameter), `Access` (a tile of it, to load or store) and
/// `Local` (a loop-carried register tile).

#include <optional>
#include <string>

#include "tessera/lang/value.h"

namespace tessera::lang {

class Access;

/// A tensor parameter of the kernel being defined (`k.input`, `k.output`).
class TensorRef {
 public:
  TensorRef(Builder* b, int index, bool is_output) : builder_(b), index_(index), is_output_(is_output) {}

  /// The size of dimension `i` (negative counts from the end).
  Size dim(int i) const;
  int rank() const;
  DType dtype() const;
  const std::string& name() const;

  /// A tile of the tensor: one index per dimension (tiles, `tile + offset`, `all()`, scalar
  /// sizes), plus `none()` for new broadcast axes.
  template <typename... I>
  Access operator()(const I&... idx) const;
  /// Loads one element as a rank-0 value (`scale.scalar(0)`); one index per dimension.
  template <typename... I>
  Value scalar(const I&... idx) const;

  Builder* builder() const { return builder_; }
  int index() const { return index_; }
  bool is_output() const { return is_output_; }

 private:
  Builder* builder_;
  int index_;
  bool is_output_;
};

/// A tile of a tensor: converts to a `Value` by loading it (once, when first used), or is
/// the target of a store (`out(tm, tn) = v`).
class Access {
 public:
  Access(TensorRef t, std::vector<IndexArg> idx) : tensor_(t), indices_(std::move(idx)) {}
  /// Loads the tile (the first conversion emits the load; later ones reuse it).
  operator Value() const;  // NOLINT(google-explicit-constructor)
  /// Shorthand for `Value(*this).to(dtype)`.
  Value to(DType dtype) const { return Value(*this).to(dtype); }
  DType dtype() const { return tensor_.dtype(); }
  /// Stores `v` (which must have the tensor's dtype) to the tile's valid lanes.
  const Access& operator=(const Value& v) const;
  /// Stores another access's loaded tile.
  const Access& operator=(const Access& other) const { return *this = Value(other); }

 private:
  TensorRef tensor_;
  std::vector<IndexArg> indices_;
  mutable std::optional<Value> loaded_;
};

/// A loop-carried register tile (`k.local(zeros({tm, tn}, f32))`). Assigning replaces its
/// value; reading it (converting to `Value`) snapshots the current value.
class Local {
 public:
  Local(Builder* b, int id, std::string name, ir::Type type, int scope)
      : builder_(b), id_(id), name_(std::move(name)), type_(std::move(type)), scope_(scope) {}
  Local(const Local&) = default;
  /// Assigns the value of `v`: same dtype, axes that broadcast to the local's.
  Local& operator=(const Value& v);
  /// Assigns the current value of another local.
  Local& operator=(const Local& other) { return *this = Value(other); }
  Local& operator+=(const Value& v);
  /// Reads the current value.
  operator Value() const;  // NOLINT(google-explicit-constructor)
  Value value() const { return Value(*this); }
  Value to(DType dtype) const { return value().to(dtype); }
  const ir::Type& type() const { return type_; }

 private:
  Builder* builder_;
  int id_;
  std::string name_;
  ir::Type type_;
  int scope_;
};

template <typename... I>
Access TensorRef::operator()(const I&... idx) const {
  return Access(*this, std::vector<IndexArg>{IndexArg(idx)...});
}

template <typename... I>
Value TensorRef::scalar(const I&... idx) const {
  return Value(Access(*this, std::vector<IndexArg>{IndexArg(Size(idx))...}));
}

}  // namespace tessera::lang
