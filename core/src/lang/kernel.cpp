// SPDX-License-Identifier: Apache-2.0
// Kernel and BoundKernel (kernel.h): binding calls to specializations, compiling configs once,
// choosing the config a specialization runs (set, single, autotuned or default).
#define TS_IMPL_LANG_KERNEL 1
#include "tessera/lang/kernel.h"

#include <algorithm>
#include <array>
#include <functional>
#include <iostream>

#include "kernel_call.h"
#include "tessera/error.h"
#include "tessera/ir/config_space.h"
#include "tessera/runtime/registry.h"

namespace tessera::lang {

namespace {

/// Hash of a key's codes and extra text (FNV-1a over the integers, then the string's hash).
std::size_t hash_codes(const std::vector<std::int64_t>& codes, const std::string& extra) {
  std::uint64_t h = 1469598103934665603ull;
  for (std::int64_t c : codes) {
    h ^= static_cast<std::uint64_t>(c);
    h *= 1099511628211ull;
  }
  return static_cast<std::size_t>(h) ^ (std::hash<std::string>{}(extra) << 1);
}

}  // namespace

SpecializationKey::SpecializationKey(std::vector<std::int64_t> codes, std::string extra, std::string text)
    : codes_(std::move(codes)), extra_(std::move(extra)), text_(std::move(text)),
      hash_(hash_codes(codes_, extra_)) {}

// ---- BoundKernel ----------------------------------------------------------------------------

struct BoundKernel::CompileSlot {
  std::once_flag once;  // a throwing compile leaves it unset: the next request retries
  std::shared_ptr<const CompiledKernel> result;
};

BoundKernel::BoundKernel(std::shared_ptr<const ir::Kernel> definition, std::vector<Config> configs,
                         ResolvedSettings settings, SpecializationKey key, runtime::Device device,
                         lower::Specialization spec)
    : definition_(std::move(definition)), configs_(std::move(configs)), settings_(std::move(settings)),
      key_(std::move(key)), device_(std::move(device)), spec_(std::move(spec)) {}

BoundKernel::~BoundKernel() = default;

Config BoundKernel::default_config() const {
  // The config space's defaults for this specialization and the device's target (reductions
  // over run-time extents loop in Helion's default chunks there).
  return ir::ConfigSpace::of(*definition_, spec_.sizes).default_config(ir::defaults_for(device_.info().caps.warp_size));
}

lower::Program BoundKernel::lower(const Config& config) const {
  const backend::Caps& caps = device_.info().caps;
  return lower::lower(definition_, config, spec_, caps.target, caps.warp_size);
}

backend::Source BoundKernel::source(const Config& config) const {
  return generate_source(device_, lower(config));
}

std::shared_ptr<const CompiledKernel> BoundKernel::compile(const Config& given) const {
  // An empty config means the defaults: compile it once under the default config's name.
  const Config config = given == Config() ? default_config() : given;
  const std::string id = config.to_json().dump();
  std::shared_ptr<CompileSlot> slot;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::shared_ptr<CompileSlot>& s = compiled_[id];
    if (!s) s = std::make_shared<CompileSlot>();
    slot = s;
  }
  std::call_once(slot->once, [&] {
    slot->result = compile_program(device_, lower(config), settings_.print_output_code);
  });
  return slot->result;
}

void BoundKernel::set_config(const Config& config) {
  std::shared_ptr<const CompiledKernel> exe = compile(config);
  std::lock_guard<std::mutex> decide(decide_mutex_);
  std::lock_guard<std::mutex> lock(mutex_);
  chosen_ = std::move(exe);
  chosen_config_ = config;
  ready_.store(chosen_.get(), std::memory_order_release);
}

std::optional<Config> BoundKernel::config() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return chosen_config_;
}

std::optional<AutotuneResult> BoundKernel::autotune_result() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return autotune_;
}

std::shared_ptr<const CompiledKernel> BoundKernel::decide(std::span<const Arg> args,
                                                          std::span<const std::int64_t> sizes,
                                                          runtime::Stream* stream) const {
  std::lock_guard<std::mutex> decide(decide_mutex_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (chosen_) return chosen_;  // decided while this thread waited
  }
  Config config;
  std::optional<AutotuneResult> tuned;
  if (configs_.size() >= 2) {
    tuned = autotune(args, sizes, stream);
    config = tuned->entries[tuned->best].config;
  } else if (configs_.size() == 1) {
    config = configs_[0];
  } else {
    config = default_config();
  }
  std::shared_ptr<const CompiledKernel> exe = compile(config);
  std::lock_guard<std::mutex> lock(mutex_);
  chosen_ = exe;
  chosen_config_ = config;
  autotune_ = std::move(tuned);
  ready_.store(exe.get(), std::memory_order_release);
  return exe;
}

