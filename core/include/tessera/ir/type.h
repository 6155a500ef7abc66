// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `Axis` and `Type`: the shape and element type of a tile value (semantics in ir.h).

#include <optional>
#include <string>
#include <vector>

#include "tessera/dtype.h"

namespace tessera::ir {

/// What one axis of a tile value ranges over.
enum class AxisKind : unsigned char {
  tile,       ///< the lanes of a tile variable (extent = its block size)
  full,       ///< a whole tensor dimension, i.e. a reduction dimension (`all()`)
  broadcast,  ///< extent 1 (`none()`), compatible with any axis
};

/// One axis of a tile value. Identity is (kind, id); `name` is only for messages and printing.
struct Axis {
  AxisKind kind = AxisKind::broadcast;
  int id = -1;       ///< tile variable id (tile), reduction dimension id (full), -1 (broadcast)
  std::string name;  ///< "tm", "R0", "1"

  /// The axis of tile variable `tile_var`.
  static Axis tile(int tile_var, std::string name);
  /// The axis of reduction dimension `rdim`.
  static Axis full(int rdim, std::string name);
  /// A size-1 axis.
  static Axis broadcast();

  bool operator==(const Axis& o) const { return kind == o.kind && id == o.id; }
  bool operator!=(const Axis& o) const { return !(*this == o); }
};

/// The type of an expression: element dtype and axes (empty = scalar).
struct Type {
  DType dtype = DType::f32;
  std::vector<Axis> axes;

  /// A rank-0 value of `dtype`.
  static Type scalar(DType dtype) { return Type{dtype, {}}; }
  int rank() const { return static_cast<int>(axes.size()); }
  bool is_scalar() const { return axes.empty(); }
  /// Same dtype, same rank and pairwise equal axes.
  bool operator==(const Type& o) const { return dtype == o.dtype && axes == o.axes; }
  bool operator!=(const Type& o) const { return !(*this == o); }
  /// The same axes with another dtype.
  Type with_dtype(DType d) const { return Type{d, axes}; }
};

/// "[tm, R0]" ("[]" for a scalar).
std::string axes_to_string(const std::vector<Axis>& axes);
/// "bf16[tm, R0]" ("f32" for a scalar).
std::string to_string(const Type& t);

/// NumPy broadcasting of two axis lists aligned from the right: equal axes stay, a `broadcast`
/// axis takes the other one. `std::nullopt` when some aligned pair is incompatible.
std::optional<std::vector<Axis>> broadcast_axes(const std::vector<Axis>& a,
                                                const std::vector<Axis>& b);

/// True when a value with axes `from` broadcasts to exactly `to` (every axis of `from`, aligned
/// right, equals the axis of `to` or is `broadcast`, and `from` is not longer).
bool broadcasts_to(const std::vector<Axis>& from, const std::vector<Axis>& to);

/// `v` converted to `dtype` with the cast rules of ir.h and back to double, exactly (RNE,
/// fp8 saturation, integer round-and-clamp, bool as 0/1).
double round_to_dtype(double v, DType dtype);

/// Arithmetic dtypes (ir.h "Numbers"): f64, f32, f16, bf16, i32, i64.
bool is_arithmetic(DType t);
/// f16 and bf16: arithmetic evaluated in f32 and rounded back.
inline bool is_half(DType t) { return t == DType::f16 || t == DType::bf16; }
/// The dtype an operation on `t` is evaluated in (f32 for f16/bf16, else `t`).
inline DType compute_dtype(DType t) { return is_half(t) ? DType::f32 : t; }

}  // namespace tessera::ir
