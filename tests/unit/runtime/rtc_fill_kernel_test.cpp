// SPDX-License-Identifier: Apache-2.0
// The GPU runtime's own kernel (gpu_common/fill_kernel.h) through NVRTC and hiprtc, on a
// machine without GPUs: proves the source is RTC-clean for both compilers, that binaries come
// back in the loader's format, and that compile failures carry the call and the log. This is
// the part of the HIP backend that can run without an AMD GPU.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "tessera/error.h"
#include "tessera/runtime/driver_error.h"

#if TS_TEST_CUDA
#include "cuda/runtime.h"
#endif
#if TS_TEST_HIP
#include "hip/runtime.h"
#endif

namespace tessera {
namespace {

using ::testing::HasSubstr;

bool is_elf(const backend::Binary& b) {
  return b.image.size() > 4 && std::memcmp(b.image.data(), "\x7f" "ELF", 4) == 0;
}

runtime::DeviceInfo fake_device(runtime::DeviceKind kind, const char* target) {
  runtime::DeviceInfo info;
  info.id = {kind, 0};
  info.name = "no device: compile only";
  info.caps.target = target;
  return info;
}

#if TS_TEST_CUDA
TEST(RtcFillKernel, NvrtcBuildsACubinForTheExactTarget) {
  const std::string version = backend::cuda::nvrtc_version();
  if (version.find("unavailable") != std::string::npos) GTEST_SKIP() << "[SKIP] " << version;
  for (const char* target : {"sm_80", "sm_90a"}) {
    const backend::Binary b =
        backend::cuda::compile_fill_kernel(fake_device(runtime::DeviceKind::cuda, target));
    EXPECT_EQ(b.format, backend::Binary::Format::kCubin) << target;
    EXPECT_EQ(b.kernel_name, "tessera_fill_pattern");
    EXPECT_TRUE(is_elf(b)) << target << ": a cubin is an ELF image";
  }
  // A target NVRTC rejects: the error names the call, NVRTC's error and the device.
  try {
    backend::cuda::compile_fill_kernel(fake_device(runtime::DeviceKind::cuda, "sm_1"));
    ADD_FAILURE() << "NVRTC accepted sm_1";
  } catch (const runtime::DriverError& e) {
    EXPECT_EQ(e.call(), "nvrtcCompileProgram");
    EXPECT_THAT(e.what(), HasSubstr("NVRTC_ERROR"));
    EXPECT_THAT(e.what(), HasSubstr("cuda:0"));
  }
  EXPECT_THROW(backend::cuda::compile_fill_kernel(fake_device(runtime::DeviceKind::cuda, "")),
               UserError);
}
#endif

#if TS_TEST_HIP
TEST(RtcFillKernel, HiprtcBuildsACodeObjectWithoutAnAmdGpu) {
  const std::string version = backend::hip::hiprtc_version();
  if (version.find("unavailable") != std::string::npos) GTEST_SKIP() << "[SKIP] " << version;
  // gfx90a (MI200): a target ROCm 5.2's comgr compiles without a GPU (../shared/DEPENDENCIES.md).
  const backend::Binary b =
      backend::hip::compile_fill_kernel(fake_device(runtime::DeviceKind::hip, "gfx90a"));
  EXPECT_EQ(b.format, backend::Binary::Format::kHsaco);
  EXPECT_EQ(b.kernel_name, "tessera_fill_pattern");
  EXPECT_FALSE(b.image.empty());
  EXPECT_TRUE(is_elf(b) || b.image.size() > 1024) << "an AMD code object (or offload bundle)";
  EXPECT_THROW(backend::hip::compile_fill_kernel(fake_device(runtime::DeviceKind::hip, "")),
               UserError);
}
#endif

}  // namespace
}  // namespace tessera
