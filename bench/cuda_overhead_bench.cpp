// SPDX-License-Identifier: Apache-2.0
// Host overhead of a cached call on cuda:0 (issue 5): CPU time per call over 10 000 back-to-back
// calls of a tiny op (add, f32, 4 x 256), minus the same loop of raw cuLaunchKernel calls of the
// same compiled CUfunction with pre-packed arguments, measured in the same run. Target: <= 0.5 us
// added. Layers measured, each on one stream, no synchronization inside a batch:
//   raw       cuLaunchKernel(fn, ...) with the argument array built once (the floor)
//   compiled  lang::CompiledKernel::launch (argument packing, grid, runtime::Module::launch)
//   registry  RegisteredKernel::call (bind, lock-free route and slot lookup, then `compiled`)
//   kernel    lang::Kernel::operator() (argument checks, specialization key, bound lookup)
// Each benchmark iteration is one batch of 10 000 calls timed with the thread's CPU clock (the
// figure) and the wall clock; the stream is drained between batches, outside the timing. The
// device time of a batch (events) shows whether the GPU kept up: when it is shorter than the
// host's, the host was the bottleneck and the CPU figures are launch costs, not queue waits.
// A summary after the run prints the medians and the added time of each layer over `raw`.
// Without a CUDA device every benchmark reports the reason and skips.
#include <benchmark/benchmark.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "cuda/api.h"
#include "examples/add.h"
#include "tessera/lang/kernel.h"
#include "tessera/registry/registry.h"
#include "tessera/runtime/registry.h"
#include "tessera/runtime/stream.h"

