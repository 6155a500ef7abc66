// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `Device`: a shared handle to one open device (`tessera::open_device("cuda:0")`). Buffers,
/// streams, events and modules made from it keep the device open while they live, so
/// destruction order never matters. Copying a `Device` copies the handle, not the device.
/// All member functions are thread safe.

#include <cstddef>
#include <memory>

#include "tessera/runtime/device_id.h"
#include "tessera/runtime/device_info.h"

namespace tessera::backend {
class DeviceImpl;
struct Binary;
}  // namespace tessera::backend

namespace tessera::runtime {

class Buffer;
class PinnedBuffer;
class Stream;
class Event;
class Module;

class Device {
 public:
  /// An empty handle; every call but `valid()` is an error on it.
  Device() = default;
  /// Wraps an open device (the registry does this; see `tessera::open_device`).
  explicit Device(std::shared_ptr<backend::DeviceImpl> impl);

  bool valid() const { return impl_ != nullptr; }
  DeviceId id() const;
  const DeviceInfo& info() const;

  /// `bytes` of device memory (host memory on the CPU device), uninitialised. Throws
  /// `OutOfMemoryError` when the device cannot; 0 bytes gives an empty buffer.
  Buffer allocate(std::size_t bytes) const;
  /// `bytes` of page-locked host memory registered with this device's driver, so async copies
  /// to and from it overlap with other work. On the CPU device it is ordinary host memory.
  PinnedBuffer allocate_pinned(std::size_t bytes) const;
  /// A new stream (work queue) on this device.
  Stream create_stream() const;
  /// A new event for timing and ordering on this device.
  Event create_event() const;
  /// Loads a compiled binary for this device.
  Module load(const backend::Binary& binary) const;
  /// Waits until all work on the device has finished.
  void synchronize() const;

  /// The backend object, for backend code and tests.
  backend::DeviceImpl& impl() const;
  const std::shared_ptr<backend::DeviceImpl>& shared_impl() const { return impl_; }

 private:
  std::shared_ptr<backend::DeviceImpl> impl_;
};

}  // namespace tessera::runtime
