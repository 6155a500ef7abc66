// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The GPU runtime written once for CUDA and HIP against an API trait ([alpaka]
/// `ApiCudaRt`/`ApiHipRt` + `unifiedCudaHip`; STYLE A2, B4). Each vendor's runtime.cpp defines
/// the trait and instantiates `GpuRuntime<Trait>`; nothing here names a vendor.
///
/// The trait (`Api`) provides, all static:
/// \code
///   static constexpr runtime::DeviceKind kKind;
///   using Context, Stream, Event, Module, Function;   // vendor handles (Stream{} = null stream)
///   static runtime::BackendStatus status();           // loads libraries once; never throws
///   static int device_count();                        // 0 when unavailable
///   static runtime::DeviceInfo query_device(int ordinal);           // throws DriverError
///   static std::string error_name(long), error_text(long);
///   static bool is_out_of_memory(long);
///   // Every call below returns ApiStatus{code, "<vendor function>"}.
///   context_retain(int ordinal, Context*)  context_release(Context&)  make_current(const Context&)
///   malloc(void**, size_t)  free(void*)  malloc_host(void**, size_t)  free_host(void*)
///   mem_get_info(size_t* free, size_t* total)
///   memcpy(void* dst, const void* src, size_t, CopyKind, Stream)    // stream-ordered
///   memset(void*, uint8_t, size_t, Stream)                          // stream-ordered
///   stream_create(Stream*)  stream_destroy(Stream)  stream_synchronize(Stream)
///   event_create(Event*)  event_destroy(Event)  event_record(Event, Stream)
///   event_synchronize(Event)  event_elapsed(float* ms, Event start, Event end)
///   device_synchronize()
///   module_load(Module*, const void* image)  module_unload(Module)
///   module_function(Function*, Module, const char*)
///   launch(Function, const LaunchParams&, Stream, void** args)
///   static Binary compile_fill_kernel(const runtime::DeviceInfo&);   // NVRTC / hiprtc
/// \endcode
///
/// Context handling: CUDA's driver API binds a context to the calling thread, HIP binds a
/// device; every entry point below first calls `Api::make_current`, so any thread may use any
/// device without set-up (cuCtxSetCurrent costs tens of nanoseconds).

#include <cstdint>
#include <iostream>
#include <memory>
#include <mutex>

#include "gpu_common/api_status.h"
#include "gpu_common/fill_kernel.h"
#include "tessera/error.h"
#include "tessera/runtime/device_impl.h"

namespace tessera::backend::gpu {

template <class Api>
class GpuStream final : public StreamImpl {
 public:
  GpuStream(typename Api::Context ctx, runtime::DeviceId id) : ctx_(ctx), id_(id) {
    check<Api>(Api::make_current(ctx_), id_);
    check<Api>(Api::stream_create(&stream_), id_);
  }
  ~GpuStream() override {
    // The owning runtime::Stream synchronized already; a failure here leaks one handle.
    if (!Api::make_current(ctx_).ok() || !Api::stream_destroy(stream_).ok()) {
      std::cerr << "tessera: destroying a stream of " << id_.str() << " failed\n";
    }
  }
  void synchronize() override {
    check<Api>(Api::make_current(ctx_), id_);
    check<Api>(Api::stream_synchronize(stream_), id_);
  }
  void* native_handle() const override { return reinterpret_cast<void*>(stream_); }
  typename Api::Stream handle() const { return stream_; }

 private:
  typename Api::Context ctx_;
  runtime::DeviceId id_;
  typename Api::Stream stream_{};
};

template <class Api>
class GpuEvent final : public EventImpl {
 public:
  GpuEvent(typename Api::Context ctx, runtime::DeviceId id) : ctx_(ctx), id_(id) {
    check<Api>(Api::make_current(ctx_), id_);
    check<Api>(Api::event_create(&event_), id_);
  }
  ~GpuEvent() override {
    if (!Api::make_current(ctx_).ok() || !Api::event_destroy(event_).ok()) {
      std::cerr << "tessera: destroying an event of " << id_.str() << " failed\n";
    }
  }
  void record(StreamImpl& stream) override {
    check<Api>(Api::make_current(ctx_), id_);
    check<Api>(Api::event_record(event_, static_cast<GpuStream<Api>&>(stream).handle()), id_);
  }
  void synchronize() override {
    check<Api>(Api::make_current(ctx_), id_);
    check<Api>(Api::event_synchronize(event_), id_);
  }
  float elapsed_ms_since(const EventImpl& start) const override {
    float ms = 0;
    check<Api>(Api::make_current(ctx_), id_);
    check<Api>(Api::event_elapsed(&ms, static_cast<const GpuEvent&>(start).event_, event_), id_,
               "elapsed time needs both events recorded and completed");
    return ms;
  }

