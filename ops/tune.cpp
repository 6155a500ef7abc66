// SPDX-License-Identifier: Apache-2.0
// The config tuner (tune.h): candidates from the config space, interleaved timing rounds per
// case key, the fastest per key saved in vLLM's format.
#include "ops/tune.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>

#include <unistd.h>

#include "ops/harness.h"
#include "tessera/config/config_manager.h"
#include "tessera/error.h"
#include "tessera/lang/kernel.h"
#include "tessera/runtime/buffer.h"
#include "tessera/runtime/stream.h"
#include "tessera/support/python_json.h"

namespace tessera::ops {

namespace {

/// Milliseconds per call of `reps` back-to-back calls of `kernel` on `stream`.
double time_calls(const registry::RegisteredKernel& kernel, registry::KernelArgs args, runtime::Stream& stream,
                  runtime::Event& start, runtime::Event& end, int reps) {
  start.record(stream);
  for (int i = 0; i < reps; ++i) kernel.call(args, &stream);
  end.record(stream);
  end.synchronize();
  return static_cast<double>(runtime::elapsed_ms(start, end)) / reps;
}

/// The config the file holds now for `key`: its own entry, else the default key's.
std::optional<Config> current_config(const std::vector<ConfigEntry>& entries, const CaseKey& key) {
  const ConfigEntry* fallback = nullptr;
  for (const ConfigEntry& e : entries) {
    if (e.key == key) return e.config;
    if (e.key.is_default()) fallback = &e;
  }
  if (fallback != nullptr) return fallback->config;
  return std::nullopt;
}

/// A registry that runs `spec` with `config` only: its config folder (under `dir`) holds
/// `config` under the default key for `platform`, so every call takes the user's path (bind,
/// picker, default-key fallback, specialization, compile) with that config.
struct CandidateRegistry {
  std::unique_ptr<ConfigManager> configs;
  std::unique_ptr<registry::KernelRegistry> registry;
  const registry::RegisteredKernel* kernel = nullptr;

  CandidateRegistry(const registry::KernelSpec& spec, const Config& config, const std::string& platform,
                    const std::filesystem::path& dir, const registry::CompileFn& compile) {
    std::filesystem::remove_all(dir);
    configs = std::make_unique<ConfigManager>(dir);
    configs->save_configs(spec.name, platform, {{CaseKey::default_key(), config}});
    registry = std::make_unique<registry::KernelRegistry>(*configs, compile);
    kernel = &registry->register_kernel(spec);
  }
};

}  // namespace

std::string config_summary(const Config& c) {
  json::Json out = json::Json::object();
  for (const char* field : {"block_sizes", "loop_orders", "reduction_loops", "num_warps", "num_stages"})
    if (c.to_json().contains(field)) out[field] = c.to_json().at(field);
  return json::dumps_compact(out, false);
}

ir::ConfigSpace tune_space(const registry::RegisteredKernel& kernel, registry::KernelArgs args) {
  registry::Binding binding;
  kernel.spec().bind(args, binding);
  std::vector<lang::Arg> largs;
  for (const runtime::TensorView& t : binding.tensors) largs.emplace_back(t);
  for (double s : binding.scalars) largs.emplace_back(s);
  lang::Settings settings;
  settings.static_shapes = true;  // every size known: the case's m bounds the tiles
  lang::Kernel lk(kernel.variant_kernel(args), std::vector<Config>{}, settings);
  const std::shared_ptr<lang::BoundKernel> bound = lk.bind(largs);
  return ir::ConfigSpace::of(*bound->definition(), bound->specialization().sizes);
}

std::vector<TunedCase> tune_cases(const registry::RegisteredKernel& kernel, const runtime::Device& device,
                                  const std::vector<CaseKey>& keys, const TuneOptions& options) {
  const registry::KernelSpec& spec = kernel.spec();
  const TuneTarget target = TuneTarget::of(device.info());
  const std::string platform = registry::default_device_resolver(device.id()).platform;
  const registry::CompileFn compile = options.compile ? options.compile : registry::CompileFn(registry::default_compile_fn);
  const std::filesystem::path tmp = std::filesystem::temp_directory_path() /
                                    cat("tessera_tune_", ::getpid(), "_", spec.name);
  const auto started = std::chrono::steady_clock::now();
  std::vector<TunedCase> results;
  for (const CaseKey& key : keys) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (options.budget_s > 0 && !results.empty() && elapsed > options.budget_s) {
      if (options.progress) options.progress(cat("budget of ", options.budget_s, " s spent: stopping before ", key.canonical()));
      break;
    }
    const registry::HostArgs host = kernel.make_inputs(key, options.seed);
    DeviceArgs dev = upload(host, device);  // outputs keep the generator's poison
    const std::vector<registry::ArgValue>& args = dev.args;
    registry::HostArgs want = host;
    spec.reference(want);
    const ir::ConfigSpace space = tune_space(kernel, args);
    TunedCase tc;
    tc.key = key;
    if (spec.work) tc.bytes = spec.work(host).bytes;
    runtime::Stream stream = device.create_stream();
    runtime::Event start = device.create_event(), end = device.create_event();
    std::vector<int> reps;
    std::vector<std::vector<double>> samples;
    std::vector<std::unique_ptr<CandidateRegistry>> regs;
    for (const Config& c : tune_candidates(space, target, current_config(options.current, key))) {
      TunedCandidate t{c, std::numeric_limits<double>::infinity(), {}};
      int n = 0;
      regs.emplace_back();
      try {
        regs.back() = std::make_unique<CandidateRegistry>(spec, c, platform, tmp / std::to_string(regs.size()), compile);
        // The first call compiles, outside the events: a compile between them would count as
        // device time and cut the calls per measurement to one. It runs on the case's inputs
        // and poisoned outputs (the candidates before it have run on these buffers) and is
        // checked against the reference: a config that computes a wrong result never wins.
        stream.synchronize();  // a candidate that failed may have left calls in flight
        restore_mutated(spec, host, dev);
        regs.back()->kernel->call(args, &stream);
        stream.synchronize();
        const std::string wrong = describe_failures(check_outputs(spec, host, want, dev));
        if (!wrong.empty()) {
          t.error = cat("wrong result: ", wrong);
        } else {
          const double first = time_calls(*regs.back()->kernel, args, stream, start, end, 1);  // warm-up
          n = std::clamp(static_cast<int>(std::ceil(options.min_ms / std::max(first, 1e-3))), 1, 1000);
        }
      } catch (const std::exception& e) {
        t.error = e.what();
      }
      tc.candidates.push_back(std::move(t));
      reps.push_back(n);
      samples.emplace_back();
    }
    std::filesystem::remove_all(tmp);
    // Each round starts one candidate later: the first timing after a switch ran slower in
    // trial runs, and the rotation spreads that over all candidates.
    const std::size_t n = tc.candidates.size();
    for (int round = 0; round < options.rounds; ++round) {
      for (std::size_t j = 0; j < n; ++j) {
        const std::size_t i = (j + static_cast<std::size_t>(round)) % n;
        if (reps[i] == 0) continue;
        // Every round starts from the case's inputs: an in-place op (a residual, qkv) would
        // otherwise run on what the calls before it left.
        restore_mutated(spec, host, dev);
        samples[i].push_back(time_calls(*regs[i]->kernel, args, stream, start, end, reps[i]));
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
        if (!t.error.empty()) line << "\n  rejected " << t.config.to_json().dump() << ": " << t.error;
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
