// SPDX-License-Identifier: Apache-2.0
// One test body for every device of every backend this binary is built for (STYLE A11): the
// CPU binary (label `conformance`) runs it on `cpu`; the GPU binary (labels `conformance;gpu`)
// runs it on each `cuda:N` and `hip:N`, and reports [SKIP] with the backend's reason where a
// vendor is not available (CI, or no AMD GPU).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <thread>
#include <vector>

#include "tessera/error.h"
#include "tessera/platform/target.h"
#include "tessera/runtime/buffer.h"
#include "tessera/runtime/dlpack.h"
#include "tessera/runtime/driver_error.h"
#include "tessera/runtime/registry.h"
#include "tessera/runtime/selftest.h"
#include "tessera/runtime/stream.h"
#include "tessera/runtime/tensor.h"

#ifndef TS_CONFORMANCE_GPU
#error "define TS_CONFORMANCE_GPU to 0 (cpu) or 1 (cuda, hip)"
#endif

namespace tessera {
namespace {

using runtime::Buffer;
using runtime::Device;
using runtime::DeviceKind;
using ::testing::HasSubstr;

/// Every device of `kind`, or a skip reason.
class DeviceTest : public ::testing::TestWithParam<DeviceKind> {
 protected:
  void SetUp() override {
    init();
    const DeviceKind kind = GetParam();
    for (const runtime::BackendStatus& s : backend_statuses()) {
      if (s.kind != kind) continue;
      if (!s.available) {
        GTEST_SKIP() << "[SKIP] " << runtime::device_kind_name(kind)
                     << " not available: " << s.reason;
      }
      for (const runtime::DeviceInfo& info : devices()) {
        if (info.id.kind == kind) devices_.push_back(open_device(info.id));
      }
      return;
    }
    GTEST_SKIP() << "[SKIP] " << runtime::device_kind_name(kind) << " is not in this build";
  }
  std::vector<Device> devices_;
};

/// Host words the device should hold after fill_pattern(seed).
std::vector<std::uint32_t> expected_pattern(std::size_t words, std::uint32_t seed) {
  std::vector<std::uint32_t> v(words);
  for (std::size_t i = 0; i < words; ++i) v[i] = runtime::pattern_word(i, seed);
  return v;
}

TEST_P(DeviceTest, FactsAreConsistentWithTheTarget) {
  for (const Device& d : devices_) {
    const runtime::DeviceInfo& info = d.info();
    SCOPED_TRACE(info.id.str() + " " + info.name);
    EXPECT_FALSE(info.name.empty());
    EXPECT_FALSE(info.platform.empty());
    ASSERT_FALSE(info.caps.target.empty()) << "device compute capability not in the target table";
    const platform::Target t = platform::Target::parse(info.caps.target);
    EXPECT_EQ(t.vendor, GetParam() == DeviceKind::cpu    ? platform::Vendor::kCpu
                        : GetParam() == DeviceKind::cuda ? platform::Vendor::kNvidia
                                                         : platform::Vendor::kAmd);
    EXPECT_GT(info.caps.compute_units, 0);
    EXPECT_GT(info.memory_bytes, 0u);
    EXPECT_FALSE(info.driver_version.empty());
    EXPECT_FALSE(info.runtime_version.empty());
    if (info.id.is_gpu()) {
      EXPECT_EQ(info.caps.warp_size, t.warp_size);
      EXPECT_GE(info.caps.max_threads_per_block, 256);
      EXPECT_GE(info.caps.smem_per_block_bytes, 32 * 1024);
      EXPECT_GE(info.caps.smem_per_sm_bytes, info.caps.smem_per_block_bytes);
      EXPECT_GT(info.l2_bytes, 0);
    }
  }
}

TEST_P(DeviceTest, FillWritesThePatternEverywhere) {
  for (const Device& d : devices_) {
    SCOPED_TRACE(d.id().str());
    // An odd word count: not a multiple of any block size, so the tail is exercised.
    const std::size_t words = (std::size_t(1) << 20) + 37;
    Buffer buf = d.allocate(words * 4);
    std::vector<std::uint32_t> host(words, 0);
    runtime::fill_pattern(buf, 77);
    runtime::copy(runtime::host_span(host.data(), words * 4), buf);
    EXPECT_EQ(host, expected_pattern(words, 77));

    runtime::Stream s = d.create_stream();
    runtime::fill_pattern(buf.span().sub(4, 4 * 100), 5, &s);  // a sub-span, on a stream
    runtime::copy_async(runtime::host_span(host.data(), words * 4), buf, s);
    s.synchronize();
    const auto sub = expected_pattern(100, 5);
    EXPECT_EQ(host[0], runtime::pattern_word(0, 77)) << "word before the sub-span changed";
    EXPECT_TRUE(std::equal(sub.begin(), sub.end(), host.begin() + 1));
    EXPECT_EQ(host[101], runtime::pattern_word(101, 77)) << "word after the sub-span changed";
  }
}

TEST_P(DeviceTest, CopiesRoundTripSyncAndAsyncFromPinnedAndPageableMemory) {
  for (const Device& d : devices_) {
    SCOPED_TRACE(d.id().str());
    const std::size_t bytes = (std::size_t(3) << 20) + 16;  // halves of whole words
    std::vector<std::uint32_t> pageable = expected_pattern(bytes / 4, 1);
    Buffer a = d.allocate(bytes);
    Buffer b = d.allocate(bytes);
    runtime::PinnedBuffer pinned = d.allocate_pinned(bytes);
    // Synchronous: pageable host -> a -> b -> pinned.
    runtime::copy(a, runtime::host_span(pageable.data(), bytes));
    runtime::copy(b, a);
    runtime::copy(pinned, b);
    EXPECT_EQ(std::memcmp(pinned.data(), pageable.data(), bytes), 0);
    // Asynchronous, on a stream, through offsets: the second half of b gets a's first half.
    runtime::Stream s = d.create_stream();
    runtime::fill_pattern(pinned, 2);
    runtime::copy_async(a, pinned, s);
    runtime::copy_async(b.span().sub(bytes / 2, bytes / 2), a.span().sub(0, bytes / 2), s);
    std::vector<std::uint32_t> back(bytes / 4);
    runtime::copy_async(runtime::host_span(back.data(), bytes), b, s);
    s.synchronize();
    const auto p2 = expected_pattern(bytes / 4, 2);
    const auto p1 = expected_pattern(bytes / 4, 1);
    const std::size_t half = bytes / 8;  // words in half the buffer
    EXPECT_TRUE(std::equal(back.begin(), back.begin() + half, p1.begin()));
    EXPECT_TRUE(std::equal(back.begin() + half, back.end(), p2.begin()));
  }
}

TEST_P(DeviceTest, MemsetSetsEveryByteOfTheSpanAndNoOther) {
  for (const Device& d : devices_) {
    SCOPED_TRACE(d.id().str());
    const std::size_t bytes = 1000003;
    Buffer buf = d.allocate(bytes);
    runtime::memset(buf, 0x11);
    runtime::Stream s = d.create_stream();
    runtime::memset(buf.span().sub(3, bytes - 6), 0xC3, &s);
    s.synchronize();
    std::vector<std::uint8_t> host(bytes);
    runtime::copy(runtime::host_span(host.data(), bytes), buf);
    for (std::size_t i : {std::size_t(0), std::size_t(2), bytes - 3, bytes - 1}) {
      EXPECT_EQ(host[i], 0x11) << i;
    }
    EXPECT_EQ(std::count(host.begin() + 3, host.end() - 3, 0xC3), std::ptrdiff_t(bytes - 6));
  }
}

TEST_P(DeviceTest, EventsTimeWorkOnTheStream) {
  for (const Device& d : devices_) {
    SCOPED_TRACE(d.id().str());
    Buffer a = d.allocate(std::size_t(64) << 20);
    Buffer b = d.allocate(std::size_t(64) << 20);
    runtime::Stream s = d.create_stream();
    runtime::Event start = d.create_event();
    runtime::Event end = d.create_event();
    start.record(s);
    for (int i = 0; i < 4; ++i) runtime::copy_async(b, a, s);
    end.record(s);
    end.synchronize();
    const float ms = runtime::elapsed_ms(start, end);
    EXPECT_GT(ms, 0.0f);
    EXPECT_LT(ms, 10000.0f);
  }
}

TEST_P(DeviceTest, OutOfMemoryIsAClearErrorAndTheDeviceStaysUsable) {
  for (const Device& d : devices_) {
    SCOPED_TRACE(d.id().str());
    // Four times the device's memory (or an impossible host size) cannot be satisfied.
    const std::size_t huge = d.id().is_gpu() ? std::size_t(d.info().memory_bytes) * 4
                                             : std::numeric_limits<std::size_t>::max() / 2;
    try {
      Buffer b = d.allocate(huge);
      ADD_FAILURE() << "allocated " << huge << " bytes";
    } catch (const runtime::OutOfMemoryError& e) {
      EXPECT_EQ(e.requested_bytes(), huge);
      EXPECT_EQ(e.device(), d.id());
      EXPECT_THAT(e.what(), HasSubstr("requested " + std::to_string(huge) + " bytes"));
      EXPECT_THAT(e.what(), HasSubstr(d.id().str()));
    }
    Buffer ok = d.allocate(4096);
    runtime::fill_pattern(ok, 3);
    std::vector<std::uint32_t> host(1024);
    runtime::copy(runtime::host_span(host.data(), 4096), ok);
    EXPECT_EQ(host, expected_pattern(1024, 3));
  }
}

TEST_P(DeviceTest, StreamsOfAnotherDeviceAndForeignBinariesAreRejected) {
  for (const Device& d : devices_) {
    SCOPED_TRACE(d.id().str());
    backend::Binary wrong;
    wrong.format = d.id().kind == DeviceKind::cpu ? backend::Binary::Format::kHsaco
                                                  : backend::Binary::Format::kSharedObject;
    wrong.kernel_name = "k";
    wrong.image = {std::byte{1}, std::byte{2}};
    EXPECT_THROW(d.load(wrong), UserError);
    if (!d.id().is_gpu()) continue;
    Device cpu = open_device("cpu");
    runtime::Stream cpu_stream = cpu.create_stream();
    Buffer buf = d.allocate(64);
    std::vector<char> host(64);
    try {
      runtime::copy_async(buf, runtime::host_span(host.data(), 64), cpu_stream);
      ADD_FAILURE();
    } catch (const UserError& e) {
      EXPECT_THAT(e.what(), HasSubstr("use a stream of " + d.id().str()));
    }
  }
}

TEST_P(DeviceTest, CorruptBinariesFailWithTheLoaderCallNamed) {
  for (const Device& d : devices_) {
    SCOPED_TRACE(d.id().str());
    backend::Binary junk;
    junk.format = d.id().kind == DeviceKind::cpu    ? backend::Binary::Format::kSharedObject
                  : d.id().kind == DeviceKind::cuda ? backend::Binary::Format::kPtx
                                                    : backend::Binary::Format::kHsaco;
    junk.kernel_name = "junk";
    const std::string text = "this is not a kernel image";
    for (char c : text) junk.image.push_back(static_cast<std::byte>(c));
    junk.image.push_back(std::byte{0});  // PTX is NUL-terminated text
    const char* loader = d.id().kind == DeviceKind::cpu    ? "dlopen"
                         : d.id().kind == DeviceKind::cuda ? "cuModuleLoadData"
                                                           : "hipModuleLoadData";
    try {
      d.load(junk);
      ADD_FAILURE() << "loaded a corrupt image";
    } catch (const runtime::DriverError& e) {
      EXPECT_EQ(e.call(), loader);
      EXPECT_EQ(e.device(), d.id());
      EXPECT_THAT(e.what(), HasSubstr("junk"));
    }
    // The device is still usable afterwards.
    Buffer ok = d.allocate(256);
    runtime::fill_pattern(ok, 4);
  }
}

TEST_P(DeviceTest, ThreadsUseOneDeviceConcurrentlyOnTheirOwnStreams) {
  for (const Device& d : devices_) {
    SCOPED_TRACE(d.id().str());
    // Fresh threads have no current CUDA context: every entry point must make one current.
    constexpr int kThreads = 4;
    constexpr std::size_t kWords = std::size_t(1) << 18;
    std::vector<int> ok(kThreads, 0);
    std::vector<std::string> errors(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        try {  // an exception escaping a std::thread would terminate the test binary
          Buffer buf = d.allocate(kWords * 4);
          runtime::Stream s = d.create_stream();
          std::vector<std::uint32_t> host(kWords);
          for (int round = 0; round < 3; ++round) {
            const auto seed = static_cast<std::uint32_t>(100 * t + round);
            runtime::fill_pattern(buf, seed, &s);
            runtime::copy_async(runtime::host_span(host.data(), kWords * 4), buf, s);
            s.synchronize();
            ok[t] += host == expected_pattern(kWords, seed) ? 1 : 0;
          }
        } catch (const std::exception& e) {
          errors[t] = e.what();
        }
      });
    }
    for (std::thread& th : threads) th.join();
    for (int t = 0; t < kThreads; ++t) {
      EXPECT_EQ(ok[t], 3) << "thread " << t << ": " << errors[t];
    }
  }
}

