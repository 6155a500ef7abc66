// SPDX-License-Identifier: Apache-2.0
// KernelRegistry and RegisteredKernel: registration, per-device resolution, picking with vLLM's
// fallbacks, and the lock-free dispatch path (registry.h).
#define TS_IMPL_REGISTRY_INTERNAL
#include "tessera/registry/registry.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <sstream>

#include "dispatch_state.h"
#include "tessera/ir/size_expr.h"

namespace tessera::registry {

using detail::CompileSlot;
using detail::DeviceState;
using detail::IntKey;
using detail::Resolved;
using detail::SlotKey;
using detail::VariantPlan;

struct RegisteredKernel::State {
  detail::InsertOnlyMap<IntKey, detail::FastRoute, detail::IntKeyHash> calls;  ///< the warm path
  detail::InsertOnlyMap<IntKey, std::unique_ptr<VariantPlan>, detail::IntKeyHash> variants;
  detail::InsertOnlyMap<runtime::DeviceId, std::unique_ptr<DeviceState>> devices;
  std::atomic<std::uint64_t> compiles{0};
  std::atomic<std::uint64_t> picks{0};
  std::atomic<std::uint64_t> traced{0};
};

namespace {

std::string list_keys(std::span<const CaseKey> keys) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < keys.size(); ++i) os << (i ? ", " : "") << keys[i].canonical();
  os << "]";
  return os.str();
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s.empty() ? "(none)" : s;
}

/// vLLM's "No configs available" reason, with what to do about it.
std::string no_configs_reason(const std::string& kernel, const std::string& platform, const ConfigSet& set,
                              const ConfigManager& configs) {
  std::ostringstream os;
  os << "No configs available for kernel '" << kernel << "' on platform '" << platform
     << "'. Platforms with configs for '" << kernel << "': " << join(set.platforms()) << " (in "
     << configs.kernel_dir(kernel).string() << "). To run it on this device, route the device to one of "
     << "them (add its name to configs/gpu_aliases.json or to a TESSERA_GPU_ALIASES file, or set "
     << "TESSERA_PLATFORM=<platform>), or tune it for '" << platform << "' and save the configs as "
     << configs.config_file_path(kernel, platform).string() << ".";
  for (const LoadProblem& p : set.load_problems())
    os << " Note: " << p.path.string() << " was skipped: " << p.message;
  return os.str();
}

/// The picker, then vLLM's fallbacks and errors (register.py, `key_computer` and
/// `config_selector`).
Route select_route(const std::string& kernel, const std::string& platform, const ConfigSet& set,
                   std::span<const CaseKey> keys, bool has_default, const ConfigPicker& picker, KernelArgs args) {
  Route r;
  r.platform = platform;
  std::optional<CaseKey> picked = picker(args, keys);
  if (picked) {
    const Config* c = set.find(platform, *picked);
    TS_USER_CHECK(c != nullptr) << "Config picker returned invalid config key '" << picked->canonical()
                                << "' for kernel '" << kernel << "' on platform '" << platform
                                << "'. Available keys: " << list_keys(keys);
    r.key = *picked;
    r.config = *c;
    return r;
  }
  TS_USER_CHECK(has_default) << "Config picker returned None for kernel '" << kernel << "' on platform '"
                             << platform << "' and its config file has no default key {} to fall back to. "
                             << "Available config keys: " << list_keys(keys)
                             << ". Add a default entry ({\"key\": {}, \"config\": {...}}) or tune this shape.";
  r.key = CaseKey::default_key();
  r.config = *set.find(platform, r.key);
  r.fell_back_to_default = true;
  return r;
}

/// The size symbols a size expression mentions.
void collect_symbols(const ir::Expr& e, std::vector<std::string>& out) {
  if (const auto* s = e.as<ir::SizeVar>()) out.push_back(s->name);
  if (const auto* b = e.as<ir::Binary>()) collect_symbols(b->a, out), collect_symbols(b->b, out);
}

