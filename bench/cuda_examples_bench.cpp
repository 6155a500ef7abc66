// SPDX-License-Identifier: Apache-2.0
// CUDA benchmarks of the generated example kernels on cuda:0 (Google Benchmark, manual time from
// device events, warm-up, median of repetitions). Each figure is also a ratio against a baseline
// measured in the same run: `vs_copy` = achieved bandwidth / device-to-device copy bandwidth of
// the same byte count (memory-bound kernels, >= 256 MB moved: 5x the H100/H200 L2, so repeated
// runs stream from HBM). silu_mul_fp8 runs vLLM's tuned config for each (tokens, intermediate)
// key (nearest tokens where vLLM has no entry); bench/cuda_torch_baseline.py times torch on the
// same shapes. Without a CUDA device every benchmark reports the reason and skips.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <tuple>
#include <vector>

#include "codegen/cuda_example_cases.h"
#include "cuda/codegen.h"
#include "cuda/compiler.h"
#include "tessera/numeric/float_formats.h"
#include "tessera/runtime/device_impl.h"
#include "tessera/runtime/registry.h"

namespace tessera::backend::cuda {
namespace {

std::shared_ptr<DeviceImpl> device() {
  static std::shared_ptr<DeviceImpl> dev = [] () -> std::shared_ptr<DeviceImpl> {
    tessera::init();
    for (const auto& s : tessera::backend_statuses())
      if (s.kind == runtime::DeviceKind::cuda && s.available) return tessera::open_device("cuda:0").shared_impl();
    return nullptr;
  }();
  return dev;
}

/// One compiled example with its buffers, ready to launch.
struct Prepared {
  std::shared_ptr<DeviceImpl> dev;
  lower::Program program;
  gpu::KernelSource ks;
  std::unique_ptr<ModuleImpl> module;
  Kernel fn;
  std::vector<void*> buffers, pointers, args;
  std::vector<std::int64_t> ints;
  std::vector<float> floats;
  std::vector<TensorMapBlob> maps;  ///< TMA tensor maps (Source::tensor_maps), after the params
  LaunchParams lp;
  double bytes = 0;  ///< each input read once, each output written once
  ~Prepared() {
    for (void* p : buffers) dev->deallocate(p, MemoryKind::kDevice);
  }
};

/// `n` bf16 or f16 values drawn from N(0, 1) (round to nearest even), as bits; one table per
/// (n, dtype, seed), kept for the benchmark's other configs of the same shape.
const std::vector<std::uint16_t>& normal_half_bits(std::size_t n, DType dtype, std::uint32_t seed) {
  static std::map<std::tuple<std::size_t, DType, std::uint32_t>, std::vector<std::uint16_t>> memo;
  std::vector<std::uint16_t>& v = memo[{n, dtype, seed}];
  if (v.size() == n) return v;
  v.resize(n);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (std::uint16_t& x : v) x = dtype == DType::bf16 ? numeric::bf16_from_float(normal(rng)) : numeric::f16_from_float(normal(rng));
  return v;
}

std::unique_ptr<Prepared> prepare(const test::CudaCase& c) {
  auto out = std::make_unique<Prepared>();
  out->dev = device();
  const runtime::DeviceInfo& info = out->dev->info();
  out->program = test::lower_cuda_case(c, info.caps.target);
  out->ks = emit_cuda_kernel(out->program);
  const cache::CachedBinary bin = compile_cached(out->ks.source, {info.caps.target, {}});
  Binary b;
  b.kernel_name = out->ks.source.kernel_name;
  const auto* bytes = reinterpret_cast<const std::byte*>(bin.bytes->data());
  b.image.assign(bytes, bytes + bin.bytes->size());
  out->module = out->dev->load(b);
  out->fn = out->module->kernel(b.kernel_name);
  const ir::Kernel& k = *out->program.kernel;
  std::map<std::string, void*> ptr;
  std::uint32_t seed = 1;
  for (const auto* list : {&k.inputs, &k.outputs}) {
    for (const ir::TensorParam& t : *list) {
      std::int64_t n = 1;
      for (const ir::Expr& d : t.dims) n *= ir::eval_size(d, c.sizes);
      const std::size_t size = static_cast<std::size_t>(n) * dtype_size(t.dtype);
      void* p = out->dev->allocate(std::max<std::size_t>(size, 16), MemoryKind::kDevice);
      out->dev->fill_pattern(p, std::max<std::size_t>(size, 16) / 4, seed++, nullptr);  // never zeros
      if (c.example == "matmul" && t.role == ir::TensorRole::input && dtype_size(t.dtype) == 2) {
        // Tensor-core speed depends on the data (power): the operands hold N(0, 1) values as
        // torch.randn gives cuBLAS in the same call, not the pattern's random bits (whose bf16
        // exponents span the whole range, NaN and inf included).
        const std::vector<std::uint16_t>& h = normal_half_bits(static_cast<std::size_t>(n), t.dtype, seed);
        out->dev->copy(p, h.data(), size, CopyKind::kHostToDevice, nullptr);
      }
      out->buffers.push_back(p);
      ptr[t.name] = p;
      out->bytes += static_cast<double>(size);
    }
  }
  const lower::LaunchGrid grid = out->program.launch_grid(c.sizes, info.caps.compute_units);
  out->pointers.reserve(16);
  out->ints.reserve(16);
  out->floats.reserve(16);
  for (const lower::Param& p : out->program.params) {
    switch (p.kind) {
      case lower::ParamKind::kTensor: out->pointers.push_back(ptr.at(p.name)); out->args.push_back(&out->pointers.back()); break;
      case lower::ParamKind::kScalar: out->floats.push_back(1e-5f); out->args.push_back(&out->floats.back()); break;
      case lower::ParamKind::kSize: out->ints.push_back(c.sizes.at(p.name)); out->args.push_back(&out->ints.back()); break;
      case lower::ParamKind::kStride: out->ints.push_back(1); out->args.push_back(&out->ints.back()); break;
      case lower::ParamKind::kNumPrograms: out->ints.push_back(grid.x); out->args.push_back(&out->ints.back()); break;
    }
  }
  out->maps.resize(out->ks.source.tensor_maps.size());
  for (std::size_t i = 0; i < out->maps.size(); ++i) {
    const TensorMapParam& m = out->ks.source.tensor_maps[i];
    const ir::TensorParam& t = *k.find_tensor(m.tensor);
    const std::int64_t rows = ir::eval_size(t.dims[0], c.sizes), cols = ir::eval_size(t.dims[1], c.sizes);
    out->dev->encode_tensor_map(m, ptr.at(m.tensor), rows, cols, cols, &out->maps[i]);  // contiguous
    out->args.push_back(&out->maps[i]);
  }
  out->lp.grid[0] = static_cast<std::uint32_t>(grid.x);
  out->lp.grid[1] = static_cast<std::uint32_t>(grid.y);
  out->lp.grid[2] = static_cast<std::uint32_t>(grid.z);
  out->lp.block[0] = static_cast<std::uint32_t>(out->ks.threads);
  out->lp.smem_bytes = out->ks.source.launch.dynamic_smem_bytes;
  return out;
}

/// Times `launch` with device events: 3 warm-up runs, then one event pair per iteration.
/// Returns the median seconds of one launch.
template <class F>
double time_with_events(benchmark::State& state, DeviceImpl& dev, F&& launch) {
  auto stream = dev.create_stream();
  auto start = dev.create_event(), stop = dev.create_event();
  for (int i = 0; i < 3; ++i) launch(stream.get());
  stream->synchronize();
  std::vector<double> seconds;
  for (auto _ : state) {
    start->record(*stream);
    launch(stream.get());
    stop->record(*stream);
    stop->synchronize();
    seconds.push_back(stop->elapsed_ms_since(*start) / 1e3);
    state.SetIterationTime(seconds.back());
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds.empty() ? 0.0 : seconds[seconds.size() / 2];
}

/// Device-to-device copy bandwidth (bytes read + written per second) for `bytes` bytes.
double copy_bandwidth(double bytes) {
  static std::map<double, double> memo;
  if (auto it = memo.find(bytes); it != memo.end()) return it->second;
  DeviceImpl& dev = *device();
  const std::size_t half = static_cast<std::size_t>(bytes / 2);
  void* a = dev.allocate(half, MemoryKind::kDevice);
  void* b = dev.allocate(half, MemoryKind::kDevice);
  dev.fill_pattern(a, half / 4, 7, nullptr);
  auto stream = dev.create_stream();
  auto start = dev.create_event(), stop = dev.create_event();
  std::vector<double> ms;
  for (int i = 0; i < 23; ++i) {
    start->record(*stream);
    dev.copy(b, a, half, CopyKind::kDeviceToDevice, stream.get());
    stop->record(*stream);
    stop->synchronize();
    if (i >= 3) ms.push_back(stop->elapsed_ms_since(*start));
  }
  std::sort(ms.begin(), ms.end());
  dev.deallocate(a, MemoryKind::kDevice);
  dev.deallocate(b, MemoryKind::kDevice);
  return memo[bytes] = 2.0 * static_cast<double>(half) / (ms[ms.size() / 2] / 1e3);
}

void run_case(benchmark::State& state, const test::CudaCase& c) {
  if (!device()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  auto p = prepare(c);
  const double median_s =
      time_with_events(state, *p->dev, [&](StreamImpl* s) { p->dev->launch(p->fn, p->lp, p->args, s); });
  state.SetBytesProcessed(static_cast<std::int64_t>(p->bytes) * state.iterations());
  state.counters["MB"] = p->bytes / 1e6;
  // Decimal GB/s on both sides. (Google Benchmark's text column bytes_per_second prints binary
  // prefixes: its "T/s" is TiB/s, 1.0995x a decimal TB/s; dividing it by copy_GBps understated
  // every ratio by that factor in earlier RESULTS entries.)
  const double copy = copy_bandwidth(p->bytes);
  state.counters["GBps"] = p->bytes / median_s / 1e9;
  state.counters["copy_GBps"] = copy / 1e9;
  state.counters["vs_copy"] = p->bytes / median_s / copy;
  state.counters["threads"] = p->ks.threads;
  if (c.example == "matmul") {  // 2·m·n·k per call, as a rate over the event-timed iterations
    const double flops = 2.0 * c.sizes.at("m") * c.sizes.at("n") * c.sizes.at("k");
    state.counters["TFLOPs"] = benchmark::Counter(flops * state.iterations() / 1e12, benchmark::Counter::kIsRate);
  }
}

/// vLLM's tuned silu_mul_fp8 config for (tokens, intermediate): the exact key, else the same
/// intermediate with the nearest token count.
std::string vllm_silu_config(std::int64_t tokens, std::int64_t inter) {
  // Relative to the working directory first (the device run copies the tree elsewhere).
  const std::string rel = "/vllm_configs/silu_mul_fp8/nvidia_h100.json";
  std::ifstream in("tests/fixtures" + rel);
  if (!in.good()) in = std::ifstream(std::string(TS_FIXTURES_DIR) + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  const json::Json all = json::parse(ss.str(), "nvidia_h100.json");
  std::string best = "{}";
  std::int64_t best_d = -1;
  for (const auto& e : all) {
    if (!e["key"].contains("intermediate") || e["key"]["intermediate"].get<std::int64_t>() != inter) continue;
    const std::int64_t d = std::llabs(e["key"]["numtokens"].get<std::int64_t>() - tokens);
    if (best_d < 0 || d < best_d) {
      json::Json cfg = e["config"];
      // Helion counts the grid among range_* slots; Tessera's lowering counts device loops
      // only, and this kernel has none: the fields carry nothing for it.
      for (const char* f : {"range_unroll_factors", "range_warp_specializes", "range_num_stages",
                            "range_multi_buffers", "range_flattens"})
        cfg.erase(f);
      best_d = d;
      best = cfg.dump();
    }
  }
  return best;
}

void register_all() {
  using test::CudaCase;
  std::vector<CudaCase> big = {
      // >= 256 MB of traffic each.
      {"add", "f32_8192x8192", R"({"block_sizes":[8,1024],"num_warps":8})", {{"m", 8192}, {"n", 8192}}},
      {"silu_mul_fp8", "16384x14336", R"({"block_sizes":[8,512],"num_warps":8})", {{"m", 16384}, {"two_d", 28672}}},
      {"rms_norm", "bf16_32768x4096", R"({"block_sizes":[1],"num_warps":8})", {{"m", 32768}, {"n", 4096}}},
      {"softmax", "f32_16384x4096", R"({"block_sizes":[1],"num_warps":8})", {{"m", 16384}, {"n", 4096}}},
      // vLLM's H100 config for the nearest key (16384 tokens, hidden 4096): one tile per row.
      {"dynamic_per_token_scaled_fp8_quant", "bf16_32768x4096", R"({"block_sizes":[4096,4096],"num_warps":8})",
       {{"num_tokens", 32768}, {"hidden_size", 4096}}},
      {"layer_norm", "bf16_32768x4096", R"({"block_sizes":[1],"num_warps":8})", {{"m", 32768}, {"n", 4096}}},
  };
  // matmul bf16 on tensor cores at 4096^3 and 8192^3 (wgmma on sm_90a, mma.sync elsewhere; cp.async
  // pipeline, dynamic shared memory above 48 KB); cuBLAS (torch.matmul) is timed on the same
  // shapes by bench/cuda_torch_baseline.py in the same device call.
  for (std::int64_t size : {4096, 8192}) {
    const std::string sz = std::to_string(size);
    for (const auto& [name, config] : std::vector<std::pair<std::string, std::string>>{
             {"b128x256x64_w8_s4", R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":4,"l2_groupings":[8]})"},
             {"b128x256x64_w8_s3", R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":3,"l2_groupings":[8]})"},
             {"b256x128x64_w8_s4", R"({"block_sizes":[256,128,64],"num_warps":8,"num_stages":4,"l2_groupings":[8]})"},
             {"b128x128x64_w4_s4", R"({"block_sizes":[128,128,64],"num_warps":4,"num_stages":4,"l2_groupings":[8]})"},
             {"b128x128x64_w8_s4", R"({"block_sizes":[128,128,64],"num_warps":8,"num_stages":4,"l2_groupings":[8]})"},
             {"b128x256x32_w8_s6", R"({"block_sizes":[128,256,32],"num_warps":8,"num_stages":6,"l2_groupings":[8]})"},
             {"b128x256x64_w8_s4_persistent", R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":4,"l2_groupings":[8],"pid_type":"persistent_blocked"})"},
             {"b128x256x32_w8_s8", R"({"block_sizes":[128,256,32],"num_warps":8,"num_stages":8,"l2_groupings":[8]})"},
             {"b128x128x32_w4_s3", R"({"block_sizes":[128,128,32],"num_warps":4,"num_stages":3,"l2_groupings":[8]})"},
             // TMA copies of both operands (indexing tensor_descriptor), beside the cp.async forms above.
             {"b128x256x64_w8_s4_tma", R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":4,"l2_groupings":[8],"indexing":"tensor_descriptor"})"},
             {"b128x256x64_w8_s3_tma", R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":3,"l2_groupings":[8],"indexing":"tensor_descriptor"})"},
             {"b128x256x64_w8_s4_persistent_tma", R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":4,"l2_groupings":[8],"pid_type":"persistent_blocked","indexing":"tensor_descriptor"})"},
             {"b128x256x32_w8_s8_tma", R"({"block_sizes":[128,256,32],"num_warps":8,"num_stages":8,"l2_groupings":[8],"indexing":"tensor_descriptor"})"},
             {"b256x128x64_w8_s4_tma", R"({"block_sizes":[256,128,64],"num_warps":8,"num_stages":4,"l2_groupings":[8],"indexing":"tensor_descriptor"})"}})
      big.push_back({"matmul", "bf16_" + sz + "_" + name, config, {{"m", size}, {"k", size}, {"n", size}}});
    // More configs for one device call's sweep without a rebuild: TS_BENCH_MATMUL_CONFIGS holds
    // lines of `name json` (e.g. "b128x256x64_w8_s4_g16 {...}").
    if (const char* extra = std::getenv("TS_BENCH_MATMUL_CONFIGS")) {
      std::istringstream lines(extra);
      for (std::string line; std::getline(lines, line);) {
        const std::size_t sp = line.find(' ');
        if (sp == std::string::npos) continue;
        big.push_back({"matmul", "bf16_" + sz + "_" + line.substr(0, sp), line.substr(sp + 1), {{"m", size}, {"k", size}, {"n", size}}});
      }
    }
  }
  for (const CudaCase& c : big) {
    benchmark::RegisterBenchmark(("cuda/" + c.example + "/" + c.name).c_str(), [c](benchmark::State& s) { run_case(s, c); })
        ->UseManualTime()->Unit(benchmark::kMicrosecond)->Repetitions(5)->ReportAggregatesOnly(true);
  }
  // The memory-bound cases above under neighbouring configs (one factor at a time: warps per
  // row, rows per program, tile width, eviction hints), to tell what limits each.
  const std::map<std::string, std::map<std::string, std::int64_t>> shape = {
      {"add", {{"m", 8192}, {"n", 8192}}},
      {"silu_mul_fp8", {{"m", 16384}, {"two_d", 28672}}},
      {"rms_norm", {{"m", 32768}, {"n", 4096}}},
      {"softmax", {{"m", 16384}, {"n", 4096}}},
      {"layer_norm", {{"m", 32768}, {"n", 4096}}},
      {"dynamic_per_token_scaled_fp8_quant", {{"num_tokens", 32768}, {"hidden_size", 4096}}}};
  for (const auto& [example, name, config] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"add", "b8x1024_w8_evict_first", R"({"block_sizes":[8,1024],"num_warps":8,"load_eviction_policies":["first","first"]})"},
           {"add", "b4x1024_w4", R"({"block_sizes":[4,1024],"num_warps":4})"},
           {"add", "b16x1024_w8", R"({"block_sizes":[16,1024],"num_warps":8})"},
           {"add", "b1x4096_w8", R"({"block_sizes":[1,4096],"num_warps":8})"},
           {"add", "b2x4096_w8", R"({"block_sizes":[2,4096],"num_warps":8})"},
           {"add", "b1x4096_w8_nfirst", R"({"block_sizes":[1,4096],"num_warps":8,"loop_orders":[[1,0]]})"},
           {"add", "b8x1024_w8_nfirst", R"({"block_sizes":[8,1024],"num_warps":8,"loop_orders":[[1,0]]})"},
           {"add", "b1x4096_w8_persistent8", R"({"block_sizes":[1,4096],"num_warps":8,"pid_type":"persistent_interleaved","num_sm_multiplier":8})"},
           {"add", "b8x1024_w8_persistent4", R"({"block_sizes":[8,1024],"num_warps":8,"pid_type":"persistent_interleaved","num_sm_multiplier":4})"},
           {"silu_mul_fp8", "b4x1024_w4", R"({"block_sizes":[4,1024],"num_warps":4})"},
           {"silu_mul_fp8", "b16x512_w8", R"({"block_sizes":[16,512],"num_warps":8})"},
           {"silu_mul_fp8", "b8x1024_w8", R"({"block_sizes":[8,1024],"num_warps":8})"},
           {"silu_mul_fp8", "b8x512_w8_nfirst", R"({"block_sizes":[8,512],"num_warps":8,"loop_orders":[[1,0]]})"},
           {"rms_norm", "b1_w4", R"({"block_sizes":[1],"num_warps":4})"},
           {"rms_norm", "b1_w16", R"({"block_sizes":[1],"num_warps":16})"},
           {"rms_norm", "b2_w8", R"({"block_sizes":[2],"num_warps":8})"},
           {"softmax", "b1_w4", R"({"block_sizes":[1],"num_warps":4})"},
           {"softmax", "b1_w16", R"({"block_sizes":[1],"num_warps":16})"},
           {"layer_norm", "b1_w4", R"({"block_sizes":[1],"num_warps":4})"},
           {"layer_norm", "b1_w16", R"({"block_sizes":[1],"num_warps":16})"},
           {"layer_norm", "b2_w8", R"({"block_sizes":[2],"num_warps":8})"},
           {"layer_norm", "b2_w16", R"({"block_sizes":[2],"num_warps":16})"},
           {"layer_norm", "b1_w8_persistent8", R"({"block_sizes":[1],"num_warps":8,"pid_type":"persistent_interleaved","num_sm_multiplier":8})"},
           {"softmax", "b2_w8", R"({"block_sizes":[2],"num_warps":8})"},
           {"dynamic_per_token_scaled_fp8_quant", "b1024_w4", R"({"block_sizes":[1024,1024],"num_warps":4})"},
           {"dynamic_per_token_scaled_fp8_quant", "b4096_w4", R"({"block_sizes":[4096,4096],"num_warps":4})"},
           {"dynamic_per_token_scaled_fp8_quant", "b4096_w16", R"({"block_sizes":[4096,4096],"num_warps":16})"},
           {"dynamic_per_token_scaled_fp8_quant", "b2048_w8", R"({"block_sizes":[2048,2048],"num_warps":8})"}}) {
    CudaCase c{example, name, config, shape.at(example)};
    benchmark::RegisterBenchmark(("cuda/membound_variant/" + example + "/" + name).c_str(), [c](benchmark::State& s) { run_case(s, c); })
        ->UseManualTime()->Unit(benchmark::kMicrosecond)->Repetitions(5)->ReportAggregatesOnly(true);
  }
  // The same 4096x14336 call under configs that vary one factor of vLLM's [128,64]/2-warp one
  // at a time: warps (work per thread), the grid's order (which tiles run together) and the
  // tile's shape, to tell what limits it.
  for (const auto& [name, config] : std::vector<std::pair<std::string, std::string>>{
           {"b128x64_w8", R"({"block_sizes":[128,64],"num_warps":8})"},
           {"b128x64_w2_nfirst", R"({"block_sizes":[128,64],"num_warps":2,"loop_orders":[[1,0]]})"},
           {"b8x1024_w2", R"({"block_sizes":[8,1024],"num_warps":2})"}}) {
    CudaCase c{"silu_mul_fp8", name, config, {{"m", 4096}, {"two_d", 2 * 14336}}};
    benchmark::RegisterBenchmark(("cuda/silu_mul_fp8_variant/4096x14336_" + name).c_str(), [c](benchmark::State& s) { run_case(s, c); })
        ->UseManualTime()->Unit(benchmark::kMicrosecond)->Repetitions(5)->ReportAggregatesOnly(true);
  }
  for (std::int64_t tokens : {1, 16, 256, 512, 4096}) {
    for (std::int64_t inter : {4096, 14336}) {
      CudaCase c{"silu_mul_fp8", "vllm", vllm_silu_config(tokens, inter), {{"m", tokens}, {"two_d", 2 * inter}}};
      benchmark::RegisterBenchmark(("cuda/silu_mul_fp8_vllm/" + std::to_string(tokens) + "x" + std::to_string(inter)).c_str(),
                                   [c](benchmark::State& s) { run_case(s, c); })
          ->UseManualTime()->Unit(benchmark::kMicrosecond)->Repetitions(5)->ReportAggregatesOnly(true);
    }
  }
}

}  // namespace
}  // namespace tessera::backend::cuda

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  tessera::backend::cuda::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