void BoundKernel::run(std::span<const Arg> args, std::span<const std::int64_t> sizes,
                      runtime::Stream* stream) const {
  TS_USER_CHECK(stream == nullptr || stream->device().id() == device_.id())
      << "kernel '" << definition_->name << "': the stream is on " << stream->device().id().str()
      << " but the tensors are on " << device_.id().str() << "; create the stream on " << device_.id().str();
  // Once decided, the program is read with one atomic load: no lock on the hot path. The
  // pointee lives in `compiled_` for this object's lifetime, whatever `set_config` does later.
  const CompiledKernel* exe = ready_.load(std::memory_order_acquire);
  if (exe == nullptr) exe = decide(args, sizes, stream).get();
  // The views and scalars in the kernel's order, on the stack (no allocation per call) unless
  // the kernel has unusually many arguments.
  constexpr std::size_t kInline = 16;
  const std::size_t num_tensors = definition_->inputs.size() + definition_->outputs.size();
  const std::size_t num_scalars = args.size() - num_tensors;
  if (num_tensors > kInline || num_scalars > kInline) {
    std::vector<runtime::TensorView> tensors;
    std::vector<double> scalars;
    detail::split_args(*definition_, args, tensors, scalars);
    exe->launch(LaunchArgs{tensors, scalars, sizes}, stream);
    return;
  }
  std::array<runtime::TensorView, kInline> tensors;
  std::array<double, kInline> scalars;
  for (std::size_t i = 0; i < num_tensors; ++i) tensors[i] = args[i].tensor();
  for (std::size_t j = 0; j < num_scalars; ++j) scalars[j] = args[num_tensors + j].scalar();
  exe->launch(LaunchArgs{{tensors.data(), num_tensors}, {scalars.data(), num_scalars}, sizes}, stream);
}

void BoundKernel::operator()(std::span<const Arg> args, runtime::Stream* stream) const {
  const detail::CheckedCall call = detail::check_call(*definition_, args);
  const SpecializationKey key = detail::make_key(*definition_, settings_, args, call);
  TS_USER_CHECK(key == key_) << "kernel '" << definition_->name << "': this bound kernel is specialized for "
                             << key_.str() << " but the call is "
                             << detail::key_text(*definition_, key.codes_, key.extra_)
                             << "; call the Kernel (it binds per specialization) or bind again";
  run(args, call.sizes, stream);
}

// ---- Kernel ---------------------------------------------------------------------------------

struct Kernel::CallShape {
  std::size_t num_args = 0;
  std::vector<runtime::TensorView> tensors;  ///< the first arguments; data pointers ignored
  std::vector<std::int64_t> sizes;           ///< every size symbol, `size_vars` order
  std::shared_ptr<BoundKernel> bound;

  /// Whether `args` has this layout: then `check_call` would pass and `make_key` would give
  /// `bound`'s key. Only the data pointers may differ (a null one only for an empty tensor).
  bool matches(std::span<const Arg> args) const {
    if (args.size() != num_args) return false;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
      if (!args[i].is_tensor()) return false;
      const runtime::TensorView& t = args[i].tensor();
      const runtime::TensorView& w = tensors[i];
      if (t.dtype() != w.dtype() || t.device() != w.device() || t.rank() != w.rank()) return false;
      const auto ts = t.shape(), ws = w.shape(), tt = t.strides(), wt = w.strides();
      if (!std::equal(ts.begin(), ts.end(), ws.begin()) || !std::equal(tt.begin(), tt.end(), wt.begin())) return false;
      if (t.data() == nullptr && w.numel() != 0) return false;
    }
    for (std::size_t i = tensors.size(); i < num_args; ++i)
      if (args[i].is_tensor()) return false;
    return true;
  }
};

Kernel::~Kernel() = default;