std::unique_ptr<VariantPlan> make_plan(ir::Kernel kernel) {
  auto plan = std::make_unique<VariantPlan>();
  plan->kernel = std::make_shared<const ir::Kernel>(std::move(kernel));
  const ir::Kernel& k = *plan->kernel;
  auto symbol_index = [&](const std::string& name) {
    for (std::size_t i = 0; i < k.size_vars.size(); ++i)
      if (k.size_vars[i].name == name) return static_cast<int>(i);
    return -1;
  };
  plan->symbol_source.assign(k.size_vars.size(), {-1, -1});
  for (std::size_t i = 0; i < k.size_vars.size(); ++i)
    if (k.size_vars[i].specialized) plan->specialized.push_back(static_cast<int>(i));
  for (const auto* list : {&k.inputs, &k.outputs})
    for (const ir::TensorParam& t : *list) plan->tensors.push_back(&t);
  for (std::size_t ti = 0; ti < plan->tensors.size(); ++ti) {
    const ir::TensorParam& t = *plan->tensors[ti];
    std::vector<detail::DimSource> dims(t.dims.size());
    bool fixable = true;
    for (std::size_t d = 0; d < t.dims.size(); ++d) {
      const ir::Expr& e = t.dims[d];
      detail::DimSource& src = dims[d];
      if (const auto* s = e.as<ir::SizeVar>()) {
        src.symbol = symbol_index(s->name);
        TS_INTERNAL_CHECK(src.symbol >= 0) << "unknown size symbol " << s->name;
        auto& first = plan->symbol_source[static_cast<std::size_t>(src.symbol)];
        if (first.first < 0) first = {static_cast<int>(ti), static_cast<int>(d)};
        src.compile_time = k.size_vars[static_cast<std::size_t>(src.symbol)].specialized;
      } else if (const auto* c = e.as<ir::IntImm>()) {
        src.constant = c->value;
        src.compile_time = true;
      } else {
        src.expr = &e;
        std::vector<std::string> syms;
        collect_symbols(e, syms);
        src.compile_time = std::all_of(syms.begin(), syms.end(), [&](const std::string& n) {
          const int i = symbol_index(n);
          return i >= 0 && k.size_vars[static_cast<std::size_t>(i)].specialized;
        });
      }
      if (d > 0 && !src.compile_time) fixable = false;
    }
    plan->dims.push_back(std::move(dims));
    plan->strides_fixable.push_back(fixable);
  }
  for (std::size_t i = 0; i < plan->symbol_source.size(); ++i)
    TS_INTERNAL_CHECK(plan->symbol_source[i].first >= 0)
        << "kernel '" << k.name << "': size symbol '" << k.size_vars[i].name << "' is not a tensor dimension";
  return plan;
}

std::vector<std::int64_t> contiguous_strides(std::span<const std::int64_t> shape) {
  std::vector<std::int64_t> s(shape.size(), 1);
  for (std::size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * std::max<std::int64_t>(shape[i], 1);
  return s;
}

/// Whether a tensor's strides may be compile-time constants of its program: contiguous, and its
/// data 16-byte aligned. The printers turn constant strides into 16-byte vector loads and
/// cp.async copies, which fault on a misaligned address (a view at an odd element offset);
/// such a view gets run-time strides and element accesses instead (Triton specializes on
/// pointer divisibility by 16 for the same reason).
bool strides_constant(const runtime::TensorView& t) { return t.is_contiguous() && t.data_aligned16(); }

/// The largest element offset a view can address plus one (0 when empty).
std::int64_t extent_elements(const runtime::TensorView& t) {
  // Through the spans, not size(d)/stride(d): those check their argument out of line, and this
  // runs for every tensor of every call (the call key's index width).
  const std::span<const std::int64_t> shape = t.shape(), strides = t.strides();
  std::int64_t last = 0;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) return 0;
    last += (shape[d] - 1) * strides[d];
  }
  return last + 1;
}

constexpr std::size_t kMaxSizes = 16;
static_assert(std::tuple_size_v<decltype(detail::FastRoute::sizes)> == kMaxSizes);

}  // namespace

// ---------------------------------------------------------------------------------------------
// RegisteredKernel

RegisteredKernel::RegisteredKernel(KernelRegistry& owner, KernelSpec spec)
    : owner_(owner), spec_(std::move(spec)), state_(std::make_unique<State>()) {}

RegisteredKernel::~RegisteredKernel() = default;

namespace {

const DeviceState& device_state(const RegisteredKernel& k, RegisteredKernel::State& st, const KernelRegistry& owner,
                                runtime::DeviceId id);

}  // namespace

