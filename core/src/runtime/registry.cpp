// SPDX-License-Identifier: Apache-2.0
#include "tessera/runtime/registry.h"

#include "tessera/error.h"

namespace tessera::backend {

using runtime::DeviceId;
using runtime::DeviceKind;

void Registry::add(Backend backend) {
  std::lock_guard lock(mutex_);
  TS_INTERNAL_CHECK(backend.runtime != nullptr)
      << "backend " << runtime::device_kind_name(backend.kind) << " registered without a runtime";
  for (const auto& b : backends_) {
    TS_INTERNAL_CHECK(b->kind != backend.kind)
        << "backend " << runtime::device_kind_name(backend.kind) << " registered twice";
  }
  backends_.push_back(std::make_unique<Backend>(std::move(backend)));
}

const Backend* Registry::find(DeviceKind kind) const {
  std::lock_guard lock(mutex_);
  for (const auto& b : backends_) {
    if (b->kind == kind) return b.get();
  }
  return nullptr;
}

std::vector<const Backend*> Registry::backends() const {
  std::lock_guard lock(mutex_);
  std::vector<const Backend*> out;
  for (const auto& b : backends_) out.push_back(b.get());
  return out;
}

std::shared_ptr<DeviceImpl> Registry::open(DeviceId id) {
  const Backend* backend = find(id.kind);
  TS_USER_CHECK(backend != nullptr)
      << "open_device(\"" << id.str() << "\"): this build has no " << runtime::device_kind_name(id.kind)
      << " backend (configure with -DTS_ENABLE_" << (id.kind == DeviceKind::cuda ? "CUDA" : "HIP")
      << "=ON)";
  // Open outside the registry lock would allow two contexts for one device; opening is rare
  // (once per device per process), so holding the lock across the driver calls is fine.
  std::lock_guard lock(mutex_);
  if (auto it = open_.find(id); it != open_.end()) return it->second;
  std::shared_ptr<DeviceImpl> impl = backend->runtime->open(id.index);
  TS_INTERNAL_CHECK(impl != nullptr) << "backend returned no device for " << id.str();
  open_.emplace(id, impl);
  return impl;
}

bool Registry::initialized() const {
  std::lock_guard lock(mutex_);
  return initialized_;
}

void Registry::mark_initialized() {
  std::lock_guard lock(mutex_);
  initialized_ = true;
}

Registry& registry() {
  // Constructed on first use (no static-initialisation order issue; nothing registers itself,
  // STYLE B9) and deliberately never destroyed: at process exit the CUDA driver tears itself
  // down from its own atexit handler, before or after ours in no promised order, and releasing
  // a primary context or unloading a module after that fails (seen on an H100 with driver
  // 580.159: cuModuleUnload / cuDevicePrimaryCtxRelease errors after main returned). PyTorch's
  // caching allocator leaks for the same reason; the OS reclaims everything at exit.
  static Registry* instance = new Registry();
  return *instance;
}

}  // namespace tessera::backend

namespace tessera {

namespace {
void require_init(const char* what) {
  TS_USER_CHECK(backend::registry().initialized())
      << what << ": no backends are registered; call tessera::init() first (and link "
      << "tessera_backends)";
}
}  // namespace

std::vector<runtime::BackendStatus> backend_statuses() {
  require_init("tessera::backend_statuses()");
  std::vector<runtime::BackendStatus> out;
  for (const backend::Backend* b : backend::registry().backends()) {
    out.push_back(b->runtime->status());
  }
  return out;
}

std::vector<runtime::DeviceInfo> devices() {
  require_init("tessera::devices()");
  std::vector<runtime::DeviceInfo> out;
  for (const backend::Backend* b : backend::registry().backends()) {
    for (runtime::DeviceInfo& info : b->runtime->enumerate()) out.push_back(std::move(info));
  }
  return out;
}

runtime::Device open_device(runtime::DeviceId id) {
  require_init(cat("tessera::open_device(\"", id.str(), "\")").c_str());
  return runtime::Device(backend::registry().open(id));
}

runtime::Device open_device(std::string_view spelling) {
  return open_device(runtime::DeviceId::parse(spelling));
}

}  // namespace tessera