 private:
  typename Api::Context ctx_;
  runtime::DeviceId id_;
  typename Api::Event event_{};
};

template <class Api>
class GpuModule final : public ModuleImpl {
 public:
  GpuModule(typename Api::Context ctx, runtime::DeviceId id, const Binary& binary)
      : ctx_(ctx), id_(id) {
    check<Api>(Api::make_current(ctx_), id_);
    check<Api>(Api::module_load(&module_, binary.image.data()), id_,
               cat("loading the module of kernel '", binary.kernel_name, "' (",
                   binary.image.size(), " bytes)"));
  }
  ~GpuModule() override {
    if (!Api::make_current(ctx_).ok() || !Api::module_unload(module_).ok()) {
      std::cerr << "tessera: unloading a module on " << id_.str() << " failed\n";
    }
  }
  Kernel kernel(std::string_view name) const override {
    const std::string symbol(name);
    typename Api::Function fn{};
    check<Api>(Api::make_current(ctx_), id_);
    check<Api>(Api::module_function(&fn, module_, symbol.c_str()), id_,
               cat("looking up kernel '", name, "' (it must be extern \"C\" __global__)"));
    return Kernel{reinterpret_cast<void*>(fn), symbol};
  }

 private:
  typename Api::Context ctx_;
  runtime::DeviceId id_;
  typename Api::Module module_{};
};

template <class Api>
class GpuDevice final : public DeviceImpl {
 public:
  GpuDevice(int ordinal, runtime::DeviceInfo info) : info_(std::move(info)) {
    check<Api>(Api::context_retain(ordinal, &ctx_), info_.id);
  }
  ~GpuDevice() override {
    fill_module_.reset();  // unload before the context goes
    if (!Api::context_release(ctx_).ok()) {
      std::cerr << "tessera: releasing the context of " << info_.id.str() << " failed\n";
    }
  }

  const runtime::DeviceInfo& info() const override { return info_; }

  void* allocate(std::size_t bytes, MemoryKind kind) override {
    current();
    void* p = nullptr;
    const ApiStatus s = kind == MemoryKind::kDevice ? Api::malloc(&p, bytes)
                                                    : Api::malloc_host(&p, bytes);
    if (!s.ok()) {
      std::string detail = cat("requested ", bytes, " bytes of ",
                               kind == MemoryKind::kDevice ? "device" : "pinned host", " memory");
      std::size_t free = 0, total = 0;
      if (kind == MemoryKind::kDevice && Api::mem_get_info(&free, &total).ok()) {
        detail += cat("; the device has ", free, " of ", total, " bytes free");
      }
      throw_api_error(s, Api::error_name(s.code), Api::error_text(s.code),
                      Api::is_out_of_memory(s.code), info_.id, bytes, detail);
    }
    return p;
  }

  void deallocate(void* ptr, MemoryKind kind) noexcept override {
    const bool ok = Api::make_current(ctx_).ok() &&
                    (kind == MemoryKind::kDevice ? Api::free(ptr) : Api::free_host(ptr)).ok();
    if (!ok) std::cerr << "tessera: freeing memory on " << info_.id.str() << " failed\n";
  }

  void copy(void* dst, const void* src, std::size_t bytes, CopyKind kind,
            StreamImpl* stream) override {
    current();
    check<Api>(Api::memcpy(dst, src, bytes, kind, handle(stream)), info_.id,
               cat("copying ", bytes, " bytes"));
    if (stream == nullptr) wait_null_stream();
  }

  void memset(void* dst, std::uint8_t value, std::size_t bytes, StreamImpl* stream) override {
    current();
    check<Api>(Api::memset(dst, value, bytes, handle(stream)), info_.id);
    if (stream == nullptr) wait_null_stream();
  }

  void fill_pattern(void* dst, std::size_t words, std::uint32_t seed,
                    StreamImpl* stream) override {
    // Compiled and loaded on first use only, so devices never asked to fill pay nothing.
    std::call_once(fill_once_, [&] {
      const Binary binary = Api::compile_fill_kernel(info_);
      fill_module_ = std::make_unique<GpuModule<Api>>(ctx_, info_.id, binary);
      fill_kernel_ = fill_module_->kernel(kFillKernelName);
    });
    LaunchParams p;
    const std::uint64_t blocks_needed = (words + kFillBlock - 1) / kFillBlock;
    const std::uint64_t blocks_max =
        std::uint64_t(std::max(1, info_.caps.compute_units)) * kFillBlocksPerUnit;
    p.grid[0] = static_cast<std::uint32_t>(std::max<std::uint64_t>(1, std::min(blocks_needed, blocks_max)));
    p.block[0] = kFillBlock;
    unsigned long long n = words;
    void* out = dst;
    void* args[] = {&out, &n, &seed};
    launch(fill_kernel_, p, args, stream);
    if (stream == nullptr) wait_null_stream();
  }

  std::unique_ptr<StreamImpl> create_stream() override {
    return std::make_unique<GpuStream<Api>>(ctx_, info_.id);
  }
  std::unique_ptr<EventImpl> create_event() override {
    return std::make_unique<GpuEvent<Api>>(ctx_, info_.id);
  }
  void synchronize() override {
    current();
    check<Api>(Api::device_synchronize(), info_.id);
  }