KernelStats RegisteredKernel::stats() const {
  return {state_->compiles.load(), state_->picks.load(), state_->traced.load()};
}

std::vector<CaseKey> RegisteredKernel::input_keys() const {
  TS_USER_CHECK(static_cast<bool>(spec_.inputs))
      << "No input generator registered for kernel '" << name()
      << "'. Register one with KernelSpec::inputs, or pass the case to run explicitly.";
  return spec_.inputs.keys();
}

HostArgs RegisteredKernel::make_inputs(const CaseKey& key, std::uint64_t seed) const {
  TS_USER_CHECK(static_cast<bool>(spec_.inputs))
      << "No input generator registered for kernel '" << name()
      << "'. Register one with KernelSpec::inputs, or pass the case to run explicitly.";
  return spec_.inputs.make(key, seed);
}

namespace {

/// Finds (or traces) the variant of a bound call.
const VariantPlan& find_variant(const RegisteredKernel& k, RegisteredKernel::State& st, const Binding& b,
                                std::atomic<std::uint64_t>& traced) {
  IntKey vk;
  for (std::int64_t c : b.variant) vk.push(c);
  if (const auto* p = st.variants.find(vk)) return **p;
  return *st.variants.get_or_insert(vk, [&] {
    ++traced;
    return make_plan(k.spec().define(b));
  });
}

/// Checks the bound tensors against the variant's declarations and fills the size symbols.
void bind_sizes(const std::string& kernel, const VariantPlan& plan, const Binding& b, std::int64_t* sizes) {
  const ir::Kernel& k = *plan.kernel;
  TS_INTERNAL_CHECK(b.tensors.size() == plan.tensors.size())
      << "kernel '" << kernel << "': bind gave " << b.tensors.size() << " tensors, the variant declares "
      << plan.tensors.size();
  TS_INTERNAL_CHECK(b.scalars.size() == k.scalars.size())
      << "kernel '" << kernel << "': bind gave " << b.scalars.size() << " scalars, the variant declares "
      << k.scalars.size();
  TS_INTERNAL_CHECK(k.size_vars.size() <= kMaxSizes) << "too many size symbols";
  for (std::size_t i = 0; i < plan.symbol_source.size(); ++i) {
    const auto [t, d] = plan.symbol_source[i];
    const runtime::TensorView& v = b.tensors[static_cast<std::size_t>(t)];
    TS_USER_CHECK(v.rank() == plan.tensors[static_cast<std::size_t>(t)]->rank())
        << "kernel '" << kernel << "': tensor '" << plan.tensors[static_cast<std::size_t>(t)]->name << "' must have rank "
        << plan.tensors[static_cast<std::size_t>(t)]->rank() << ", got " << v.str();
    sizes[i] = v.size(d);
  }
  std::optional<ir::SizeBindings> named;  // built only for compound dimensions
  for (std::size_t ti = 0; ti < plan.tensors.size(); ++ti) {
    const ir::TensorParam& p = *plan.tensors[ti];
    const runtime::TensorView& v = b.tensors[ti];
    TS_USER_CHECK(v.dtype() == p.dtype && v.rank() == p.rank())
        << "kernel '" << kernel << "': tensor '" << p.name << "' must be " << dtype_name(p.dtype) << " of rank "
        << p.rank() << ", got " << v.str();
    for (int d = 0; d < p.rank(); ++d) {
      const detail::DimSource& src = plan.dims[ti][static_cast<std::size_t>(d)];
      std::int64_t want;
      if (src.symbol >= 0) {
        want = sizes[src.symbol];
      } else if (!src.expr) {
        want = src.constant;
      } else {
        if (!named) {
          named.emplace();
          for (std::size_t i = 0; i < k.size_vars.size(); ++i) (*named)[k.size_vars[i].name] = sizes[i];
        }
        want = ir::eval_size(*src.expr, *named);
      }
      TS_USER_CHECK(v.size(d) == want) << "kernel '" << kernel << "': tensor '" << p.name << "' dimension " << d
                                       << " must be " << want << " (to match the other arguments), got " << v.str();
    }
  }
}

}  // namespace

