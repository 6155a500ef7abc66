// SPDX-License-Identifier: Apache-2.0
// The CPU runtime's module path: a shared object built by the host compiler, loaded from
// memory, launched over a grid with the CPU launch ABI (tessera/runtime/device_impl.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "tessera/error.h"
#include "tessera/runtime/registry.h"
#include "tessera/runtime/driver_error.h"
#include "tessera/runtime/stream.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

/// Builds `source` into a shared object with the host compiler; empty if there is none.
std::vector<std::byte> build_shared_object(const std::string& source) {
  const fs::path dir = fs::temp_directory_path() / ("ts_cpu_module_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "k.cpp") << source;
  const std::string cmd = "c++ -O1 -fPIC -shared -o " + (dir / "k.so").string() + " " +
                          (dir / "k.cpp").string() + " 2>/dev/null";
  std::vector<std::byte> bytes;
  if (std::system(cmd.c_str()) == 0) {
    std::ifstream in(dir / "k.so", std::ios::binary);
    std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (char c : raw) bytes.push_back(static_cast<std::byte>(c));
  }
  fs::remove_all(dir);
  return bytes;
}

TEST(CpuModule, LoadsFromMemoryAndLaunchesEveryProgramIdOnce) {
  init();
  const std::vector<std::byte> image = build_shared_object(R"(
    #include <cstdint>
    // out[z][y][x] += x + 10*y + 100*z + scale: each program id writes its own cell.
    extern "C" void add_ids(void* const* args, std::int64_t x, std::int64_t y, std::int64_t z) {
      auto* out = *static_cast<int* const*>(args[0]);
      const int scale = *static_cast<const int*>(args[1]);
      out[(z * 3 + y) * 5 + x] += int(x + 10 * y + 100 * z) + scale;
    })");
  if (image.empty()) GTEST_SKIP() << "[SKIP] no host C++ compiler (c++) to build the test kernel";

  runtime::Device cpu = open_device("cpu");
  backend::Binary binary{backend::Binary::Format::kSharedObject, "add_ids", image, ""};
  runtime::Module module = cpu.load(binary);
  backend::Kernel kernel = module.kernel("add_ids");
  std::vector<int> out(2 * 3 * 5, 0);
  int* out_ptr = out.data();
  int scale = 1000;
  void* args[] = {&out_ptr, &scale};
  backend::LaunchParams params;
  params.grid[0] = 5;
  params.grid[1] = 3;
  params.grid[2] = 2;
  runtime::Stream stream = cpu.create_stream();
  module.launch(kernel, params, args, &stream);
  stream.synchronize();
  for (int z = 0; z < 2; ++z)
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 5; ++x)
        EXPECT_EQ(out[(z * 3 + y) * 5 + x], x + 10 * y + 100 * z + 1000) << x << "," << y << "," << z;

  EXPECT_THROW(module.kernel("missing"), UserError);
  params.grid[1] = 0;
  EXPECT_THROW(module.launch(kernel, params, args), UserError);
}

TEST(CpuModule, RejectsForeignFormatsAndBadImages) {
  init();
  runtime::Device cpu = open_device("cpu");
  backend::Binary cubin{backend::Binary::Format::kCubin, "k", {std::byte{1}}, ""};
  try {
    cpu.load(cubin);
    ADD_FAILURE();
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("kSharedObject"));
  }
  backend::Binary junk{backend::Binary::Format::kSharedObject, "k", {std::byte{0x7f}, std::byte{1}}, ""};
  EXPECT_THROW(cpu.load(junk), runtime::DriverError);
}

}  // namespace
}  // namespace tessera
