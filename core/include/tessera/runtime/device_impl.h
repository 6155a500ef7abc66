// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The per-device half of the `Runtime` role: what a backend implements for one open device
/// ([alpaka] Device/Queue/Event). Users do not call these directly: they use the RAII types of
/// device.h, buffer.h and stream.h, which validate arguments first, so implementations may
/// assume sizes, devices and stream ownership are consistent.
///
/// Asynchrony: every operation that takes a `StreamImpl*` runs in stream order when the
/// pointer is non-null and returns before completion (a GPU may still be reading the source);
/// with a null stream it completes before returning. The CPU backend runs every operation
/// inline, so its streams are always complete.
///
/// CPU launch ABI (what the CPU code generator emits): each kernel is
/// `extern "C" void name(void* const* args, std::int64_t pid_x, std::int64_t pid_y,
/// std::int64_t pid_z)` and is called once per program id of the grid, concurrently on a
/// oneTBB arena; `args[i]` points at the i-th argument's value, as in cuLaunchKernel.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "tessera/runtime/backend.h"
#include "tessera/runtime/device_info.h"

namespace tessera::backend {

/// Where an allocation lives.
enum class MemoryKind : std::uint8_t {
  kDevice,      ///< device memory (host memory for the CPU device)
  kPinnedHost,  ///< page-locked host memory, for truly asynchronous copies
};

/// Direction of a copy, decided by the caller from the two sides' devices.
enum class CopyKind : std::uint8_t { kHostToDevice, kDeviceToHost, kDeviceToDevice };

/// A work queue on one device. Destroying it waits for nothing: the owner synchronizes first.
class StreamImpl {
 public:
  virtual ~StreamImpl() = default;
  /// Blocks until all work enqueued so far has completed; throws `DriverError` on failure.
  virtual void synchronize() = 0;
  /// The vendor handle (CUstream / hipStream_t), for interop with other libraries; null on CPU.
  virtual void* native_handle() const = 0;
};

/// A point in a stream's work, with a timestamp.
class EventImpl {
 public:
  virtual ~EventImpl() = default;
  /// Captures the current end of `stream`'s work; the event completes when that work does.
  virtual void record(StreamImpl& stream) = 0;
  /// Blocks until the recorded work has completed.
  virtual void synchronize() = 0;
  /// Milliseconds from `start` to this event; both must be recorded and complete.
  virtual float elapsed_ms_since(const EventImpl& start) const = 0;
};

/// A kernel entry point in a loaded module: the vendor handle (CUfunction, hipFunction_t, or
/// the CPU function pointer), valid while its module lives.
struct Kernel {
  void* native = nullptr;
  std::string name;
};

/// A loaded binary. Unloaded on destruction; kernels from it must not be launched afterwards.
class ModuleImpl {
 public:
  virtual ~ModuleImpl() = default;
  /// Looks up an entry point; throws `UserError` naming the kernel and the module if absent.
  virtual Kernel kernel(std::string_view name) const = 0;
};

/// Grid, block and dynamic shared memory of one launch.
struct LaunchParams {
  std::uint32_t grid[3] = {1, 1, 1};
  std::uint32_t block[3] = {1, 1, 1};
  std::uint32_t smem_bytes = 0;
};

/// One open device. Thread safe: several threads may allocate, copy and launch at once
/// (on distinct streams, or the null stream).
class DeviceImpl {
 public:
  virtual ~DeviceImpl() = default;
  virtual const runtime::DeviceInfo& info() const = 0;

  /// Allocates `bytes` (> 0) of `kind`. Throws `runtime::OutOfMemoryError` when the device
  /// cannot, with the free/total memory in the message. Alignment: at least 256 bytes.
  virtual void* allocate(std::size_t bytes, MemoryKind kind) = 0;
  /// Frees what `allocate` returned. Never throws (called from destructors); a driver failure
  /// here is reported on stderr once.
  virtual void deallocate(void* ptr, MemoryKind kind) noexcept = 0;

  /// Copies `bytes` between this device and the host (or within this device).
  virtual void copy(void* dst, const void* src, std::size_t bytes, CopyKind kind,
                    StreamImpl* stream) = 0;
  /// Sets `bytes` bytes of this device's memory at `dst` to `value`.
  virtual void memset(void* dst, std::uint8_t value, std::size_t bytes, StreamImpl* stream) = 0;
  /// Writes `runtime::pattern_word(i, seed)` to the i-th 32-bit word of `dst` for i < `words`:
  /// distinct, index-dependent data to poison outputs and verify copies without a host
  /// round trip. GPU backends run a small run-time-compiled kernel, built once per device.
  virtual void fill_pattern(void* dst, std::size_t words, std::uint32_t seed,
                            StreamImpl* stream) = 0;

  virtual std::unique_ptr<StreamImpl> create_stream() = 0;
  virtual std::unique_ptr<EventImpl> create_event() = 0;
  /// Waits for all work on the device (every stream).
  virtual void synchronize() = 0;

  /// Loads a binary of the device's format; throws `UserError` for a wrong format and
  /// `DriverError` when the loader rejects it (with the loader's log where it gives one).
  virtual std::unique_ptr<ModuleImpl> load(const Binary& binary) = 0;
  /// Launches `kernel` with `args` (pointers to argument values, as cuLaunchKernel's
  /// kernelParams). Does not synchronize.
  virtual void launch(const Kernel& kernel, const LaunchParams& params,
                      std::span<void* const> args, StreamImpl* stream) = 0;
  /// Encodes the tensor map `param` describes for a `rows` x `cols` tensor at `data` whose rows
  /// are `row_stride` elements apart (its columns contiguous). Host-only work, no device call.
  /// Throws `UserError` naming the tensor when the device has no tensor maps (this default:
  /// only CUDA on sm_90+ does) or the tensor does not qualify (alignment, strides).
  virtual void encode_tensor_map(const TensorMapParam& param, const void* data, std::int64_t rows,
                                 std::int64_t cols, std::int64_t row_stride, TensorMapBlob* out) const;
};

}  // namespace tessera::backend