namespace {

/// The slow half of a call: pick, find or create the compile slot, cache the route.
const Resolved& resolve_route(const RegisteredKernel& k, RegisteredKernel::State& st, const DeviceState& cds,
                              const VariantPlan& plan, KernelArgs args, const Binding& b, const std::int64_t* sizes,
                              const IntKey& route_key, const IntKey& slot_numbers) {
  auto& ds = const_cast<DeviceState&>(cds);  // its maps synchronize themselves
  ++st.picks;
  Route route = select_route(k.name(), ds.context.platform, *ds.configs, ds.keys, ds.has_default, k.spec().picker, args);
  SlotKey sk{slot_numbers, route.key.canonical()};
  const auto& slot = ds.slots.get_or_insert(sk, [&] {
    auto s = std::make_unique<CompileSlot>();
    s->key = route.key;
    s->config = route.config;
    CompileRequest& r = s->request;
    r.device = &ds.context;
    r.kernel = plan.kernel;
    r.key = &s->key;
    r.config = &s->config;
    const ir::Kernel& kern = *plan.kernel;
    for (int i : plan.specialized) r.sizes.emplace_back(kern.size_vars[static_cast<std::size_t>(i)].name, sizes[i]);
    for (std::size_t t = 0; t < plan.tensors.size(); ++t) {
      const runtime::TensorView& v = b.tensors[t];
      if (plan.strides_fixable[t] && strides_constant(v))
        r.strides.emplace_back(plan.tensors[t]->name, contiguous_strides(v.shape()));
      if (v.rows_aligned16()) r.aligned_rows.push_back(plan.tensors[t]->name);
      if (extent_elements(v) > std::numeric_limits<std::int32_t>::max()) r.index64 = true;
    }
    return s;
  });
  return ds.routes.get_or_insert(route_key, [&] { return Resolved{std::move(route), slot.get()}; });
}

/// The key of the warm path's one lookup (detail::FastRoute): everything of a bound call that the
/// variant, the size checks, the specialization and the pick depend on. False when it does not
/// fit an IntKey (then every call takes the three-map path).
bool call_key(runtime::DeviceId dev, const Binding& b, IntKey& key) {
  std::size_t need = 6 + b.variant.size() + b.pick_shape.size();
  for (const runtime::TensorView& t : b.tensors) need += 1 + static_cast<std::size_t>(t.rank());
  if (need > key.room()) return false;
  key.push(static_cast<std::int64_t>(dev.kind) << 32 | static_cast<std::uint32_t>(dev.index));
  key.push(static_cast<std::int64_t>(b.variant.size()));
  for (std::int64_t c : b.variant) key.push(c);
  key.push(static_cast<std::int64_t>(b.pick_shape.size()));
  for (std::int64_t s : b.pick_shape) key.push(s);
  key.push(static_cast<std::int64_t>(b.scalars.size()));
  key.push(static_cast<std::int64_t>(b.tensors.size()));
  bool index64 = false;
  for (const runtime::TensorView& t : b.tensors) {
    key.push(static_cast<std::int64_t>(t.dtype()) | std::int64_t{t.rank()} << 8 | std::int64_t{strides_constant(t)} << 16 |
             std::int64_t{t.rows_aligned16()} << 17);
    for (std::int64_t d : t.shape()) key.push(d);
    if (extent_elements(t) > std::numeric_limits<std::int32_t>::max()) index64 = true;
  }
  key.push(index64);
  return true;
}

/// Binds, validates and routes a call on its device.
struct Prepared {
  const VariantPlan* plan = nullptr;
  const Resolved* resolved = nullptr;
  const std::int64_t* sizes = nullptr;  ///< the size symbols' values (in `own` or a FastRoute)
  std::array<std::int64_t, kMaxSizes> own;  // NOLINT: filled by the slow path only
};

void prepare_slow(const RegisteredKernel& k, RegisteredKernel::State& st, const KernelRegistry& owner,
                  runtime::DeviceId dev, KernelArgs args, const Binding& b, Prepared& p);

/// The warm path: check the arguments, bind, one lookup. The first call of a key takes the
/// slow path (variant, device state, size checks, pick) and caches its result under the key.
void prepare(const RegisteredKernel& k, RegisteredKernel::State& st, const KernelRegistry& owner, KernelArgs args,
             Binding& b, Prepared& p) {
  const runtime::DeviceId dev = check_args(k.name(), k.spec().signature, args);
  k.spec().bind(args, b);
  IntKey key;
  const bool keyed = call_key(dev, b, key);
  if (keyed) {
    if (const detail::FastRoute* f = st.calls.find(key)) {
      p.plan = f->plan, p.resolved = f->resolved, p.sizes = f->sizes.data();
      return;
    }
  }
  prepare_slow(k, st, owner, dev, args, b, p);
  if (keyed) {
    const detail::FastRoute& f = st.calls.get_or_insert(key, [&] {
      detail::FastRoute r{p.plan, p.resolved, {}};
      std::copy(p.sizes, p.sizes + p.plan->kernel->size_vars.size(), r.sizes.begin());
      return r;
    });
    p.sizes = f.sizes.data();
  }
}

void prepare_slow(const RegisteredKernel& k, RegisteredKernel::State& st, const KernelRegistry& owner,
                  runtime::DeviceId dev, KernelArgs args, const Binding& b, Prepared& p) {
  p.plan = &find_variant(k, st, b, st.traced);
  const DeviceState& ds = device_state(k, st, owner, dev);
  if (ds.disabled) throw UserError("kernel '" + k.name() + "' is disabled on " + dev.str() + ": " + *ds.disabled);
  p.own.fill(0);
  p.sizes = p.own.data();
  bind_sizes(k.name(), *p.plan, b, p.own.data());

  // The specialization: variant, specialized sizes, which tensors have compile-time strides,
  // which have 16-byte aligned rows, and the index width. The route key adds the picker's shape tuple.
  IntKey numbers;
  for (std::int64_t c : b.variant) numbers.push(c);
  for (int i : p.plan->specialized) numbers.push(p.sizes[i]);
  std::int64_t bits = 0, aligned = 0;
  bool index64 = false;
  for (std::size_t t = 0; t < b.tensors.size(); ++t) {
    if (p.plan->strides_fixable[t] && strides_constant(b.tensors[t])) bits |= std::int64_t{1} << t;
    if (b.tensors[t].rows_aligned16()) aligned |= std::int64_t{1} << t;
    if (extent_elements(b.tensors[t]) > std::numeric_limits<std::int32_t>::max()) index64 = true;
  }
  numbers.push(bits);
  numbers.push(aligned);
  numbers.push(index64);
  IntKey route_key = numbers;
  route_key.push(-1);  // separator
  for (std::int64_t s : b.pick_shape) route_key.push(s);

  p.resolved = ds.routes.find(route_key);
  if (!p.resolved) p.resolved = &resolve_route(k, st, ds, *p.plan, args, b, p.sizes, route_key, numbers);
}

}  // namespace

