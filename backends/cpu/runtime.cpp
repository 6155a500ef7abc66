// SPDX-License-Identifier: Apache-2.0
#include "runtime.h"

#include "cpu/codegen.h"
#include "cpu/compiler.h"

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/blocked_range3d.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include "tessera/error.h"
#include "tessera/runtime/buffer.h"
#include "tessera/runtime/device_impl.h"
#include "tessera/runtime/driver_error.h"
#include "tessera/runtime/registry.h"

namespace tessera::backend::cpu {

namespace {

using runtime::DeviceId;

/// Below this many bytes a copy or fill runs on the calling thread: waking the arena costs
/// microseconds, about what one core needs to move 64 KiB.
constexpr std::size_t kParallelBytes = std::size_t(1) << 20;
/// Chunk size of parallel copies: large enough to amortize task overhead, small enough to
/// balance across cores.
constexpr std::size_t kChunkBytes = std::size_t(256) << 10;
/// Alignment of every allocation: a multiple of the largest vector (AVX-512, 64 B) and of the
/// 256 B that GPU allocators guarantee, so kernels may assume the same on every backend.
constexpr std::size_t kAlignment = 256;

/// The CPU launch ABI (device_impl.h).
using KernelFn = void (*)(void* const* args, std::int64_t, std::int64_t, std::int64_t);

class CpuStream final : public StreamImpl {
 public:
  // Operations ran to completion when they were enqueued: nothing to wait for.
  void synchronize() override {}
  void* native_handle() const override { return nullptr; }
};

class CpuEvent final : public EventImpl {
 public:
  void record(StreamImpl&) override {
    time_ = std::chrono::steady_clock::now();
    recorded_ = true;
  }
  void synchronize() override {}
  float elapsed_ms_since(const EventImpl& start) const override {
    const auto& s = static_cast<const CpuEvent&>(start);
    TS_USER_CHECK(recorded_ && s.recorded_)
        << "elapsed_ms on cpu: both events must have been recorded on a stream first";
    return std::chrono::duration<float, std::milli>(time_ - s.time_).count();
  }

 private:
  std::chrono::steady_clock::time_point time_{};
  bool recorded_ = false;
};

/// A shared object loaded from memory. glibc's dlopen hands back an already loaded object
/// whose path string matches the one asked for, so every module is loaded from a path never
/// used before in this process: "<tmp>/tessera-<pid>-<n>-XXXXXX.so", unlinked as soon as it is
/// mapped, so no file is left behind. (Loading through /proc/self/fd/N, as before, returned
/// the first module again for a later one whose memfd got the same descriptor number.)
class CpuModule final : public ModuleImpl {
 public:
  explicit CpuModule(const Binary& binary) {
    TS_USER_CHECK(binary.format == Binary::Format::kSharedObject)
        << "the cpu device loads shared objects (Binary::Format::kSharedObject); got a binary "
           "of another format for kernel '"
        << binary.kernel_name << "'";
    static std::atomic<std::uint64_t> counter{0};
    const char* tmp = std::getenv("TMPDIR");
    std::string path = cat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/tessera-", getpid(), "-",
                           counter.fetch_add(1), "-XXXXXX.so");
    const int fd = mkstemps(path.data(), 3);
    if (fd < 0) throw_errno("mkstemps", binary.kernel_name);
    std::size_t written = 0;
    while (written < binary.image.size()) {
      const ssize_t n = write(fd, binary.image.data() + written, binary.image.size() - written);
      if (n < 0) {
        close(fd);
        unlink(path.c_str());
        throw_errno("write", binary.kernel_name);
      }
      written += std::size_t(n);
    }
    close(fd);
    handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    unlink(path.c_str());  // the mapping keeps the file alive
    if (handle_ == nullptr) {
      throw runtime::DriverError("dlopen", 0, "dlopen failed", dlerror(), DeviceId::cpu(),
                                 cat("loading the shared object of kernel '",
                                     binary.kernel_name, "'"));
    }
  }
  ~CpuModule() override { dlclose(handle_); }

  Kernel kernel(std::string_view name) const override {
    const std::string symbol(name);
    void* fn = dlsym(handle_, symbol.c_str());
    TS_USER_CHECK(fn != nullptr) << "kernel '" << name << "' not found in the loaded cpu module "
                                 << "(it must be extern \"C\" with the CPU launch ABI)";
    return Kernel{fn, symbol};
  }

 private:
  [[noreturn]] static void throw_errno(const char* call, const std::string& kernel) {
    throw runtime::DriverError(call, errno, "errno", std::strerror(errno), DeviceId::cpu(),
                               cat("loading kernel '", kernel, "'"));
  }
  void* handle_ = nullptr;
};

class CpuDevice final : public DeviceImpl {
 public:
  CpuDevice() : info_(query_cpu_device_info()), arena_(std::max(1, info_.caps.compute_units)) {}

  const runtime::DeviceInfo& info() const override { return info_; }

