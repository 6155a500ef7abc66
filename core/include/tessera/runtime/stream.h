// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Streams (ordered work queues), events (points in a stream, with timestamps) and loaded
/// modules, as move-only RAII handles that keep their device open.
///
/// A `Stream` may be used from one thread at a time; distinct streams from distinct threads.
/// Destroying a stream first waits for its work ([alpaka] QueueBlocking semantics on
/// destruction), so buffers freed afterwards are not still in use.

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "tessera/runtime/device.h"
#include "tessera/runtime/device_impl.h"

namespace tessera::runtime {

class Stream {
 public:
  Stream() = default;
  Stream(Stream&&) noexcept = default;
  Stream& operator=(Stream&& other) noexcept;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  /// Synchronizes, then destroys the vendor stream.
  ~Stream();

  bool valid() const { return impl_ != nullptr; }
  const Device& device() const { return device_; }
  /// Blocks until all work enqueued so far has completed.
  void synchronize();
  /// CUstream / hipStream_t for interop (e.g. with PyTorch's external streams); null on CPU.
  void* native_handle() const;
  backend::StreamImpl& impl() const;

 private:
  friend class Device;
  Stream(Device device, std::unique_ptr<backend::StreamImpl> impl);
  Device device_;
  std::unique_ptr<backend::StreamImpl> impl_;
};

class Event {
 public:
  Event() = default;
  Event(Event&&) noexcept = default;
  Event& operator=(Event&&) noexcept = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  bool valid() const { return impl_ != nullptr; }
  const Device& device() const { return device_; }
  /// Marks the current end of `stream`'s work (`stream` must be on the event's device).
  void record(Stream& stream);
  /// Blocks until the recorded work has completed.
  void synchronize();
  backend::EventImpl& impl() const;

 private:
  friend class Device;
  Event(Device device, std::unique_ptr<backend::EventImpl> impl);
  Device device_;
  std::unique_ptr<backend::EventImpl> impl_;
};

/// Milliseconds between two recorded, completed events of the same device (GPU event
/// resolution is about 0.5 us; the CPU uses std::chrono::steady_clock).
float elapsed_ms(const Event& start, const Event& end);

/// A loaded binary. Kernels looked up from it are valid while it lives.
class Module {
 public:
  Module() = default;
  Module(Module&&) noexcept = default;
  Module& operator=(Module&&) noexcept = default;

  bool valid() const { return impl_ != nullptr; }
  /// The entry point `name`; throws `UserError` if the module has none.
  backend::Kernel kernel(std::string_view name) const;
  /// Launches `kernel` (from this module) with `args` (pointers to the argument values) on
  /// `stream`, or on the device's null stream when `stream` is null. Does not wait.
  void launch(const backend::Kernel& kernel, const backend::LaunchParams& params,
              std::span<void* const> args, Stream* stream = nullptr) const;

 private:
  friend class Device;
  Module(Device device, std::unique_ptr<backend::ModuleImpl> impl);
  Device device_;
  std::unique_ptr<backend::ModuleImpl> impl_;
};

}  // namespace tessera::runtime
