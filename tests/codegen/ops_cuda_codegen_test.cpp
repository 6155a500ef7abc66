// SPDX-License-Identifier: Apache-2.0
// The CUDA source of a registered op's kernel as the registry compiles it (its bind, picker,
// config file and specialization), for sm_90a without a GPU: a registry whose device resolver
// calls the host's cpu:0 an H100 and whose compile function lowers the request exactly as
// `default_compile_fn` does (registry::lower_request) and keeps the generated source.
// TESSERA_TEST_PRINT_SOURCE=1 prints it.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <unistd.h>

#include "cuda/api.h"
#include "cuda/codegen.h"
#include "cuda/compiler.h"
#include "ops/ops.h"
#include "tessera/config/config_manager.h"
#include "tessera/registry/registry.h"

namespace tessera::ops {
namespace {

using runtime::DeviceId;
using runtime::TensorView;

/// Never launched: the test only reads the source.
class SourceOnly final : public registry::Executable {
 public:
  void launch(const registry::LaunchArgs&, runtime::Stream*) const override {}
};

struct Generated {
  std::string source;
  backend::gpu::KernelSource kernel;  ///< the last compile's, for NVRTC
  std::uint64_t compiles = 0;  ///< the registry's compiles over all the calls
};

/// The source `op` gets on an H100 (configs/<op>/nvidia_h100.json) for the calls `calls` (each
/// a positional argument list); the source is the last compile's.
Generated h100_source(const std::string& op, const std::vector<std::vector<registry::ArgValue>>& calls,
                        const std::filesystem::path& config_dir = TS_SOURCE_DIR "/configs") {
  ConfigManager configs(config_dir);
  Generated out;
  registry::KernelRegistry reg(
      configs,
      [&](const registry::CompileRequest& r) {
        out.kernel = backend::cuda::emit_cuda_kernel(registry::lower_request(r));
        out.source = out.kernel.source.text;
        return std::make_shared<SourceOnly>();
      },
      [](DeviceId id) {
        registry::DeviceContext c;
        c.id = id;
        c.platform = "nvidia_h100";
        c.target = "sm_90a";
        c.warp_size = 32;
        c.compute_units = 132;
        return c;
      });
  for (registry::KernelSpec& s : op_specs())
    if (s.name == op) reg.register_kernel(std::move(s));
  for (const auto& args : calls) reg.get(op).call(args);
  out.compiles = reg.get(op).stats().compiles;
  if (const char* e = std::getenv("TESSERA_TEST_PRINT_SOURCE"); e && *e == '1') std::cout << out.source;
  return out;
}

/// Never read (only shapes, strides and the address matter without a launch); 16-byte aligned.
alignas(16) std::byte g_data[32];

std::vector<registry::ArgValue> matmul_args(std::int64_t m, std::int64_t n, std::int64_t k, std::size_t a_offset = 0) {
  const DeviceId cpu = DeviceId::cpu();
  return {TensorView(g_data, DType::bf16, {m, n}, cpu), TensorView(g_data + a_offset, DType::bf16, {m, k}, cpu),
          TensorView(g_data, DType::bf16, {k, n}, cpu)};
}

// The H100 run of 2026-11-22 (9dfa6ad): the op took 690-900 us at m = 1..1024, n = k = 4096,
// while the example kernel with the same config ran 4096^3 in 284 us. The op specialized no
// size, so every stride was a run-time value: one stage of masked 2-byte element copies into the
// wgmma buffers instead of the 4-stage cp.async pipeline.
TEST(OpsCudaCodegen, MatmulAtVllmShapesRunsTheCpAsyncWgmmaPipeline) {
  const Generated g = h100_source("matmul", {matmul_args(1024, 4096, 4096)});
  const std::string& s = g.source;
  EXPECT_NE(s.find("note: loop tile_k: cp.async pipeline, 4 stages"), std::string::npos) << s;
  EXPECT_EQ(s.find("one stage"), std::string::npos);
  EXPECT_NE(s.find("// dot: SM90_64x256x16_F32BF16BF16_SS (wgmma), 2 warpgroup(s) along M"), std::string::npos);
  EXPECT_EQ(s.find("fmaf("), std::string::npos);
  // n and k are compile-time: whole N and K tiles, no bounds; m (the token count) stays run-time.
  EXPECT_NE(s.find("tile tile_n: block 256, extent 4096, unmasked"), std::string::npos);
  EXPECT_NE(s.find("tile tile_k: block 64, extent 4096, unmasked"), std::string::npos);
  EXPECT_NE(s.find("tile tile_m: block 128, extent dynamic, masked"), std::string::npos);
  EXPECT_NE(s.find("params: tensor:a tensor:b tensor:out size:m\n"), std::string::npos);
  // B's rows are all in range: full 16-byte copies with no size operand arithmetic.
  EXPECT_NE(s.find("ts::cp_async16(dst, &p_b["), std::string::npos);
  EXPECT_EQ(s.find("(scalar: strides are run-time values)"), std::string::npos);
  if (!backend::cuda::nvrtc().ok()) GTEST_SKIP() << "NVRTC is not available here: the source was checked, not compiled";
  const backend::cuda::NvrtcResult r = backend::cuda::nvrtc_compile(g.kernel.source, {"sm_90a", {}}, true);
  const backend::cuda::ResourceUsage u = backend::cuda::parse_ptxas_report(r.log, g.kernel.source.kernel_name);
  EXPECT_EQ(u.spill_stores, 0) << r.log;
  EXPECT_EQ(u.spill_loads, 0) << r.log;
}

TEST(OpsCudaCodegen, MatmulCompilesOncePerWeightShapeForEveryTokenCount) {
  // A file with the default key {} only (the shipped one has per-m keys, each its own program):
  // {} serves every m; m is not specialized, so one program serves them all; another weight
  // shape (n, k) is another program.
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ops_cuda_codegen_once_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "matmul");
  std::ofstream(dir / "matmul" / "nvidia_h100.json") << R"([
  {"key": {}, "config": {"block_sizes": [128, 256, 64], "num_warps": 8, "num_stages": 4, "l2_groupings": [8]}}
])";
  const Generated g = h100_source("matmul", {matmul_args(1, 4096, 4096), matmul_args(16, 4096, 4096),
                                             matmul_args(128, 4096, 4096), matmul_args(1024, 4096, 4096)}, dir);
  EXPECT_EQ(g.compiles, 1u);
  const Generated two = h100_source("matmul", {matmul_args(16, 4096, 4096), matmul_args(16, 1024, 4096)}, dir);
  EXPECT_EQ(two.compiles, 2u);
  std::filesystem::remove_all(dir);
}