  std::unique_ptr<ModuleImpl> load(const Binary& binary) override {
    const bool ours = Api::kKind == runtime::DeviceKind::cuda
                          ? (binary.format == Binary::Format::kCubin ||
                             binary.format == Binary::Format::kPtx)
                          : binary.format == Binary::Format::kHsaco;
    TS_USER_CHECK(ours && !binary.image.empty())
        << "cannot load kernel '" << binary.kernel_name << "' on " << info_.id.str()
        << ": expected a non-empty "
        << (Api::kKind == runtime::DeviceKind::cuda ? "cubin or PTX" : "HSA code object")
        << " image";
    return std::make_unique<GpuModule<Api>>(ctx_, info_.id, binary);
  }

  void launch(const Kernel& kernel, const LaunchParams& params, std::span<void* const> args,
              StreamImpl* stream) override {
    current();
    auto fn = reinterpret_cast<typename Api::Function>(kernel.native);
    const ApiStatus s = Api::launch(fn, params, handle(stream), const_cast<void**>(args.data()));
    // The message is built only on failure: a cached call must not allocate (issue 5's
    // host-overhead target).
    if (!s.ok()) {
      check<Api>(s, info_.id,
                 cat("launching '", kernel.name, "' with grid ", params.grid[0], "x",
                     params.grid[1], "x", params.grid[2], ", block ", params.block[0], "x",
                     params.block[1], "x", params.block[2], ", ", params.smem_bytes,
                     " bytes of dynamic shared memory"));
    }
  }

  // Vendors with tensor maps (CUDA) give the trait an `encode_tensor_map`; the others keep
  // DeviceImpl's refusal.
  void encode_tensor_map(const TensorMapParam& param, const void* data, std::int64_t rows, std::int64_t cols,
                         std::int64_t row_stride, TensorMapBlob* out) const override {
    if constexpr (requires { Api::encode_tensor_map(param, data, rows, cols, row_stride, out); }) {
      const ApiStatus s = Api::encode_tensor_map(param, data, rows, cols, row_stride, out);
      if (!s.ok())
        check<Api>(s, info_.id,
                   cat("encoding the tensor map of '", param.tensor, "' (", rows, " x ", cols, ", row stride ",
                       row_stride, " elements, box ", param.box_rows, " x ", param.box_cols, ", swizzle ",
                       param.swizzle_bytes, " B)"));
    } else {
      DeviceImpl::encode_tensor_map(param, data, rows, cols, row_stride, out);
    }
  }

 private:
  void current() { check<Api>(Api::make_current(ctx_), info_.id); }
  /// Synchronous operations run on the null stream and wait for it: a "synchronous" vendor
  /// copy may return before the device finishes (device-to-device, pageable host-to-device),
  /// and the null stream does not wait for Tessera's non-blocking streams.
  void wait_null_stream() {
    check<Api>(Api::stream_synchronize(typename Api::Stream{}), info_.id);
  }
  static typename Api::Stream handle(StreamImpl* s) {
    return s != nullptr ? static_cast<GpuStream<Api>*>(s)->handle() : typename Api::Stream{};
  }

  runtime::DeviceInfo info_;
  typename Api::Context ctx_{};
  std::once_flag fill_once_;
  std::unique_ptr<GpuModule<Api>> fill_module_;
  Kernel fill_kernel_;
};

/// The `Runtime` role over the trait: status and enumeration never throw for a missing
/// driver; `open` explains why it cannot.
template <class Api>
class GpuRuntime final : public Runtime {
 public:
  runtime::DeviceKind kind() const override { return Api::kKind; }
  runtime::BackendStatus status() const override { return Api::status(); }

  std::vector<runtime::DeviceInfo> enumerate() const override {
    std::vector<runtime::DeviceInfo> out;
    const int n = Api::status().available ? Api::device_count() : 0;
    for (int i = 0; i < n; ++i) out.push_back(Api::query_device(i));
    return out;
  }

  std::shared_ptr<DeviceImpl> open(int ordinal) override {
    const runtime::BackendStatus s = Api::status();
    const runtime::DeviceId id{Api::kKind, ordinal};
    TS_USER_CHECK(s.available) << "open_device(\"" << id.str() << "\"): "
                               << runtime::device_kind_name(Api::kKind)
                               << " is not available: " << s.reason;
    const int n = Api::device_count();
    TS_USER_CHECK(ordinal >= 0 && ordinal < n)
        << "open_device(\"" << id.str() << "\"): this machine has " << n << " "
        << runtime::device_kind_name(Api::kKind) << " device" << (n == 1 ? "" : "s") << " ("
        << runtime::device_kind_name(Api::kKind) << ":0"
        << (n > 1 ? cat(" .. ", runtime::device_kind_name(Api::kKind), ":", n - 1) : "")
        << "); `tessera devices` lists them";
    return std::make_shared<GpuDevice<Api>>(ordinal, Api::query_device(ordinal));
  }
};

}  // namespace tessera::backend::gpu
