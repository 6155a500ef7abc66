// SPDX-License-Identifier: Apache-2.0
#include "tessera/runtime/stream.h"

#include <iostream>

#include "tessera/error.h"

namespace tessera::runtime {

// ---- Stream -------------------------------------------------------------------------------------

Stream::Stream(Device device, std::unique_ptr<backend::StreamImpl> impl)
    : device_(std::move(device)), impl_(std::move(impl)) {}

Stream& Stream::operator=(Stream&& other) noexcept {
  if (this != &other) {
    Stream dying(std::move(*this));  // synchronizes and destroys the old stream
    device_ = std::move(other.device_);
    impl_ = std::move(other.impl_);
  }
  return *this;
}

Stream::~Stream() {
  if (impl_ == nullptr) return;
  // Waiting here means buffers the caller frees after the stream are no longer in use by it.
  // A failure cannot propagate from a destructor; it is reported, and the driver's own teardown
  // of the stream still runs in the backend's destructor.
  try {
    impl_->synchronize();
  } catch (const std::exception& e) {
    std::cerr << "tessera: synchronizing a stream of " << device_.id().str()
              << " before destroying it failed: " << e.what() << "\n";
  }
}

void Stream::synchronize() { impl().synchronize(); }
void* Stream::native_handle() const { return impl().native_handle(); }

backend::StreamImpl& Stream::impl() const {
  TS_USER_CHECK(impl_ != nullptr) << "use of an empty (moved-from or default) Stream; make one "
                                     "with Device::create_stream()";
  return *impl_;
}

// ---- Event --------------------------------------------------------------------------------------

Event::Event(Device device, std::unique_ptr<backend::EventImpl> impl)
    : device_(std::move(device)), impl_(std::move(impl)) {}

void Event::record(Stream& stream) {
  backend::EventImpl& e = impl();
  TS_USER_CHECK(stream.device().id() == device_.id())
      << "Event::record: the event is on " << device_.id().str() << " but the stream is on "
      << stream.device().id().str();
  e.record(stream.impl());
}

void Event::synchronize() { impl().synchronize(); }

backend::EventImpl& Event::impl() const {
  TS_USER_CHECK(impl_ != nullptr) << "use of an empty (moved-from or default) Event; make one "
                                     "with Device::create_event()";
  return *impl_;
}

float elapsed_ms(const Event& start, const Event& end) {
  backend::EventImpl& s = start.impl();
  backend::EventImpl& e = end.impl();
  TS_USER_CHECK(start.device().id() == end.device().id())
      << "elapsed_ms: the start event is on " << start.device().id().str()
      << " but the end event is on " << end.device().id().str();
  return e.elapsed_ms_since(s);
}

// ---- Module -------------------------------------------------------------------------------------

Module::Module(Device device, std::unique_ptr<backend::ModuleImpl> impl)
    : device_(std::move(device)), impl_(std::move(impl)) {}

backend::Kernel Module::kernel(std::string_view name) const {
  TS_USER_CHECK(impl_ != nullptr) << "Module::kernel(\"" << name << "\") on an empty Module";
  return impl_->kernel(name);
}

void Module::launch(const backend::Kernel& kernel, const backend::LaunchParams& params,
                    std::span<void* const> args, Stream* stream) const {
  TS_USER_CHECK(impl_ != nullptr) << "Module::launch(" << kernel.name << ") on an empty Module";
  TS_USER_CHECK(kernel.native != nullptr) << "Module::launch: kernel '" << kernel.name
                                          << "' was not looked up with Module::kernel";
  for (int i = 0; i < 3; ++i) {
    TS_USER_CHECK(params.grid[i] > 0 && params.block[i] > 0)
        << "launch of " << kernel.name << ": grid and block dimensions must be positive, got grid "
        << params.grid[0] << "x" << params.grid[1] << "x" << params.grid[2] << ", block "
        << params.block[0] << "x" << params.block[1] << "x" << params.block[2];
  }
  if (stream != nullptr) {
    TS_USER_CHECK(stream->device().id() == device_.id())
        << "launch of " << kernel.name << ": the module is loaded on " << device_.id().str()
        << " but the stream is on " << stream->device().id().str();
  }
  device_.impl().launch(kernel, params, args, stream ? &stream->impl() : nullptr);
}

}  // namespace tessera::runtime
