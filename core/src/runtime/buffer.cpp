// SPDX-License-Identifier: Apache-2.0
#include "tessera/runtime/buffer.h"

#include <cstring>
#include <utility>

#include "tessera/error.h"
#include "tessera/runtime/device_impl.h"
#include "tessera/runtime/registry.h"
#include "tessera/runtime/stream.h"

namespace tessera::runtime {

MemSpan MemSpan::sub(std::size_t offset, std::size_t count) const {
  TS_USER_CHECK(offset <= bytes && count <= bytes - offset)
      << "MemSpan::sub(" << offset << ", " << count << "): out of range of a " << bytes
      << "-byte span on " << device.str();
  return {static_cast<char*>(data) + offset, count, device};
}

ConstMemSpan ConstMemSpan::sub(std::size_t offset, std::size_t count) const {
  TS_USER_CHECK(offset <= bytes && count <= bytes - offset)
      << "ConstMemSpan::sub(" << offset << ", " << count << "): out of range of a " << bytes
      << "-byte span on " << device.str();
  return {static_cast<const char*>(data) + offset, count, device};
}

// ---- Buffer / PinnedBuffer: move-only owners --------------------------------------------------

Buffer::Buffer(std::shared_ptr<backend::DeviceImpl> impl, void* data, std::size_t bytes,
               DeviceId id)
    : impl_(std::move(impl)), data_(data), bytes_(bytes), device_(id) {}

Buffer::Buffer(Buffer&& other) noexcept
    : impl_(std::move(other.impl_)),
      data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)),
      device_(other.device_) {}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    Buffer dying(std::move(*this));  // frees the old allocation at the end of this scope
    impl_ = std::move(other.impl_);
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
    device_ = other.device_;
  }
  return *this;
}

Buffer::~Buffer() {
  if (data_ != nullptr) impl_->deallocate(data_, backend::MemoryKind::kDevice);
}

PinnedBuffer::PinnedBuffer(std::shared_ptr<backend::DeviceImpl> impl, void* data,
                           std::size_t bytes)
    : impl_(std::move(impl)), data_(data), bytes_(bytes) {}

PinnedBuffer::PinnedBuffer(PinnedBuffer&& other) noexcept
    : impl_(std::move(other.impl_)),
      data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)) {}