namespace tessera {
namespace {

constexpr int kCalls = 10000;
constexpr std::int64_t kRows = 4, kCols = 256;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// A registry op over the `add` example with one default config, so the registry path runs
/// here whatever ops are registered process-wide.
registry::KernelSpec add_spec() {
  registry::KernelSpec s;
  s.name = "overhead_add";
  s.summary = "out = x + y (f32), the host-overhead benchmark's tiny op";
  s.signature = {{"out", registry::ArgKind::kTensor, false, true},
                 {"x", registry::ArgKind::kTensor},
                 {"y", registry::ArgKind::kTensor}};
  s.bind = [](registry::KernelArgs args, registry::Binding& b) {
    b.variant.push_back(0);
    b.tensors.push_back(registry::tensor_arg(args, 1));
    b.tensors.push_back(registry::tensor_arg(args, 2));
    b.tensors.push_back(registry::tensor_arg(args, 0));
  };
  s.define = [](const registry::Binding&) { return examples::add_kernel(DType::f32); };
  s.picker = [](registry::KernelArgs, std::span<const CaseKey>) { return std::optional<CaseKey>(); };
  s.reference = [](registry::HostArgs& a) {
    examples::add_reference(registry::host_tensor_arg(a, 1), registry::host_tensor_arg(a, 2),
                            registry::host_tensor_arg(a, 0));
  };
  s.checks = {{.arg = 0, .max_ulp = 0}};
  return s;
}

/// Everything the benchmarks share, set up once: device, stream, tensors, the three callers
/// warmed up (compiled, first calls done), and the raw launch's pre-packed arguments.
struct Setup {
  std::string skip;  ///< why nothing runs, when non-empty
  runtime::Device dev;
  runtime::Stream stream;
  runtime::Tensor x, y, out;
  std::unique_ptr<lang::Kernel> kernel;
  std::shared_ptr<const lang::CompiledKernel> compiled;
  std::unique_ptr<ConfigManager> configs;
  std::unique_ptr<registry::KernelRegistry> reg;
  const registry::RegisteredKernel* op = nullptr;
  std::vector<runtime::TensorView> views;
  std::vector<std::int64_t> sizes;
  std::vector<std::uint64_t> raw_values;
  std::vector<void*> raw_args;
  backend::LaunchParams lp;
  std::map<std::string, std::vector<double>> cpu_us, wall_us, gpu_us;  ///< per call, per batch
};

Setup& setup() {
  static Setup s = [] {
    Setup st;
    tessera::init();
    bool have = false;
    for (const auto& b : tessera::backend_statuses())
      if (b.kind == runtime::DeviceKind::cuda) {
        have = b.available;
        if (!have) st.skip = "CUDA not available: " + b.reason;
      }
    if (!have) {
      if (st.skip.empty()) st.skip = "this build has no CUDA backend";
      return st;
    }
    st.dev = tessera::open_device("cuda:0");
    st.stream = st.dev.create_stream();
    st.x = runtime::Tensor::empty(st.dev, DType::f32, {kRows, kCols});
    st.y = runtime::Tensor::empty(st.dev, DType::f32, {kRows, kCols});
    st.out = runtime::Tensor::empty(st.dev, DType::f32, {kRows, kCols});
    // Inputs: distinct finite values; the output poisoned, so the check below sees every write.
    std::vector<float> hx(kRows * kCols), hy(kRows * kCols), hout(kRows * kCols, std::nanf(""));
    for (std::size_t i = 0; i < hx.size(); ++i) hx[i] = 0.25f * static_cast<float>(i % 97), hy[i] = -1.5f * static_cast<float>(i % 13);
    auto put = [&](const runtime::Tensor& t, const std::vector<float>& h) {
      st.dev.impl().copy(t.view().data(), h.data(), h.size() * sizeof(float), backend::CopyKind::kHostToDevice, nullptr);
    };
    put(st.x, hx), put(st.y, hy), put(st.out, hout);
    st.views = {st.x.view(), st.y.view(), st.out.view()};
    st.sizes = {kRows, kCols};  // add's size symbols m, n

    // lang::Kernel with its default config, warmed up; its compiled program is the one the
    // `compiled` and `raw` loops launch.
    st.kernel = std::make_unique<lang::Kernel>(examples::add_kernel(DType::f32));
    st.kernel->operator()({st.x, st.y, st.out}, &st.stream);
    std::shared_ptr<lang::BoundKernel> bound = st.kernel->bind({st.x, st.y, st.out});
    st.compiled = bound->compile(*bound->config());
    st.lp = st.compiled->launch_params(st.sizes);
    // The raw launch's arguments, packed once from the program's parameter list.
    const lower::Program& p = st.compiled->program();
    st.raw_values.resize(p.params.size());
    for (std::size_t i = 0; i < p.params.size(); ++i) {
      const lower::Param& prm = p.params[i];
      const int t = prm.name == "x" ? 0 : prm.name == "y" ? 1 : 2;
      switch (prm.kind) {
        case lower::ParamKind::kTensor: st.raw_values[i] = reinterpret_cast<std::uintptr_t>(st.views[t].data()); break;
        case lower::ParamKind::kStride: st.raw_values[i] = static_cast<std::uint64_t>(st.views[t].stride(prm.dim)); break;
        case lower::ParamKind::kSize: st.raw_values[i] = prm.name == "m" ? kRows : kCols; break;
        default: st.skip = "unexpected parameter kind in add"; return st;
      }
      st.raw_args.push_back(&st.raw_values[i]);
    }

    // A private registry over a temporary config folder holding one default config for the
    // device's platform (the same config lang::Kernel chose: its default).
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / "tessera_overhead_bench_configs";
    std::filesystem::create_directories(dir / "overhead_add");
    const std::string platform = registry::default_device_resolver(st.dev.id()).platform;
    std::ofstream(dir / "overhead_add" / (platform + ".json"))
        << "[{\"key\": {}, \"config\": " << bound->config()->to_json().dump() << "}]\n";
    st.configs = std::make_unique<ConfigManager>(dir);
    st.reg = std::make_unique<registry::KernelRegistry>(*st.configs);
    st.op = &st.reg->register_kernel(add_spec());
    const registry::ArgValue args[] = {st.out.view(), st.x.view(), st.y.view()};
    put(st.out, hout);
    st.op->call(args, &st.stream);
    st.stream.synchronize();
    // The registry's launch on cuda:0 must be right before its time means anything (f32 add of
    // these values is exact).
    st.dev.impl().copy(hout.data(), st.out.view().data(), hout.size() * sizeof(float), backend::CopyKind::kDeviceToHost,
                       nullptr);
    for (std::size_t i = 0; i < hout.size(); ++i)
      if (hout[i] != hx[i] + hy[i]) {
        st.skip = "the registry's add on cuda:0 computed out[" + std::to_string(i) + "] = " + std::to_string(hout[i]) +
                  ", expected " + std::to_string(hx[i] + hy[i]);
        return st;
      }
    std::printf("registry op overhead_add on cuda:0: %zu outputs checked\n", hout.size());
    return st;
  }();
  return s;
}

/// Times batches of kCalls calls of `call` and records per-call CPU, wall and device times.
template <typename Call>
void run_batches(benchmark::State& state, const char* name, Call&& call) {
  Setup& s = setup();
  if (!s.skip.empty()) {
    state.SkipWithError(s.skip.c_str());
    return;
  }
  runtime::Event start = s.dev.create_event(), end = s.dev.create_event();
  for (auto _ : state) {
    s.stream.synchronize();
    start.record(s.stream);
    const auto w0 = std::chrono::steady_clock::now();
    const double c0 = thread_cpu_seconds();
    for (int i = 0; i < kCalls; ++i) call(s);
    const double c1 = thread_cpu_seconds();
    const auto w1 = std::chrono::steady_clock::now();
    end.record(s.stream);
    end.synchronize();
    const double wall = std::chrono::duration<double>(w1 - w0).count();
    state.SetIterationTime((c1 - c0) / kCalls);
    s.cpu_us[name].push_back(1e6 * (c1 - c0) / kCalls);
    s.wall_us[name].push_back(1e6 * wall / kCalls);
    s.gpu_us[name].push_back(1e3 * runtime::elapsed_ms(start, end) / kCalls);
  }
  state.counters["cpu_us_per_call"] = s.cpu_us[name].back();
  state.counters["gpu_us_per_call"] = s.gpu_us[name].back();
}

void BM_Raw(benchmark::State& state) {
  const auto fn = backend::cuda::driver().fn.cuLaunchKernel;
  run_batches(state, "raw", [fn](Setup& s) {
    const auto f = reinterpret_cast<backend::cuda::CUfunction>(s.compiled->entry().native);
    const auto stream = reinterpret_cast<backend::cuda::CUstream>(s.stream.native_handle());
    if (fn(f, s.lp.grid[0], s.lp.grid[1], s.lp.grid[2], s.lp.block[0], s.lp.block[1], s.lp.block[2],
           s.lp.smem_bytes, stream, s.raw_args.data(), nullptr) != 0)
      std::abort();
  });
}

void BM_Compiled(benchmark::State& state) {
  run_batches(state, "compiled", [](Setup& s) {
    s.compiled->launch(lang::LaunchArgs{s.views, {}, s.sizes}, &s.stream);
  });
}

void BM_Registry(benchmark::State& state) {
  run_batches(state, "registry", [](Setup& s) {
    const registry::ArgValue args[] = {s.views[2], s.views[0], s.views[1]};
    s.op->call(args, &s.stream);
  });
}

void BM_Kernel(benchmark::State& state) {
  run_batches(state, "kernel", [](Setup& s) { (*s.kernel)({s.views[0], s.views[1], s.views[2]}, &s.stream); });
}

// 15 batches per layer; run with --benchmark_enable_random_interleaving=true so that drifts
// (clocks, other tenants) hit every layer alike.
BENCHMARK(BM_Raw)->UseManualTime()->Iterations(1)->Repetitions(15)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Compiled)->UseManualTime()->Iterations(1)->Repetitions(15)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Registry)->UseManualTime()->Iterations(1)->Repetitions(15)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Kernel)->UseManualTime()->Iterations(1)->Repetitions(15)->Unit(benchmark::kMicrosecond);

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void print_summary() {
  Setup& s = setup();
  if (!s.skip.empty()) {
    std::printf("SKIPPED: %s\n", s.skip.c_str());
    return;
  }
  const double raw = median(s.cpu_us["raw"]);
  std::printf("\nhost overhead, %d back-to-back calls per batch, median of batches (us per call)\n", kCalls);
  std::printf("%-10s %9s %9s %9s %12s\n", "layer", "cpu", "wall", "gpu", "added_cpu");
  for (const char* name : {"raw", "compiled", "registry", "kernel"}) {
    const double cpu = median(s.cpu_us[name]);
    std::printf("%-10s %9.3f %9.3f %9.3f %12.3f\n", name, cpu, median(s.wall_us[name]), median(s.gpu_us[name]),
                cpu - raw);
  }
}

}  // namespace
}  // namespace tessera

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("op", "add f32 [4, 256], default config, one stream");
  benchmark::RunSpecifiedBenchmarks();
  tessera::print_summary();
  benchmark::Shutdown();
  return 0;
}
