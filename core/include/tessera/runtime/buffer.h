// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Memory: RAII buffers (device memory and pinned host memory), spans that say which device
/// their bytes are on, and the copy / memset / fill operations between them.
///
/// Copies take the direction from the spans' devices: cpu -> gpu is host-to-device,
/// gpu -> cpu device-to-host, and the same gpu on both sides device-to-device. A copy between
/// two different GPUs, or spans of different sizes, is a `UserError` naming both sides (no
/// partial copy happens). `copy` completes before returning; `copy_async` is ordered on the
/// stream, which must belong to the GPU side of the copy, and the host side must stay alive
/// and unmodified until the stream reaches it (pinned host memory makes it truly async;
/// pageable memory makes the driver stage it, which may block).
///
/// Ordering: streams are non-blocking (like PyTorch's side streams), so a synchronous `copy`,
/// `memset` or `fill_pattern` is *not* ordered after work still queued on a stream that
/// touches the same memory: synchronize that stream (or use the `_async`/stream forms on it).

#include <cstddef>
#include <cstdint>
#include <memory>

#include "tessera/runtime/device.h"
#include "tessera/runtime/device_id.h"

namespace tessera::backend {
class DeviceImpl;
}

namespace tessera::runtime {

class Stream;

/// Bytes at `data` on `device` (not owned). Host memory, pinned or not, is on `cpu`.
struct MemSpan {
  void* data = nullptr;
  std::size_t bytes = 0;
  DeviceId device;
  /// The sub-range [offset, offset + count); throws `UserError` if it does not fit.
  MemSpan sub(std::size_t offset, std::size_t count) const;
};

/// Read-only bytes at `data` on `device` (not owned). Every `MemSpan` converts to one.
struct ConstMemSpan {
  const void* data = nullptr;
  std::size_t bytes = 0;
  DeviceId device;
  ConstMemSpan() = default;
  ConstMemSpan(const void* d, std::size_t n, DeviceId dev) : data(d), bytes(n), device(dev) {}
  ConstMemSpan(const MemSpan& s) : data(s.data), bytes(s.bytes), device(s.device) {}  // NOLINT
  ConstMemSpan sub(std::size_t offset, std::size_t count) const;
};

/// Host memory as a span on `cpu`.
inline MemSpan host_span(void* data, std::size_t bytes) { return {data, bytes, DeviceId::cpu()}; }
inline ConstMemSpan host_span(const void* data, std::size_t bytes) {
  return {data, bytes, DeviceId::cpu()};
}

/// Device memory, freed on destruction. Move-only; keeps its device open. Not thread safe by
/// itself (it is a value), but distinct buffers may be used from distinct threads.
class Buffer {
 public:
  Buffer() = default;
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer();

  void* data() const { return data_; }
  std::size_t size() const { return bytes_; }
  DeviceId device() const { return device_; }
  MemSpan span() const { return {data_, bytes_, device_}; }
  operator MemSpan() const { return span(); }  // NOLINT: a buffer is usable wherever a span is
  operator ConstMemSpan() const { return span(); }  // NOLINT

 private:
  friend class Device;
  Buffer(std::shared_ptr<backend::DeviceImpl> impl, void* data, std::size_t bytes, DeviceId id);
  std::shared_ptr<backend::DeviceImpl> impl_;
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  DeviceId device_;
};

/// Page-locked host memory from a GPU's driver (cuMemHostAlloc with CU_MEMHOSTALLOC_PORTABLE,
/// so every CUDA device treats it as pinned; hipHostMalloc); its spans are on `cpu`. Freed on
/// destruction through the same driver. Move-only.
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  PinnedBuffer(PinnedBuffer&& other) noexcept;
  PinnedBuffer& operator=(PinnedBuffer&& other) noexcept;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  ~PinnedBuffer();

  void* data() const { return data_; }
  std::size_t size() const { return bytes_; }
  MemSpan span() const { return {data_, bytes_, DeviceId::cpu()}; }
  operator MemSpan() const { return span(); }  // NOLINT
  operator ConstMemSpan() const { return span(); }  // NOLINT

 private:
  friend class Device;
  PinnedBuffer(std::shared_ptr<backend::DeviceImpl> impl, void* data, std::size_t bytes);
  std::shared_ptr<backend::DeviceImpl> impl_;
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

/// Copies `src` into `dst` (same size) and returns when done. See the file comment.
void copy(MemSpan dst, ConstMemSpan src);
/// Enqueues the copy on `stream`, which must be on the GPU side of the copy (or on the CPU
/// for host-to-host copies).
void copy_async(MemSpan dst, ConstMemSpan src, Stream& stream);

/// Sets every byte of `dst` to `value`; synchronous, or ordered on `stream` if given (the
/// stream must be on `dst`'s device).
void memset(MemSpan dst, std::uint8_t value, Stream* stream = nullptr);

/// The 32-bit word `fill_pattern` writes at word index `i`: a cheap integer hash of (i, seed),
/// distinct for neighbouring indices, so a copy that drops, repeats or shifts words is caught.
/// The GPU fill kernels compute the same function (backends/gpu_common/fill_kernel.h).
constexpr std::uint32_t pattern_word(std::uint64_t i, std::uint32_t seed) {
  std::uint32_t x = static_cast<std::uint32_t>(i) * 0x9E3779B1u;
  x ^= static_cast<std::uint32_t>(i >> 32) ^ seed;
  x ^= x >> 16;
  x *= 0x85EBCA6Bu;
  x ^= x >> 13;
  return x;
}

/// Writes `pattern_word(i, seed)` to each whole 32-bit word of `dst` (on any device); the
/// size must be a multiple of 4. Synchronous, or ordered on `stream` if given.
void fill_pattern(MemSpan dst, std::uint32_t seed, Stream* stream = nullptr);

}  // namespace tessera::runtime