void RegisteredKernel::call(KernelArgs args, runtime::Stream* stream) const {
  Binding b;
  Prepared p;
  prepare(*this, *state_, owner_, args, b, p);
  if (stream) {
    TS_USER_CHECK(stream->valid() && stream->device().id() == b.tensors[0].device())
        << "kernel '" << name() << "': the stream must belong to the tensors' device " << b.tensors[0].device().str();
  }
  CompileSlot& slot = *p.resolved->slot;
  const Executable* exe = slot.ready.load(std::memory_order_acquire);
  if (!exe) {
    std::call_once(slot.once, [&] {
      auto compiled = owner_.compile_fn()(slot.request);
      TS_INTERNAL_CHECK(compiled != nullptr) << "the compile function returned null for kernel '" << name() << "'";
      slot.executable = std::move(compiled);
      slot.ready.store(slot.executable.get(), std::memory_order_release);
      ++state_->compiles;
    });
    exe = slot.ready.load(std::memory_order_acquire);
  }
  const std::size_t nsizes = p.plan->kernel->size_vars.size();
  exe->launch(LaunchArgs{b.tensors.span(), b.scalars.span(), {p.sizes, nsizes}}, stream);
}

Route RegisteredKernel::route(KernelArgs args) const {
  Binding b;
  Prepared p;
  prepare(*this, *state_, owner_, args, b, p);
  return p.resolved->route;
}

Route RegisteredKernel::route_on_platform(KernelArgs args, std::string_view platform_name) const {
  const std::string platform = normalize_platform_name(platform_name);
  auto set = owner_.configs().config_set(name());
  const std::vector<CaseKey> keys = set->keys(platform);
  if (keys.empty()) {
    throw UserError("kernel '" + name() + "' is disabled on platform '" + platform +
                    "': " + no_configs_reason(name(), platform, *set, owner_.configs()));
  }
  const bool has_default = set->find(platform, CaseKey::default_key()) != nullptr;
  return select_route(name(), platform, *set, keys, has_default, spec_.picker, args);
}

