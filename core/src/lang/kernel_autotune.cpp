// SPDX-License-Identifier: Apache-2.0
// The light autotune of BoundKernel (kernel.h): each listed config is compiled, run once to warm
// up, then timed with device events; the fastest is kept. The full autotuner (search
// strategies, L2 flushing, quantiles) is tune/'s job.
#define TS_IMPL_LANG_KERNEL 1
#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>

#include "kernel_call.h"
#include "tessera/error.h"
#include "tessera/lang/kernel.h"
#include "tessera/runtime/buffer.h"

namespace tessera::lang {

namespace {

/// Time spent measuring one config, after its warm-up launch.
constexpr double kBudgetMs = 20.0;
constexpr int kMaxReps = 100;

/// Milliseconds of `reps` back-to-back launches on `stream`, per launch.
double time_launches(const CompiledKernel& exe, const LaunchArgs& args, runtime::Stream& stream,
                     runtime::Event& start, runtime::Event& end, int reps) {
  start.record(stream);
  for (int i = 0; i < reps; ++i) exe.launch(args, &stream);
  end.record(stream);
  end.synchronize();
  return static_cast<double>(runtime::elapsed_ms(start, end)) / reps;
}

}  // namespace

AutotuneResult BoundKernel::autotune(std::span<const Arg> args, std::span<const std::int64_t> sizes,
                                     runtime::Stream* caller_stream) const {
  const ir::Kernel& k = *definition_;
  std::vector<runtime::TensorView> tensors;
  std::vector<double> scalars;
  detail::split_args(k, args, tensors, scalars);

  runtime::Stream own_stream;
  if (caller_stream == nullptr) own_stream = device_.create_stream();
  runtime::Stream& stream = caller_stream != nullptr ? *caller_stream : own_stream;
  // Timing runs write scratch copies of the outputs: the caller's outputs are written only by
  // the call itself, and a kernel that reads its outputs sees the caller's values each run.
  std::vector<runtime::Buffer> scratch;
  for (std::size_t i = k.inputs.size(); i < tensors.size(); ++i) {
    const runtime::TensorView& t = tensors[i];
    const std::size_t bytes = t.storage_bytes();
    if (bytes == 0) continue;
    scratch.push_back(device_.allocate(bytes));
    device_.impl().copy(scratch.back().data(), t.data(), bytes, backend::CopyKind::kDeviceToDevice,
                        &stream.impl());
    tensors[i] = runtime::TensorView(scratch.back().data(), t.dtype(), t.shape(), t.strides(), t.device());
  }
  const LaunchArgs launch_args{tensors, scalars, sizes};
  runtime::Event start = device_.create_event();
  runtime::Event end = device_.create_event();

  AutotuneResult result;
  for (const Config& config : configs_) {
    AutotuneResult::Entry entry{config, std::numeric_limits<double>::infinity(), {}};
    try {
      std::shared_ptr<const CompiledKernel> exe = compile(config);
      const double first = time_launches(*exe, launch_args, stream, start, end, 1);  // warm-up
      const int reps = std::clamp(static_cast<int>(kBudgetMs / std::max(first, 1e-3)), 1, kMaxReps);
      entry.ms = time_launches(*exe, launch_args, stream, start, end, reps);
    } catch (const std::exception& e) {
      // A config that does not compile or run scores infinity and is reported, never fatal
      // ([Triton] autotuner), unless every config fails.
      entry.error = e.what();
      std::cerr << "tessera: autotune of kernel '" << k.name << "': config " << config.to_json().dump()
                << " failed: " << entry.error << "\n";
    }
    result.entries.push_back(std::move(entry));
  }
  stream.synchronize();  // the scratch buffers are freed on return
  for (std::size_t i = 1; i < result.entries.size(); ++i)
    if (result.entries[i].ms < result.entries[result.best].ms) result.best = i;
  if (!std::isfinite(result.entries[result.best].ms)) {
    std::string errors;
    for (const auto& e : result.entries) errors += "\n  " + e.config.to_json().dump() + ": " + e.error;
    TS_USER_CHECK(false) << "kernel '" << k.name << "': every one of the " << configs_.size()
                         << " configs failed for " << key_.str() << ":" << errors;
  }
  return result;
}

}  // namespace tessera::lang