TEST_P(DeviceTest, TensorsExportToDLPackOnTheirDevice) {
  for (const Device& d : devices_) {
    SCOPED_TRACE(d.id().str());
    runtime::Tensor t = runtime::Tensor::empty(d, DType::bf16, {4, 8});
    DLManagedTensor* m = runtime::to_dlpack(t);
    EXPECT_EQ(m->dl_tensor.data, t.data());
    const DLDeviceType expected = d.id().kind == DeviceKind::cpu    ? kDLCPU
                                  : d.id().kind == DeviceKind::cuda ? kDLCUDA
                                                                    : kDLROCM;
    EXPECT_EQ(m->dl_tensor.device.device_type, expected);
    EXPECT_EQ(m->dl_tensor.device.device_id, d.id().index);
    runtime::Tensor back = runtime::from_dlpack(m);
    EXPECT_EQ(back.device(), d.id());
    EXPECT_EQ(back.data(), t.data());
  }
}

TEST_P(DeviceTest, SelftestPasses) {
  for (const Device& d : devices_) {
    SCOPED_TRACE(d.id().str());
    runtime::SelftestOptions options;
    options.bytes = std::size_t(8) << 20;
    options.repeats = 3;
    options.warmup = 1;
    const runtime::SelftestResult r = runtime::run_selftest(d, options);
    EXPECT_TRUE(r.passed) << r.failure;
    for (const runtime::CopyBandwidth* b : {&r.h2d, &r.d2h, &r.d2d}) {
      EXPECT_GT(b->gb_per_s, 0.0) << b->direction;
      EXPECT_EQ(b->bytes, options.bytes);
    }
  }
}

#if TS_CONFORMANCE_GPU
INSTANTIATE_TEST_SUITE_P(Gpu, DeviceTest, ::testing::Values(DeviceKind::cuda, DeviceKind::hip),
                         [](const auto& info) { return std::string(runtime::device_kind_name(info.param)); });
#else
INSTANTIATE_TEST_SUITE_P(Cpu, DeviceTest, ::testing::Values(DeviceKind::cpu),
                         [](const auto& info) { return std::string(runtime::device_kind_name(info.param)); });
#endif

}  // namespace
}  // namespace tessera
