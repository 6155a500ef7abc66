// SPDX-License-Identifier: Apache-2.0
#include "tessera/runtime/dlpack.h"

#include <array>

#include "tessera/error.h"

namespace tessera::runtime {

namespace {

// Type codes added to DLPack after 0.6 (Debian 12 ships 0.6). The numbers are part of the
// DLPack ABI (dlpack.h of v1.1: kDLBool = 6, kDLFloat8_e4m3fn = 10, kDLFloat8_e5m2 = 12) and
// PyTorch >= 2.8 exports torch.float8_e4m3fn / float8_e5m2 with them.
constexpr std::uint8_t kCodeBool = 6;
constexpr std::uint8_t kCodeFloat8E4M3FN = 10;
constexpr std::uint8_t kCodeFloat8E5M2 = 12;

DLDataType to_dl_dtype(DType t) {
  const auto bits = static_cast<std::uint8_t>(dtype_size(t) * 8);
  switch (t) {
    case DType::f64:
    case DType::f32:
    case DType::f16: return {kDLFloat, bits, 1};
    case DType::bf16: return {kDLBfloat, bits, 1};
    case DType::f8e4m3fn: return {kCodeFloat8E4M3FN, 8, 1};
    case DType::f8e5m2: return {kCodeFloat8E5M2, 8, 1};
    case DType::i64:
    case DType::i32:
    case DType::i8: return {kDLInt, bits, 1};
    case DType::u8: return {kDLUInt, bits, 1};
    case DType::boolean: return {kCodeBool, 8, 1};
  }
  TS_INTERNAL_CHECK(false) << "unhandled dtype " << static_cast<int>(t);
  return {};
}

DType from_dl_dtype(DLDataType t) {
  TS_USER_CHECK(t.lanes == 1) << "from_dlpack: vector dtypes (lanes = " << t.lanes
                              << ") are not supported; pass a tensor of scalars";
  switch (t.code) {
    case kDLFloat:
      if (t.bits == 64) return DType::f64;
      if (t.bits == 32) return DType::f32;
      if (t.bits == 16) return DType::f16;
      break;
    case kDLBfloat:
      if (t.bits == 16) return DType::bf16;
      break;
    case kDLInt:
      if (t.bits == 64) return DType::i64;
      if (t.bits == 32) return DType::i32;
      if (t.bits == 8) return DType::i8;
      break;
    case kDLUInt:
      if (t.bits == 8) return DType::u8;
      break;
    case kCodeBool:
      if (t.bits == 8) return DType::boolean;
      break;
    case kCodeFloat8E4M3FN:
      if (t.bits == 8) return DType::f8e4m3fn;
      break;
    case kCodeFloat8E5M2:
      if (t.bits == 8) return DType::f8e5m2;
      break;
    default: break;
  }
  user_error(cat("from_dlpack: unsupported DLPack dtype (code ", int(t.code), ", bits ",
                 int(t.bits), "); Tessera supports ", dtype_names()));
}

DeviceId from_dl_device(DLDevice d) {
  switch (d.device_type) {
    case kDLCPU:
    case kDLCUDAHost:  // pinned host memory is host memory to Tessera
    case kDLROCMHost: return DeviceId::cpu();
    case kDLCUDA: return {DeviceKind::cuda, d.device_id};
    case kDLROCM: return {DeviceKind::hip, d.device_id};
    default: break;
  }
  user_error(cat("from_dlpack: unsupported DLPack device type ", int(d.device_type),
                 " (device ", d.device_id, "); Tessera takes kDLCPU, kDLCUDAHost, kDLROCMHost, "
                 "kDLCUDA and kDLROCM"));
}

DLDevice to_dl_device(DeviceId id) {
  switch (id.kind) {
    case DeviceKind::cpu: return {kDLCPU, 0};
    case DeviceKind::cuda: return {kDLCUDA, id.index};
    case DeviceKind::hip: return {kDLROCM, id.index};
  }
  return {kDLCPU, 0};
}

/// What an exported DLManagedTensor's manager_ctx points at: the tensor (keeping the memory
/// alive) and the shape/strides arrays the DLTensor refers to.
struct ExportContext {
  Tensor tensor;
  std::array<std::int64_t, kMaxRank> shape{};
  std::array<std::int64_t, kMaxRank> strides{};
  DLManagedTensor managed{};
};

}  // namespace

TensorView from_dlpack(const DLTensor& t) {
  TS_USER_CHECK(t.ndim >= 0 && t.ndim <= kMaxRank)
      << "from_dlpack: rank " << t.ndim << " is not supported (Tessera supports rank <= "
      << kMaxRank << ")";
  const DType dtype = from_dl_dtype(t.dtype);
  const DeviceId device = from_dl_device(t.device);
  std::span<const std::int64_t> shape(t.shape, static_cast<std::size_t>(t.ndim));
  void* data = static_cast<char*>(t.data) + t.byte_offset;
  if (t.strides == nullptr) return TensorView(data, dtype, shape, device);
  return TensorView(data, dtype, shape,
                    std::span<const std::int64_t>(t.strides, static_cast<std::size_t>(t.ndim)),
                    device);
}

Tensor from_dlpack(DLManagedTensor* managed) {
  TS_USER_CHECK(managed != nullptr) << "from_dlpack(DLManagedTensor*): null pointer";
  // Own it first, so the deleter runs exactly once even if the description is rejected.
  std::shared_ptr<DLManagedTensor> owner(managed, [](DLManagedTensor* m) {
    if (m->deleter != nullptr) m->deleter(m);
  });
  TensorView view = from_dlpack(managed->dl_tensor);
  return Tensor(view, std::move(owner));
}

DLManagedTensor* to_dlpack(const Tensor& tensor) {
  auto ctx = std::make_unique<ExportContext>();
  ctx->tensor = tensor;
  const TensorView& v = tensor.view();
  for (int d = 0; d < v.rank(); ++d) {
    ctx->shape[d] = v.shape()[d];
    ctx->strides[d] = v.strides()[d];
  }
  DLTensor& dl = ctx->managed.dl_tensor;
  dl.data = v.data();
  dl.device = to_dl_device(v.device());
  dl.ndim = v.rank();
  dl.dtype = to_dl_dtype(v.dtype());
  dl.shape = ctx->shape.data();
  dl.strides = ctx->strides.data();
  dl.byte_offset = 0;
  ctx->managed.manager_ctx = ctx.get();
  ctx->managed.deleter = [](DLManagedTensor* self) {
    delete static_cast<ExportContext*>(self->manager_ctx);
  };
  return &ctx.release()->managed;
}

DLTensor as_dltensor(const TensorView& view) {
  DLTensor dl{};
  dl.data = view.data();
  dl.device = to_dl_device(view.device());
  dl.ndim = view.rank();
  dl.dtype = to_dl_dtype(view.dtype());
  // DLTensor's fields are non-const for historical reasons; consumers treat them as read-only.
  dl.shape = const_cast<std::int64_t*>(view.shape().data());
  dl.strides = const_cast<std::int64_t*>(view.strides().data());
  dl.byte_offset = 0;
  return dl;
}

}  // namespace tessera::runtime