void Kernel::remember(std::span<const Arg> args, std::span<const std::int64_t> sizes,
                      std::shared_ptr<BoundKernel> bound) const {
  const std::size_t num_tensors = definition_->inputs.size() + definition_->outputs.size();
  std::lock_guard<std::mutex> lock(mutex_);
  // A layout seen before is published again (calls alternating between shapes allocate nothing
  // after the first of each); new ones up to kMaxCallShapes since the last reset.
  for (std::size_t i = call_shapes_.size() - live_call_shapes_; i < call_shapes_.size(); ++i) {
    if (call_shapes_[i]->matches(args)) {
      last_call_.store(call_shapes_[i].get(), std::memory_order_release);
      return;
    }
  }
  if (live_call_shapes_ >= kMaxCallShapes) return;
  auto shape = std::make_unique<CallShape>();
  shape->num_args = args.size();
  for (std::size_t i = 0; i < num_tensors; ++i) shape->tensors.push_back(args[i].tensor());
  shape->sizes.assign(sizes.begin(), sizes.end());
  shape->bound = std::move(bound);
  last_call_.store(shape.get(), std::memory_order_release);
  call_shapes_.push_back(std::move(shape));
  ++live_call_shapes_;
}

Kernel::Kernel(ir::Kernel definition, Settings settings)
    : Kernel(std::make_shared<const ir::Kernel>(std::move(definition)), {}, std::move(settings)) {}

Kernel::Kernel(ir::Kernel definition, Config config, Settings settings)
    : Kernel(std::make_shared<const ir::Kernel>(std::move(definition)), {std::move(config)},
             std::move(settings)) {}

Kernel::Kernel(ir::Kernel definition, std::vector<Config> configs, Settings settings)
    : Kernel(std::make_shared<const ir::Kernel>(std::move(definition)), std::move(configs),
             std::move(settings)) {}

Kernel::Kernel(std::shared_ptr<const ir::Kernel> definition, std::vector<Config> configs, Settings settings)
    : definition_(std::move(definition)), configs_(std::move(configs)),
      settings_(resolve_settings(settings)) {
  TS_USER_CHECK(definition_ != nullptr) << "lang::Kernel: null definition";
}

SpecializationKey Kernel::specialization_key(std::span<const Arg> args) const {
  const detail::CheckedCall call = detail::check_call(*definition_, args);
  SpecializationKey key = detail::make_key(*definition_, settings_, args, call);
  key.text_ = detail::key_text(*definition_, key.codes_, key.extra_);
  return key;
}

std::shared_ptr<BoundKernel> Kernel::bind(std::span<const Arg> args) const {
  const detail::CheckedCall call = detail::check_call(*definition_, args);
  SpecializationKey key = detail::make_key(*definition_, settings_, args, call);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = bound_.find(key);
    if (it != bound_.end()) return it->second;
  }
  // Opening the device and building the specialization happen outside the lock; if two
  // threads race, the first inserted wins and the other's object is dropped (nothing compiled).
  runtime::Device device(backend::registry().open(call.device));
  key.text_ = detail::key_text(*definition_, key.codes_, key.extra_);
  auto bound = std::make_shared<BoundKernel>(definition_, configs_, settings_, key, std::move(device),
                                             detail::make_specialization(*definition_, settings_, args, call));
  std::lock_guard<std::mutex> lock(mutex_);
  return bound_.emplace(std::move(key), std::move(bound)).first->second;
}

void Kernel::operator()(std::span<const Arg> args, runtime::Stream* stream) const {
  // The hit path: the same argument layout as the latest call (CallShape). An extra key is a
  // function of the arguments beyond their layout, so such kernels always take the checked path.
  if (!settings_.extra_key) {
    const CallShape* last = last_call_.load(std::memory_order_acquire);
    if (last != nullptr && last->matches(args)) {
      last->bound->run(args, last->sizes, stream);
      return;
    }
  }
  const detail::CheckedCall call = detail::check_call(*definition_, args);
  const SpecializationKey key = detail::make_key(*definition_, settings_, args, call);
  std::shared_ptr<BoundKernel> bound;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = bound_.find(key);
    if (it != bound_.end()) bound = it->second;
  }
  if (!bound) bound = bind(args);
  bound->run(args, call.sizes, stream);
  if (!settings_.extra_key) remember(args, call.sizes, std::move(bound));
}

void Kernel::reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  bound_.clear();
  last_call_.store(nullptr, std::memory_order_release);
  live_call_shapes_ = 0;
}

std::size_t Kernel::num_bound() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bound_.size();
}

}  // namespace tessera::lang