// A contiguous view whose data is not 16-byte aligned (an odd element offset into a buffer)
// must not get the 16-byte copies of constant strides, which fault on a misaligned address:
// its strides stay run-time values (element copies), in a program of its own.
TEST(OpsCudaCodegen, MatmulOnAMisalignedViewKeepsRunTimeStrides) {
  const Generated g = h100_source("matmul", {matmul_args(64, 4096, 4096, 2), matmul_args(64, 4096, 4096)});
  EXPECT_EQ(g.compiles, 2u);
  const Generated odd = h100_source("matmul", {matmul_args(64, 4096, 4096, 2)});
  const std::string& s = odd.source;
  EXPECT_NE(s.find("stride:a[0] stride:a[1]"), std::string::npos) << s;
  EXPECT_EQ(s.find("stride:b[0]"), std::string::npos);
  EXPECT_NE(s.find("note: num_stages 4: one stage, operand a is not 16-byte aligned (strides are run-time values and rows are not known to be 16-byte aligned)"),
            std::string::npos);
}

/// `add(out, x, y)` in bf16 at [m, h]; `x_offset` elements into the buffer, x's rows `x_stride`
/// elements apart (0: contiguous).
std::vector<registry::ArgValue> add_args(std::int64_t m, std::int64_t h, std::int64_t x_offset = 0,
                                         std::int64_t x_stride = 0) {
  const DeviceId cpu = DeviceId::cpu();
  const std::int64_t shape[] = {m, h}, strides[] = {x_stride ? x_stride : h, 1};
  return {TensorView(g_data, DType::bf16, shape, cpu),
          TensorView(reinterpret_cast<std::uint16_t*>(g_data) + x_offset, DType::bf16, shape, strides, cpu),
          TensorView(g_data, DType::bf16, shape, cpu)};
}

