// SPDX-License-Identifier: Apache-2.0
// Registration, enumeration and the error paths of device choice, on any machine.
#include "tessera/runtime/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tessera/error.h"
#include "tessera/platform/target.h"
#include "tessera/runtime/buffer.h"

namespace tessera {
namespace {

using runtime::DeviceId;
using runtime::DeviceKind;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(Registry, InitRegistersCpuFirstAndIsIdempotent) {
  init();
  init();
  auto backends = backend::registry().backends();
  ASSERT_FALSE(backends.empty());
  EXPECT_EQ(backends[0]->kind, DeviceKind::cpu);
  for (std::size_t i = 1; i < backends.size(); ++i) {
    EXPECT_NE(backends[i]->kind, DeviceKind::cpu);
  }
}

TEST(Registry, DevicesListTheCpuWithItsFacts) {
  init();
  auto all = devices();
  ASSERT_FALSE(all.empty());
  const runtime::DeviceInfo& cpu = all[0];
  EXPECT_EQ(cpu.id, DeviceId::cpu());
  EXPECT_THAT(cpu.platform, StartsWith("cpu_"));
  EXPECT_EQ(platform::Target::parse(cpu.caps.target).str(), cpu.caps.target);
  EXPECT_EQ(platform::Target::parse(cpu.caps.target).vendor, platform::Vendor::kCpu);
  EXPECT_GE(cpu.caps.compute_units, 1);
  EXPECT_EQ(cpu.caps.warp_size, 1);
  EXPECT_GT(cpu.memory_bytes, 0u);
  EXPECT_FALSE(cpu.runtime_version.empty());
  // GPUs follow in backend order, each with its own kind.
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_TRUE(all[i].id.is_gpu());
}

TEST(Registry, UnavailableBackendsSayWhy) {
  init();
  for (const runtime::BackendStatus& s : backend_statuses()) {
    if (s.kind == DeviceKind::cpu) {
      EXPECT_TRUE(s.available);
    }
    if (!s.available) {
      EXPECT_FALSE(s.reason.empty()) << runtime::device_kind_name(s.kind);
      // Opening a device of an unavailable backend repeats the reason.
      try {
        open_device(DeviceId{s.kind, 0});
        ADD_FAILURE() << "opened a device of an unavailable backend";
      } catch (const UserError& e) {
        EXPECT_THAT(e.what(), HasSubstr(s.reason));
      }
    }
  }
}

TEST(Registry, BadIndicesAreUserErrors) {
  init();
  try {
    open_device("cpu:1");
    ADD_FAILURE();
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("one CPU device"));
  }
  // 99 is past any machine's GPU count; the error lists what exists or why there is none.
  for (const char* id : {"cuda:99", "hip:99"}) {
    const auto kind = DeviceId::parse(id).kind;
    if (backend::registry().find(kind) == nullptr) continue;
    EXPECT_THROW(open_device(id), UserError) << id;
  }
}

TEST(Registry, OpenReturnsOneSharedDevicePerId) {
  init();
  runtime::Device a = open_device("cpu");
  runtime::Device b = open_device(DeviceId::cpu());
  EXPECT_EQ(&a.impl(), &b.impl());
  EXPECT_EQ(a.id(), DeviceId::cpu());
  EXPECT_THROW(runtime::Device().info(), UserError);
}

TEST(Copy, MismatchedCopiesAreRejectedBeforeAnyDriverCall) {
  init();
  char a[16] = {}, b[8] = {};
  try {
    runtime::copy(runtime::host_span(a, 16), runtime::host_span(b, 8));
    ADD_FAILURE();
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("destination has 16 bytes"));
    EXPECT_THAT(e.what(), HasSubstr("source has 8 bytes"));
  }
  // GPU to another GPU: refused by the plan, without touching either driver.
  runtime::MemSpan on_cuda{a, 8, DeviceId::parse("cuda:0")};
  runtime::MemSpan on_hip{b, 8, DeviceId::parse("hip:0")};
  try {
    runtime::copy(on_hip, on_cuda);
    ADD_FAILURE();
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("from cuda:0 to hip:0"));
  }
  try {
    runtime::copy(runtime::host_span(a, 16), runtime::host_span(a + 4, 16 - 4).sub(0, 12));
    ADD_FAILURE();
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("destination has 16 bytes"));
  }
  EXPECT_THROW(runtime::copy(runtime::host_span(a, 12), runtime::host_span(a + 4, 12)),
               UserError);  // overlap
  EXPECT_THROW(runtime::host_span(a, 16).sub(10, 7), UserError);
  EXPECT_THROW(runtime::fill_pattern(runtime::host_span(a, 6), 1), UserError);
}

}  // namespace
}  // namespace tessera
