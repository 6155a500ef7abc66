// SPDX-License-Identifier: Apache-2.0
// The config tuner (tune.h): candidates from the config space, interleaved timing rounds per
// case key, the fastest per key saved in vLLM's format.
#include "ops/tune.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "tessera/error.h"
#include "tessera/lang/kernel.h"
#include "tessera/runtime/buffer.h"
#include "tessera/runtime/stream.h"
#include "tessera/support/python_json.h"

namespace tessera::ops {

namespace {

void add_unique(std::vector<Config>& out, const Config& c) {
  if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
}

/// Milliseconds per call of `reps` back-to-back calls of `bound` on `stream`.
double time_calls(const lang::BoundKernel& bound, std::span<const lang::Arg> args, runtime::Stream& stream,
                  runtime::Event& start, runtime::Event& end, int reps) {
  start.record(stream);
  for (int i = 0; i < reps; ++i) bound(args, &stream);
  end.record(stream);
  end.synchronize();
  return static_cast<double>(runtime::elapsed_ms(start, end)) / reps;
}

}  // namespace

std::string config_summary(const Config& c) {
  json::Json out = json::Json::object();
  for (const char* field : {"block_sizes", "loop_orders", "reduction_loops"})
    if (c.to_json().contains(field)) out[field] = c.to_json().at(field);
  return json::dumps_compact(out, false);
}

std::vector<Config> tune_candidates(const ir::ConfigSpace& space, ir::ConfigDefaults defaults) {
  std::vector<Config> out;
  const Config base = space.default_config(defaults);
  add_unique(out, base);
  if (defaults == ir::ConfigDefaults::cpu) {
    if (space.has_dot()) {
      // Matrix tiles: square-ish register/L1 blocks (the CPU bench's best were 32-64 wide).
      for (const std::vector<std::int64_t>& b : std::vector<std::vector<std::int64_t>>{
               {32, 64, 32}, {64, 64, 64}, {16, 128, 64}, {64, 128, 32}}) {
        if (b.size() != space.block_sizes().size()) break;
        std::vector<std::int64_t> v = b;
        for (std::size_t i = 0; i < v.size(); ++i)
          if (const auto& mx = space.block_sizes()[i].max) v[i] = std::min(v[i], *mx);
        Config c = base;
        c.set_block_sizes(v);
        add_unique(out, c);
      }
    } else {
      // The tile's element budget: smaller tiles fit L1 with their temporaries, larger ones
      // halve the per-program overhead of short rows.
      for (std::int64_t elements : {1024, 2048, 8192, 16384}) {
        Config c = base;
        if (!space.block_sizes().empty()) c.set_block_sizes(space.cpu_block_sizes(elements));
        add_unique(out, c);
      }
    }
    // The grid order Helion uses (first dimension fastest), for tiles that do not cover a row.
    if (auto lo = base.loop_orders(); lo && !lo->empty() && !space.loop_orders().empty() &&
                                      space.loop_orders()[0].loop == 0) {
      Config c = base;
      auto orders = *lo;
      std::sort(orders[0].begin(), orders[0].end());
      c.set_loop_orders(orders);
      add_unique(out, c);
    }
    // Looped reductions in 1024-element chunks where the default is persistent over more.
    if (auto rl = base.reduction_loops()) {
      auto looped = *rl;
      bool changed = false;
      for (std::size_t i = 0; i < looped.size(); ++i) {
        const auto& extent = space.reduction_loops()[i].extent;
        if (!looped[i] && extent && *extent > 1024) {
          looped[i] = 1024;
          changed = true;
        }
      }
      if (changed) {
        Config c = base;
        c.set_reduction_loops(looped);
        add_unique(out, c);
      }
      // Persistent rows up to 16384 elements where the default loops (rows longer than
      // Helion's 4096): a 64 KiB f32 row still fits L2, and a looped reduction reads it twice.
      auto persistent = *rl;
      changed = false;
      for (std::size_t i = 0; i < persistent.size(); ++i) {
        const auto& extent = space.reduction_loops()[i].extent;
        if (persistent[i] && extent && *extent <= 16384) {
          persistent[i].reset();
          changed = true;
        }
      }
      if (changed) {
        Config c = base;
        c.set_reduction_loops(persistent);
        add_unique(out, c);
      }
    }
  }
  add_unique(out, space.default_config(ir::ConfigDefaults::helion));  // the baseline
  return out;
}

std::vector<TunedCase> tune_cases(const registry::RegisteredKernel& kernel, const runtime::Device& device,
                                  const std::vector<CaseKey>& keys, const TuneOptions& options) {
  const registry::KernelSpec& spec = kernel.spec();
  const ir::ConfigDefaults defaults = ir::defaults_for(device.info().caps.warp_size);
  std::vector<TunedCase> results;
  for (const CaseKey& key : keys) {
    registry::HostArgs host = kernel.make_inputs(key, options.seed);
    // Upload every tensor with its strides; outputs keep the generator's poison.
    std::vector<runtime::Buffer> buffers;
    std::vector<registry::ArgValue> args;
    for (const registry::HostArg& h : host) {
      if (const auto* t = std::get_if<ir::HostTensor>(&h)) {
        buffers.push_back(device.allocate(std::max<std::size_t>(t->storage.size(), 1)));
        if (!t->storage.empty())
          runtime::copy(buffers.back().span().sub(0, t->storage.size()),
                        runtime::host_span(t->storage.data(), t->storage.size()));
        args.emplace_back(runtime::TensorView(buffers.back().data(), t->dtype, t->shape, t->strides, device.id()));
      } else {
        std::visit([&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (!std::is_same_v<V, ir::HostTensor>) args.emplace_back(v);
        }, h);
      }
    }
    // The variant kernel and its arguments in its own order (inputs, outputs, scalars).
    registry::Binding binding;
    spec.bind(args, binding);
    std::vector<lang::Arg> largs;
    for (const runtime::TensorView& t : binding.tensors) largs.emplace_back(t);
    for (double s : binding.scalars) largs.emplace_back(s);
    lang::Settings settings;
    settings.static_shapes = true;
    lang::Kernel lk(kernel.variant_kernel(args), std::vector<Config>{}, settings);
    std::shared_ptr<lang::BoundKernel> bound = lk.bind(largs);
    const ir::ConfigSpace space = ir::ConfigSpace::of(*bound->definition(), bound->specialization().sizes);

    TunedCase tc;
    tc.key = key;
    if (spec.work) tc.bytes = spec.work(host).bytes;
    runtime::Stream stream = device.create_stream();
    runtime::Event start = device.create_event(), end = device.create_event();
    std::vector<int> reps;
    std::vector<std::vector<double>> samples;
    for (const Config& c : tune_candidates(space, defaults)) {
      TunedCandidate t{c, std::numeric_limits<double>::infinity(), {}};
      int n = 0;
      try {
        bound->set_config(c);  // compiles (once per config)
        const double first = time_calls(*bound, largs, stream, start, end, 1);  // warm-up
        n = std::clamp(static_cast<int>(std::ceil(options.min_ms / std::max(first, 1e-3))), 1, 1000);
      } catch (const std::exception& e) {
        t.error = e.what();
      }
      tc.candidates.push_back(std::move(t));
      reps.push_back(n);
      samples.emplace_back();
    }
    // Each round starts one candidate later: the first timing after a switch ran slower in
    // trial runs, and the rotation spreads that over all candidates.
    const std::size_t n = tc.candidates.size();
    for (int round = 0; round < options.rounds; ++round) {
      for (std::size_t j = 0; j < n; ++j) {
        const std::size_t i = (j + static_cast<std::size_t>(round)) % n;
        if (reps[i] == 0) continue;
        bound->set_config(tc.candidates[i].config);
        samples[i].push_back(time_calls(*bound, largs, stream, start, end, reps[i]));
      }
    }
    for (std::size_t i = 0; i < tc.candidates.size(); ++i) {
      if (samples[i].empty()) continue;
      std::sort(samples[i].begin(), samples[i].end());
      tc.candidates[i].ms = samples[i][samples[i].size() / 2];
      if (tc.candidates[i].ms < tc.candidates[tc.best].ms) tc.best = i;
    }
    if (!std::isfinite(tc.candidates[tc.best].ms)) {
      std::string errors;
      for (const TunedCandidate& t : tc.candidates) errors += "\n  " + t.config.to_json().dump() + ": " + t.error;
      throw UserError(cat("tessera tune: kernel '", kernel.name(), "', case ", key.canonical(),
                          ": every candidate config failed:", errors));
    }
    if (options.progress) {
      std::ostringstream line;
      const TunedCandidate& b = tc.candidates[tc.best];
      line << key.canonical() << ": " << tc.candidates.size() << " candidates, best " << b.ms * 1e3 << " us";
      if (tc.bytes > 0) line << " (" << tc.bytes / (b.ms * 1e6) << " GB/s)";
      line << " " << config_summary(b.config);
      for (const TunedCandidate& t : tc.candidates)
        if (!t.error.empty()) line << "\n  failed: " << t.config.to_json().dump() << ": " << t.error;
      options.progress(line.str());
    }
    results.push_back(std::move(tc));
  }
  return results;
}

std::vector<ConfigEntry> tuned_entries(const std::vector<TunedCase>& cases) {
  std::vector<ConfigEntry> out;
  const TunedCase* largest = nullptr;
  for (const TunedCase& c : cases) {
    out.push_back({c.key, c.candidates.at(c.best).config});
    if (largest == nullptr || c.bytes >= largest->bytes) largest = &c;
  }
  if (largest != nullptr) out.push_back({CaseKey::default_key(), largest->candidates.at(largest->best).config});
  return out;
}

}  // namespace tessera::ops