/// The number of non-overlapping occurrences of `what` in `s`.
std::size_t count_of(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + what.size())) ++n;
  return n;
}

// The H100 run behind this (5707ca2): `add` specializes no size, so its strides are run-time
// values, and the printer used 2-byte element accesses (1.3 TB/s vs 3 TB/s for the example
// kernel). Rows known to start 16-byte aligned (part of the specialization) give 16-byte
// vector loads and stores with the strides still run-time; only the ragged edge of a row
// goes element by element.
TEST(OpsCudaCodegen, AddWithRunTimeStridesUsesSixteenByteVectors) {
  const Generated g = h100_source("add", {add_args(4096, 4096)});
  const std::string& s = g.source;
  EXPECT_NE(s.find("stride:x[0] stride:x[1]"), std::string::npos) << s;  // sizes and strides run-time
  EXPECT_EQ(count_of(s, "ts::vload<ts::u16, 8, 0>("), 2u) << s;   // x and y, 16 bytes each
  EXPECT_EQ(count_of(s, "ts::vstore<ts::u16, 8>("), 1u) << s;
  EXPECT_EQ(s.find("// scalar loads"), std::string::npos);
  EXPECT_EQ(s.find("// scalar stores"), std::string::npos);
  if (!backend::cuda::nvrtc().ok()) GTEST_SKIP() << "NVRTC is not available here: the source was checked, not compiled";
  const backend::cuda::NvrtcResult r = backend::cuda::nvrtc_compile(g.kernel.source, {"sm_90a", {}}, true);
  const backend::cuda::ResourceUsage u = backend::cuda::parse_ptxas_report(r.log, g.kernel.source.kernel_name);
  EXPECT_EQ(u.spill_stores, 0) << r.log;
  EXPECT_EQ(u.spill_loads, 0) << r.log;
}

// A view whose rows do not all start 16-byte aligned (one element into its buffer, or rows an
// odd number of elements apart) would fault on 16-byte accesses: its loads stay element by
// element, in a program of its own; the other tensors keep their vectors.
TEST(OpsCudaCodegen, AddOnMisalignedRowsUsesElementAccessesForThatTensorOnly) {
  const Generated g = h100_source("add", {add_args(64, 4096), add_args(64, 4096, 1), add_args(64, 4096, 0, 4097),
                                          add_args(64, 4096, 0, 4104)});
  EXPECT_EQ(g.compiles, 2u);  // 4104 bf16 rows are 16-byte multiples: the aligned program
  for (const auto& args : {add_args(64, 4096, 1), add_args(64, 4096, 0, 4097)}) {
    const std::string s = h100_source("add", {args}).source;
    EXPECT_NE(s.find("// scalar loads: strides are run-time values and rows are not known to be 16-byte aligned"),
              std::string::npos) << s;
    EXPECT_EQ(count_of(s, "ts::vload<ts::u16, 8, 0>("), 1u) << s;  // y
    EXPECT_EQ(count_of(s, "ts::vstore<ts::u16, 8>("), 1u) << s;   // out
  }
}

/// rms_norm_dynamic_per_token_quant's arguments (bf16 input, fp8 result, residual and scale_ub).
std::vector<registry::ArgValue> rms_quant_args(std::int64_t m, std::int64_t h) {
  const DeviceId cpu = DeviceId::cpu();
  return {TensorView(g_data, DType::f8e4m3fn, {m, h}, cpu), TensorView(g_data, DType::bf16, {m, h}, cpu),
          TensorView(g_data, DType::bf16, {h}, cpu),         TensorView(g_data, DType::f32, {m, 1}, cpu),
          1e-6,
          TensorView(g_data, DType::f32, {1}, cpu),          TensorView(g_data, DType::bf16, {m, h}, cpu)};
}

