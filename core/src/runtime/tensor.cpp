// SPDX-License-Identifier: Apache-2.0
#include "tessera/runtime/tensor.h"

#include <sstream>

#include "tessera/error.h"

namespace tessera::runtime {

namespace {
std::string shape_str(std::span<const std::int64_t> dims) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < dims.size(); ++i) os << (i ? ", " : "") << dims[i];
  os << "]";
  return os.str();
}
}  // namespace

TensorView::TensorView(void* data, DType dtype, std::span<const std::int64_t> shape,
                       DeviceId device)
    : data_(data), dtype_(dtype), device_(device) {
  TS_USER_CHECK(shape.size() <= std::size_t(kMaxRank))
      << "tensor of rank " << shape.size() << " " << shape_str(shape)
      << ": Tessera supports rank <= " << kMaxRank;
  rank_ = static_cast<int>(shape.size());
  std::int64_t stride = 1;
  for (int d = rank_ - 1; d >= 0; --d) {
    TS_USER_CHECK(shape[d] >= 0) << "tensor shape " << shape_str(shape) << " has a negative size";
    shape_[d] = shape[d];
    strides_[d] = stride;
    stride *= shape[d] > 0 ? shape[d] : 1;
  }
}

TensorView::TensorView(void* data, DType dtype, std::span<const std::int64_t> shape,
                       std::span<const std::int64_t> strides, DeviceId device)
    : TensorView(data, dtype, shape, device) {
  TS_USER_CHECK(strides.size() == shape.size())
      << "tensor shape " << shape_str(shape) << " has rank " << shape.size() << " but strides "
      << shape_str(strides) << " have " << strides.size() << " entries";
  for (int d = 0; d < rank_; ++d) {
    TS_USER_CHECK(strides[d] >= 0) << "tensor strides " << shape_str(strides)
                                   << ": negative strides are not supported";
    strides_[d] = strides[d];
  }
}

std::int64_t TensorView::size(int dim) const {
  TS_USER_CHECK(dim >= 0 && dim < rank_) << "size(" << dim << ") of a rank-" << rank_ << " tensor";
  return shape_[dim];
}

std::int64_t TensorView::stride(int dim) const {
  TS_USER_CHECK(dim >= 0 && dim < rank_) << "stride(" << dim << ") of a rank-" << rank_
                                         << " tensor";
  return strides_[dim];
}

std::int64_t TensorView::numel() const {
  std::int64_t n = 1;
  for (int d = 0; d < rank_; ++d) n *= shape_[d];
  return n;
}

bool TensorView::is_contiguous() const {
  std::int64_t expected = 1;
  for (int d = rank_ - 1; d >= 0; --d) {
    if (shape_[d] == 1) continue;  // any stride is fine for a size-1 dimension (PyTorch's rule)
    if (strides_[d] != expected) return false;
    expected *= shape_[d];
  }
  return true;
}

bool TensorView::data_aligned16() const { return reinterpret_cast<std::uintptr_t>(data_) % 16 == 0; }

bool TensorView::rows_aligned16() const {
  if (!data_aligned16()) return false;
  const std::int64_t size = static_cast<std::int64_t>(dtype_size(dtype_));
  for (int d = 0; d < rank_; ++d) {
    if (shape_[d] == 1) continue;  // indexed only at 0: its stride never enters an address
    const bool ok = d == rank_ - 1 ? strides_[d] == 1 : strides_[d] * size % 16 == 0;
    if (!ok) return false;
  }
  return true;
}

std::size_t TensorView::storage_bytes() const {
  if (numel() == 0) return 0;
  std::int64_t last = 0;  // offset of the last element, in elements
  for (int d = 0; d < rank_; ++d) last += (shape_[d] - 1) * strides_[d];
  return static_cast<std::size_t>(last + 1) * static_cast<std::size_t>(dtype_size(dtype_));
}

MemSpan TensorView::bytes() const { return {data_, storage_bytes(), device_}; }

std::string TensorView::str() const {
  return cat(dtype_name(dtype_), shape_str(shape()), " strides ", shape_str(strides()), " on ",
             device_.str());
}

Tensor Tensor::empty(const Device& device, DType dtype, std::span<const std::int64_t> shape) {
  TensorView probe(nullptr, dtype, shape, device.id());  // validates the shape
  const std::size_t bytes = static_cast<std::size_t>(probe.numel()) * dtype_size(dtype);
  auto buffer = std::make_shared<Buffer>(device.allocate(bytes));
  TensorView view(buffer->data(), dtype, shape, device.id());
  return Tensor(view, std::move(buffer));
}

void copy(const TensorView& dst, const TensorView& src) {
  TS_USER_CHECK(dst.dtype() == src.dtype() &&
                std::equal(dst.shape().begin(), dst.shape().end(), src.shape().begin(),
                           src.shape().end()))
      << "copy(tensor, tensor): destination " << dst.str() << " and source " << src.str()
      << " differ in dtype or shape";
  TS_USER_CHECK(dst.is_contiguous() && src.is_contiguous())
      << "copy(tensor, tensor): only contiguous tensors are copied directly; got destination "
      << dst.str() << " and source " << src.str();
  copy(dst.bytes(), ConstMemSpan(src.bytes()));
}

}  // namespace tessera::runtime
