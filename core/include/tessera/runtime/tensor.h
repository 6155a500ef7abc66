// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Tensors: `TensorView` (a non-owning description: data pointer, dtype, shape, strides in
/// elements, device) and `Tensor` (a view plus whatever keeps its memory alive: a `Buffer` it
/// allocated, or a foreign owner such as a DLPack producer's deleter).
///
/// Strides count elements, not bytes, like PyTorch and DLPack; they may be zero (broadcast)
/// but not negative. Shapes and strides are stored inline (rank <= `kMaxRank`) so making a view
/// allocates nothing: host dispatch stays in microseconds.

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>

#include "tessera/dtype.h"
#include "tessera/runtime/buffer.h"
#include "tessera/runtime/device.h"
#include "tessera/runtime/device_id.h"

namespace tessera::runtime {

/// Largest supported rank (PyTorch kernels of interest use <= 5).
inline constexpr int kMaxRank = 8;

/// A view of memory as a strided array. Plain value; never owns. The caller keeps the memory
/// alive while the view is used.
class TensorView {
 public:
  TensorView() = default;
  /// Contiguous (row-major) view. Throws `UserError` for rank > kMaxRank or negative sizes.
  TensorView(void* data, DType dtype, std::span<const std::int64_t> shape, DeviceId device);
  TensorView(void* data, DType dtype, std::initializer_list<std::int64_t> shape, DeviceId device)
      : TensorView(data, dtype, std::span<const std::int64_t>(shape.begin(), shape.size()),
                   device) {}
  /// Strided view; `strides.size()` must equal `shape.size()`; strides >= 0.
  TensorView(void* data, DType dtype, std::span<const std::int64_t> shape,
             std::span<const std::int64_t> strides, DeviceId device);

  void* data() const { return data_; }
  DType dtype() const { return dtype_; }
  DeviceId device() const { return device_; }
  int rank() const { return rank_; }
  std::span<const std::int64_t> shape() const { return {shape_.data(), std::size_t(rank_)}; }
  std::span<const std::int64_t> strides() const { return {strides_.data(), std::size_t(rank_)}; }
  std::int64_t size(int dim) const;
  std::int64_t stride(int dim) const;
  /// Product of the shape (1 for rank 0).
  std::int64_t numel() const;
  /// True if the strides are the row-major strides of the shape (size-1 dims ignored).
  bool is_contiguous() const;
  /// True if the data pointer is a multiple of 16 bytes (16-byte vector accesses at constant
  /// offsets from it are aligned).
  bool data_aligned16() const;
  /// True if every row starts 16-byte aligned: `data_aligned16()`, the last dimension contiguous
  /// (stride 1) and every other stride a multiple of 16 bytes (size-1 dimensions ignored). The
  /// GPU printers need this, or constant strides, for 16-byte vector loads with run-time strides;
  /// the registry and lang::Kernel both put it in the specialization key.
  bool rows_aligned16() const;
  /// Bytes from the first to one past the last addressable element (0 if empty): the extent a
  /// copy of the underlying storage must cover.
  std::size_t storage_bytes() const;
  /// The storage as a span; for copying contiguous tensors.
  MemSpan bytes() const;
  /// "f32[4, 8] strides [8, 1] on cuda:0".
  std::string str() const;

 private:
  void* data_ = nullptr;
  DType dtype_ = DType::f32;
  DeviceId device_;
  int rank_ = 0;
  std::array<std::int64_t, kMaxRank> shape_{};
  std::array<std::int64_t, kMaxRank> strides_{};
};

/// A tensor that owns (or shares ownership of) its memory. Copies share the memory, like
/// `torch.Tensor` handles; the memory is released when the last copy goes.
class Tensor {
 public:
  Tensor() = default;
  /// Takes `view` and an owner that keeps its memory alive (any object; destroyed last).
  Tensor(TensorView view, std::shared_ptr<void> owner)
      : view_(view), owner_(std::move(owner)) {}

  /// A new contiguous, uninitialised tensor on `device`.
  static Tensor empty(const Device& device, DType dtype, std::span<const std::int64_t> shape);
  static Tensor empty(const Device& device, DType dtype, std::initializer_list<std::int64_t> shape) {
    return empty(device, dtype, std::span<const std::int64_t>(shape.begin(), shape.size()));
  }

  const TensorView& view() const { return view_; }
  operator const TensorView&() const { return view_; }  // NOLINT: usable wherever a view is
  void* data() const { return view_.data(); }
  DType dtype() const { return view_.dtype(); }
  DeviceId device() const { return view_.device(); }
  std::span<const std::int64_t> shape() const { return view_.shape(); }
  std::int64_t numel() const { return view_.numel(); }
  bool defined() const { return owner_ != nullptr || view_.data() != nullptr; }
  /// The owner (for interop layers that must extend the lifetime).
  const std::shared_ptr<void>& owner() const { return owner_; }

 private:
  TensorView view_;
  std::shared_ptr<void> owner_;
};

/// Copies a contiguous tensor's elements into another of the same dtype and shape, on any
/// two devices a `copy` supports. Throws `UserError` naming both tensors otherwise.
void copy(const TensorView& dst, const TensorView& src);

}  // namespace tessera::runtime