std::optional<std::string> RegisteredKernel::disabled_reason(runtime::DeviceId device) const {
  return device_state(*this, *state_, owner_, device).disabled;
}

std::shared_ptr<const ir::Kernel> RegisteredKernel::variant_kernel(KernelArgs args) const {
  check_args(name(), spec_.signature, args);
  Binding b;
  spec_.bind(args, b);
  return find_variant(*this, *state_, b, state_->traced).kernel;
}

namespace {

const DeviceState& device_state(const RegisteredKernel& k, RegisteredKernel::State& st, const KernelRegistry& owner,
                                runtime::DeviceId id) {
  if (const auto* d = st.devices.find(id)) return **d;
  return *st.devices.get_or_insert(id, [&] {
    auto ds = std::make_unique<DeviceState>();
    ds->context = owner.resolve_device(id);
    ds->configs = owner.configs().config_set(k.name());
    ds->keys = ds->configs->keys(ds->context.platform);
    if (ds->keys.empty()) {
      ds->disabled = no_configs_reason(k.name(), ds->context.platform, *ds->configs, owner.configs());
    } else {
      ds->has_default = ds->configs->find(ds->context.platform, CaseKey::default_key()) != nullptr;
    }
    return ds;
  });
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// KernelRegistry

KernelRegistry::KernelRegistry(ConfigManager& configs, CompileFn compile, DeviceResolver resolve_device)
    : configs_(configs),
      compile_(compile ? std::move(compile) : CompileFn(default_compile_fn)),
      resolve_device_(resolve_device ? std::move(resolve_device) : DeviceResolver(default_device_resolver)) {}

KernelRegistry::~KernelRegistry() = default;

RegisteredKernel& KernelRegistry::register_kernel(KernelSpec spec) {
  check_kernel_name(spec.name, "kernel name given to register_kernel");
  TS_USER_CHECK(spec.bind && spec.define && spec.picker && spec.reference)
      << "register_kernel('" << spec.name << "'): bind, define, picker and reference are required ("
      << (spec.bind ? "" : "bind missing; ") << (spec.define ? "" : "define missing; ")
      << (spec.picker ? "" : "picker missing; ") << (spec.reference ? "" : "reference missing") << ")";
  for (const OutputCheck& c : spec.checks) {
    TS_USER_CHECK(c.arg < spec.signature.size() && spec.signature[c.arg].mutated)
        << "register_kernel('" << spec.name << "'): check of argument " << c.arg << " which is not a mutated argument";
    TS_USER_CHECK(!c.precision_of || (*c.precision_of < spec.signature.size() &&
                                      spec.signature[*c.precision_of].kind == ArgKind::kTensor))
        << "register_kernel('" << spec.name << "'): the check of '" << spec.signature[c.arg].name
        << "' takes its precision from argument " << *c.precision_of << ", which is not a tensor parameter";
  }
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& k : kernels_)
    TS_USER_CHECK(k->name() != spec.name) << "Kernel '" << spec.name
                                          << "' is already registered. Use a different name or check for "
                                             "duplicate registrations.";
  kernels_.push_back(std::unique_ptr<RegisteredKernel>(new RegisteredKernel(*this, std::move(spec))));
  return *kernels_.back();
}

const RegisteredKernel* KernelRegistry::find(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& k : kernels_)
    if (k->name() == name) return k.get();
  return nullptr;
}

const RegisteredKernel& KernelRegistry::get(std::string_view name) const {
  const RegisteredKernel* k = find(name);
  if (!k) {
    std::vector<std::string> names;
    for (const RegisteredKernel* r : kernels()) names.push_back(r->name());
    throw UserError("no kernel called '" + std::string(name) + "' is registered; registered kernels: " + join(names));
  }
  return *k;
}

std::vector<const RegisteredKernel*> KernelRegistry::kernels() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<const RegisteredKernel*> out;
  for (const auto& k : kernels_) out.push_back(k.get());
  return out;
}

}  // namespace tessera::registry
