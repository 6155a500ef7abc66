// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `HostTensor`: a strided tensor in host memory holding elements in their real storage format
/// (bf16 bits, fp8 bytes, ...). It is what the reference interpreter reads and writes and what
/// tests compare; the runtime's device tensors are a different type.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tessera/dtype.h"

namespace tessera::ir {

/// A host tensor: dtype, shape, element strides and byte storage (owned).
struct HostTensor {
  DType dtype = DType::f32;
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;  ///< in elements
  std::vector<std::byte> storage;     ///< dtype_size(dtype) bytes per element slot

  /// A contiguous (row-major) tensor with every byte zero.
  static HostTensor zeros(DType dtype, std::vector<std::int64_t> shape);
  /// A tensor with the given strides (in elements, non-negative) over just enough storage.
  static HostTensor strided(DType dtype, std::vector<std::int64_t> shape,
                            std::vector<std::int64_t> strides);

  int rank() const { return static_cast<int>(shape.size()); }
  /// Number of logical elements (product of the shape).
  std::int64_t numel() const;
  /// Storage offset (elements) of a multi-index; checks bounds (InternalError).
  std::int64_t offset(const std::vector<std::int64_t>& index) const;
  /// Element at `offset` converted exactly to double (ir.h casts; bool 0/1).
  double load(std::int64_t offset) const;
  /// Stores `v` at `offset` with the cast rules of ir.h (RNE, fp8 saturation, int clamp).
  void store(std::int64_t offset, double v);
  /// Element by multi-index.
  double at(const std::vector<std::int64_t>& index) const { return load(offset(index)); }
  /// Fills every storage byte with `byte` (0xFF poisons floats with NaN).
  void fill_bytes(unsigned char byte);
};

}  // namespace tessera::ir