PinnedBuffer& PinnedBuffer::operator=(PinnedBuffer&& other) noexcept {
  if (this != &other) {
    PinnedBuffer dying(std::move(*this));
    impl_ = std::move(other.impl_);
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

PinnedBuffer::~PinnedBuffer() {
  if (data_ != nullptr) impl_->deallocate(data_, backend::MemoryKind::kPinnedHost);
}

// ---- copies -------------------------------------------------------------------------------------

namespace {

/// Which device runs a copy, and in which direction.
struct CopyPlan {
  DeviceId executor;
  backend::CopyKind kind;
};

CopyPlan plan_copy(const char* what, const MemSpan& dst, const ConstMemSpan& src) {
  TS_USER_CHECK(dst.bytes == src.bytes)
      << what << ": the destination has " << dst.bytes << " bytes (on " << dst.device.str()
      << ") but the source has " << src.bytes << " bytes (on " << src.device.str()
      << "); copy equal sizes, using MemSpan::sub for part of a buffer";
  TS_USER_CHECK(dst.bytes == 0 || (dst.data != nullptr && src.data != nullptr))
      << what << ": null " << (dst.data == nullptr ? "destination" : "source") << " pointer for "
      << dst.bytes << " bytes";
  if (dst.device == src.device) {
    if (dst.bytes != 0) {
      const auto* d = static_cast<const char*>(dst.data);
      const auto* s = static_cast<const char*>(src.data);
      TS_USER_CHECK(d + dst.bytes <= s || s + src.bytes <= d || d == s)
          << what << ": source and destination overlap on " << dst.device.str()
          << "; copy through a temporary buffer";
    }
    return {dst.device, backend::CopyKind::kDeviceToDevice};
  }
  if (!src.device.is_gpu()) return {dst.device, backend::CopyKind::kHostToDevice};
  if (!dst.device.is_gpu()) return {src.device, backend::CopyKind::kDeviceToHost};
  user_error(cat(what, ": cannot copy directly from ", src.device.str(), " to ", dst.device.str(),
                 "; copies between two GPUs are not supported: stage through a PinnedBuffer"));
}

/// Host-to-host copies run on the CPU device when it is registered (parallel over its oneTBB
/// arena); otherwise a plain memcpy keeps `copy` usable before `tessera::init()`.
bool copy_host_without_backend(const MemSpan& dst, const ConstMemSpan& src) {
  if (dst.device.is_gpu() || backend::registry().find(DeviceKind::cpu) != nullptr) return false;
  if (dst.bytes != 0 && dst.data != src.data) std::memcpy(dst.data, src.data, dst.bytes);
  return true;
}

}  // namespace

void copy(MemSpan dst, ConstMemSpan src) {
  const CopyPlan plan = plan_copy("copy", dst, src);
  if (dst.bytes == 0 || copy_host_without_backend(dst, src)) return;
  backend::registry().open(plan.executor)->copy(dst.data, src.data, dst.bytes, plan.kind, nullptr);
}

void copy_async(MemSpan dst, ConstMemSpan src, Stream& stream) {
  const CopyPlan plan = plan_copy("copy_async", dst, src);
  const DeviceId stream_device = stream.device().id();
  TS_USER_CHECK(stream_device == plan.executor)
      << "copy_async from " << src.device.str() << " to " << dst.device.str()
      << ": the stream is on " << stream_device.str() << " but this copy runs on "
      << plan.executor.str() << "; use a stream of " << plan.executor.str();
  if (dst.bytes == 0) return;
  stream.device().impl().copy(dst.data, src.data, dst.bytes, plan.kind, &stream.impl());
}

void memset(MemSpan dst, std::uint8_t value, Stream* stream) {
  TS_USER_CHECK(dst.bytes == 0 || dst.data != nullptr) << "memset: null pointer for " << dst.bytes
                                                       << " bytes on " << dst.device.str();
  if (stream != nullptr) {
    TS_USER_CHECK(stream->device().id() == dst.device)
        << "memset of memory on " << dst.device.str() << " with a stream of "
        << stream->device().id().str();
  }
  if (dst.bytes == 0) return;
  if (!dst.device.is_gpu() && backend::registry().find(DeviceKind::cpu) == nullptr) {
    std::memset(dst.data, value, dst.bytes);
    return;
  }
  backend::registry().open(dst.device)->memset(dst.data, value, dst.bytes,
                                               stream ? &stream->impl() : nullptr);
}

void fill_pattern(MemSpan dst, std::uint32_t seed, Stream* stream) {
  TS_USER_CHECK(dst.bytes % 4 == 0 && (dst.bytes == 0 || dst.data != nullptr) &&
                reinterpret_cast<std::uintptr_t>(dst.data) % 4 == 0)
      << "fill_pattern: needs a non-null, 4-byte aligned span of whole 32-bit words; got "
      << dst.bytes << " bytes at " << dst.data << " on " << dst.device.str();
  if (stream != nullptr) {
    TS_USER_CHECK(stream->device().id() == dst.device)
        << "fill_pattern of memory on " << dst.device.str() << " with a stream of "
        << stream->device().id().str();
  }
  if (dst.bytes == 0) return;
  if (!dst.device.is_gpu() && backend::registry().find(DeviceKind::cpu) == nullptr) {
    auto* words = static_cast<std::uint32_t*>(dst.data);
    for (std::size_t i = 0; i < dst.bytes / 4; ++i) words[i] = pattern_word(i, seed);
    return;
  }
  backend::registry().open(dst.device)->fill_pattern(dst.data, dst.bytes / 4, seed,
                                                     stream ? &stream->impl() : nullptr);
}

}  // namespace tessera::runtime
