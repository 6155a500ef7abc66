// SPDX-License-Identifier: Apache-2.0
#include "tessera/runtime/device.h"

#include "tessera/error.h"
#include "tessera/runtime/buffer.h"
#include "tessera/runtime/device_impl.h"
#include "tessera/runtime/stream.h"

namespace tessera::runtime {

Device::Device(std::shared_ptr<backend::DeviceImpl> impl) : impl_(std::move(impl)) {}

backend::DeviceImpl& Device::impl() const {
  TS_USER_CHECK(impl_ != nullptr)
      << "use of an empty tessera::runtime::Device; get one from tessera::open_device()";
  return *impl_;
}

DeviceId Device::id() const { return impl().info().id; }
const DeviceInfo& Device::info() const { return impl().info(); }

Buffer Device::allocate(std::size_t bytes) const {
  backend::DeviceImpl& d = impl();
  if (bytes == 0) return Buffer(impl_, nullptr, 0, d.info().id);
  void* p = d.allocate(bytes, backend::MemoryKind::kDevice);
  return Buffer(impl_, p, bytes, d.info().id);
}

PinnedBuffer Device::allocate_pinned(std::size_t bytes) const {
  backend::DeviceImpl& d = impl();
  if (bytes == 0) return PinnedBuffer(impl_, nullptr, 0);
  return PinnedBuffer(impl_, d.allocate(bytes, backend::MemoryKind::kPinnedHost), bytes);
}

Stream Device::create_stream() const { return Stream(*this, impl().create_stream()); }
Event Device::create_event() const { return Event(*this, impl().create_event()); }
Module Device::load(const backend::Binary& binary) const { return Module(*this, impl().load(binary)); }
void Device::synchronize() const { impl().synchronize(); }

}  // namespace tessera::runtime

namespace tessera::backend {

void DeviceImpl::encode_tensor_map(const TensorMapParam& param, const void*, std::int64_t, std::int64_t, std::int64_t,
                                   TensorMapBlob*) const {
  TS_USER_CHECK(false) << "tensor '" << param.tensor << "': device " << info().id.str() << " (" << info().caps.target
                       << ") has no TMA tensor maps; they are a CUDA sm_90+ feature, and the kernel was generated "
                          "for another device (use \"indexing\": \"pointer\" in its config)";
}

}  // namespace tessera::backend
