// SPDX-License-Identifier: Apache-2.0
#include "tessera/runtime/selftest.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "tessera/error.h"
#include "tessera/runtime/buffer.h"
#include "tessera/runtime/stream.h"

namespace tessera::runtime {

namespace {

/// Empty if `words` holds pattern_word(i, seed) everywhere; else the first mismatch.
std::string verify(const PinnedBuffer& host, std::uint32_t seed, const char* step) {
  const auto* words = static_cast<const std::uint32_t*>(host.data());
  const std::size_t n = host.size() / 4;
  for (std::size_t i = 0; i < n; ++i) {
    if (words[i] != pattern_word(i, seed)) {
      return cat(step, ": word ", i, " of ", n, " is 0x", std::hex, words[i], ", expected 0x",
                 pattern_word(i, seed));
    }
  }
  return {};
}

template <typename Copy>
CopyBandwidth time_copies(const char* direction, std::size_t bytes, Device& device,
                          Stream& stream, const SelftestOptions& options, Copy&& enqueue) {
  Event start = device.create_event();
  Event end = device.create_event();
  for (int i = 0; i < options.warmup; ++i) enqueue();
  stream.synchronize();
  std::vector<double> ms;
  for (int i = 0; i < options.repeats; ++i) {
    start.record(stream);
    enqueue();
    end.record(stream);
    end.synchronize();
    ms.push_back(elapsed_ms(start, end));
  }
  std::sort(ms.begin(), ms.end());
  CopyBandwidth bw;
  bw.direction = direction;
  bw.bytes = bytes;
  bw.median_ms = ms[ms.size() / 2];
  // Read + written bytes over the time; 1 GB = 1e9 bytes.
  bw.gb_per_s = bw.median_ms > 0 ? 2.0 * double(bytes) / (bw.median_ms * 1e-3) / 1e9 : 0.0;
  return bw;
}

}  // namespace

SelftestResult run_selftest(const Device& device_in, const SelftestOptions& options) {
  TS_USER_CHECK(options.bytes > 0 && options.bytes % 4 == 0)
      << "selftest: the size must be a positive multiple of 4 bytes, got " << options.bytes;
  TS_USER_CHECK(options.repeats > 0 && options.warmup >= 0)
      << "selftest: repeats must be positive and warmup non-negative";
  Device device = device_in;
  SelftestResult result;
  result.device = device.id();
  const std::size_t bytes = options.bytes;

  Buffer a = device.allocate(bytes);
  Buffer b = device.allocate(bytes);
  PinnedBuffer host_in = device.allocate_pinned(bytes);
  PinnedBuffer host_out = device.allocate_pinned(bytes);
  Stream stream = device.create_stream();

  // 1. The device writes a pattern itself (a kernel on GPUs); the host checks it.
  memset(host_out, 0, nullptr);
  fill_pattern(a, 0x1234u, &stream);
  copy_async(host_out, a, stream);
  stream.synchronize();
  result.failure = verify(host_out, 0x1234u, "device fill, then D2H");

  // 2. The host writes another pattern; H2D, D2D, D2H, and check it arrived intact.
  if (result.failure.empty()) {
    fill_pattern(host_in, 0xBEEFu, nullptr);
    memset(b, 0xA5, &stream);
    copy_async(a, host_in, stream);
    copy_async(b, a, stream);
    copy_async(host_out, b, stream);
    stream.synchronize();
    result.failure = verify(host_out, 0xBEEFu, "H2D, D2D, then D2H");
  }
  if (!result.failure.empty()) return result;

  // 3. Bandwidth: pinned host memory for H2D/D2H, so the DMA engines run at full speed.
  result.h2d = time_copies("H2D", bytes, device, stream, options,
                           [&] { copy_async(a, host_in, stream); });
  result.d2h = time_copies("D2H", bytes, device, stream, options,
                           [&] { copy_async(host_out, a, stream); });
  result.d2d = time_copies("D2D", bytes, device, stream, options,
                           [&] { copy_async(b, a, stream); });
  result.passed = true;
  return result;
}

}  // namespace tessera::runtime