// rms_norm_dynamic_per_token_quant with a residual under vLLM's H100 configs at 8192 tokens:
// its three loops read the row of the input and of the in-place residual once, into registers,
// where the row fits the printer's budget with the weight (rows of 2048 and 4096); rows of 5120
// ([8192, 8192, 2048] at 8 warps, 32 registers per tensor) keep the weight there instead and
// read the residual through the output (measured faster, bench/RESULTS.md). No spills.
TEST(OpsCudaCodegen, RmsQuantReadsTheResidualRowOnceWhereItFits) {
  for (std::int64_t h : {2048, 4096, 5120}) {
    const Generated g = h100_source("rms_norm_dynamic_per_token_quant", {rms_quant_args(8192, h)});
    const std::string& s = g.source;
    const bool shared = h <= 4096;
    EXPECT_NE(s.find("// note: load of input shared by device loops tile_n, tile_n2, tile_n3"), std::string::npos)
        << h;
    EXPECT_EQ(s.find("// note: load of residual_in shared by device loops tile_n, tile_n2, tile_n3") != std::string::npos,
              shared) << h;
    EXPECT_NE(s.find("// note: load of weight shared by device loops tile_n2, tile_n3"), std::string::npos) << h;
    EXPECT_EQ(s.find("tensor:residual_in ") != std::string::npos, shared) << h;
    if (const char* e = std::getenv("TESSERA_TEST_PRINT_SOURCE"); e && *e == '1') std::cout << s;
    if (!backend::cuda::nvrtc().ok()) continue;  // the source was checked, not compiled
    const backend::cuda::NvrtcResult r = backend::cuda::nvrtc_compile(g.kernel.source, {"sm_90a", {}}, true);
    const backend::cuda::ResourceUsage u = backend::cuda::parse_ptxas_report(r.log, g.kernel.source.kernel_name);
    EXPECT_EQ(u.spill_stores, 0) << h << "\n" << r.log;
    EXPECT_EQ(u.spill_loads, 0) << h;
  }
}

/// The header line of tile `name` in a generated source ("tile tile_m: block 16, ...").
std::string tile_line(const std::string& s, const std::string& name) {
  const auto at = s.find("tile " + name + ":");
  return at == std::string::npos ? "" : s.substr(at, s.find('\n', at) - at);
}

// Per-token-count keys as `tessera tune matmul` writes them ({"k","m","n"}, the input
// generator's cases, plus the default {}): the picker routes each m to the smallest tuned
// m >= it, and that entry's config is what lowering gets, with m still a run-time value.
TEST(OpsCudaCodegen, MatmulPerTokenCountKeysRouteToTheirConfigs) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("ops_cuda_codegen_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "matmul");
  std::ofstream(dir / "matmul" / "nvidia_h100.json") << R"([
  {"key": {"k": 4096, "m": 16, "n": 4096}, "config": {"block_sizes": [16, 64, 128], "num_warps": 4, "num_stages": 4}},
  {"key": {"k": 4096, "m": 1024, "n": 4096}, "config": {"block_sizes": [128, 256, 64], "num_warps": 8, "num_stages": 4, "l2_groupings": [8]}},
  {"key": {}, "config": {"block_sizes": [128, 256, 64], "num_warps": 8, "num_stages": 4, "l2_groupings": [8]}}
])";
  for (std::int64_t m : {1, 16}) {
    const std::string s = h100_source("matmul", {matmul_args(m, 4096, 4096)}, dir).source;
    EXPECT_EQ(tile_line(s, "tile_m"), "tile tile_m: block 16, extent dynamic, masked, grid") << "m = " << m;
    EXPECT_EQ(tile_line(s, "tile_n"), "tile tile_n: block 64, extent 4096, unmasked, grid");
    EXPECT_NE(s.find("note: loop tile_k: cp.async pipeline, 4 stages"), std::string::npos) << s;
    EXPECT_NE(s.find("ts::mma_16816_bf16("), std::string::npos);  // 16 rows: below wgmma's 64
  }
  for (std::int64_t m : {17, 1024, 5000}) {  // past the largest tuned m: the largest
    const std::string s = h100_source("matmul", {matmul_args(m, 4096, 4096)}, dir).source;
    EXPECT_EQ(tile_line(s, "tile_m"), "tile tile_m: block 128, extent dynamic, masked, grid") << "m = " << m;
    EXPECT_NE(s.find("(wgmma), 2 warpgroup(s) along M"), std::string::npos) << s;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tessera::ops