  void* allocate(std::size_t bytes, MemoryKind) override {
    // Pinned memory on the CPU device is ordinary memory: there is no DMA engine to serve.
    const std::size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    void* p = std::aligned_alloc(kAlignment, rounded);
    if (p == nullptr) {
      throw runtime::OutOfMemoryError(
          "aligned_alloc", ENOMEM, "ENOMEM", "out of memory", DeviceId::cpu(), bytes,
          cat("requested ", bytes, " bytes of host memory (", info_.memory_bytes, " installed)"));
    }
    return p;
  }

  void deallocate(void* ptr, MemoryKind) noexcept override { std::free(ptr); }

  void copy(void* dst, const void* src, std::size_t bytes, CopyKind, StreamImpl*) override {
    if (bytes < kParallelBytes) {
      std::memcpy(dst, src, bytes);
      return;
    }
    auto* d = static_cast<char*>(dst);
    const auto* s = static_cast<const char*>(src);
    parallel_chunks(bytes, [&](std::size_t begin, std::size_t end) {
      std::memcpy(d + begin, s + begin, end - begin);
    });
  }

  void memset(void* dst, std::uint8_t value, std::size_t bytes, StreamImpl*) override {
    auto* d = static_cast<char*>(dst);
    parallel_chunks(bytes, [&](std::size_t begin, std::size_t end) {
      std::memset(d + begin, value, end - begin);
    });
  }

  void fill_pattern(void* dst, std::size_t words, std::uint32_t seed, StreamImpl*) override {
    auto* w = static_cast<std::uint32_t*>(dst);
    parallel_chunks(words * 4, [&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin / 4; i < end / 4; ++i) w[i] = runtime::pattern_word(i, seed);
    });
  }

  std::unique_ptr<StreamImpl> create_stream() override { return std::make_unique<CpuStream>(); }
  std::unique_ptr<EventImpl> create_event() override { return std::make_unique<CpuEvent>(); }
  void synchronize() override {}

  std::unique_ptr<ModuleImpl> load(const Binary& binary) override {
    return std::make_unique<CpuModule>(binary);
  }

  void launch(const Kernel& kernel, const LaunchParams& p, std::span<void* const> args,
              StreamImpl*) override {
    const auto fn = reinterpret_cast<KernelFn>(kernel.native);
    void* const* argv = args.data();
    // One call per program id; the block shape has no meaning on the CPU (the generated code
    // vectorizes within a program instead).
    arena_.execute([&] {
      tbb::parallel_for(tbb::blocked_range3d<std::int64_t>(0, p.grid[2], 0, p.grid[1], 0, p.grid[0]),
                        [&](const tbb::blocked_range3d<std::int64_t>& r) {
                          for (auto z = r.pages().begin(); z < r.pages().end(); ++z)
                            for (auto y = r.rows().begin(); y < r.rows().end(); ++y)
                              for (auto x = r.cols().begin(); x < r.cols().end(); ++x)
                                fn(argv, x, y, z);
                        });
    });
  }

 private:
  /// Runs body(begin, end) over [0, bytes) in kChunkBytes pieces on the arena (inline when small).
  template <typename Body>
  void parallel_chunks(std::size_t bytes, Body&& body) {
    if (bytes < kParallelBytes) {
      body(std::size_t(0), bytes);
      return;
    }
    const std::size_t chunks = (bytes + kChunkBytes - 1) / kChunkBytes;
    arena_.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, chunks),
                        [&](const tbb::blocked_range<std::size_t>& r) {
                          const std::size_t begin = r.begin() * kChunkBytes;
                          const std::size_t end = std::min(bytes, r.end() * kChunkBytes);
                          body(begin, end);
                        });
    });
  }

  runtime::DeviceInfo info_;
  tbb::task_arena arena_;
};

class CpuRuntime final : public Runtime {
 public:
  runtime::DeviceKind kind() const override { return runtime::DeviceKind::cpu; }
  runtime::BackendStatus status() const override {
    runtime::BackendStatus s;
    s.kind = runtime::DeviceKind::cpu;
    s.available = true;
    return s;
  }
  std::vector<runtime::DeviceInfo> enumerate() const override { return {query_cpu_device_info()}; }
  std::shared_ptr<DeviceImpl> open(int ordinal) override {
    TS_USER_CHECK(ordinal == 0) << "open_device(\"cpu:" << ordinal
                                << "\"): there is one CPU device, cpu (cpu:0)";
    return std::make_shared<CpuDevice>();
  }
};

}  // namespace

std::unique_ptr<Runtime> make_cpu_runtime() { return std::make_unique<CpuRuntime>(); }

}  // namespace tessera::backend::cpu

namespace tessera::backend {

void register_cpu_backend(Registry& registry) {
  Backend b;
  b.kind = runtime::DeviceKind::cpu;
  b.runtime = cpu::make_cpu_runtime();
  b.codegen = cpu::make_cpu_codegen();
  b.compiler = cpu::make_cpu_compiler();
  registry.add(std::move(b));
}

}  // namespace tessera::backend
