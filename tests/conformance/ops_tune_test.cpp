// SPDX-License-Identifier: Apache-2.0
// The config tuner (ops/tune.h) on the CPU: candidates come from the op's config space (the CPU
// default first, Helion's default among them, all valid for the kernel), a tuning run keeps the
// fastest candidate per case key, writes vLLM's file format through ConfigManager, and a
// registry over that folder then routes calls to the tuned entries and computes right.
#include "ops/tune.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "examples/examples.h"
#include "ops/common/op_util.h"
#include "ops/harness.h"
#include "ops/ops.h"
#include "cpu/codegen.h"
#include "tessera/config/config_manager.h"
#include "tessera/lang/lang.h"
#include "tessera/runtime/registry.h"

namespace tessera::ops {
namespace {

TEST(OpsTune, CandidatesComeFromTheConfigSpace) {
  for (const auto& e : examples::example_kernels()) {
    const ir::ConfigSpace space = ir::ConfigSpace::of(e.make(), {{"m", 512}, {"n", 4096}, {"two_d", 4096},
                                                                 {"k", 512}, {"num_tokens", 64}, {"hidden_size", 4096}});
    const std::vector<Config> c = tune_candidates(space, TuneTarget{});
    ASSERT_GE(c.size(), 2u) << e.name;
    EXPECT_EQ(c.front(), space.default_config(ir::ConfigDefaults::cpu)) << e.name;
    EXPECT_THAT(c, ::testing::Contains(space.default_config(ir::ConfigDefaults::helion))) << e.name;
    for (std::size_t i = 0; i < c.size(); ++i) {
      const ir::NormalizedConfig n = space.normalize(c[i]);  // throws for an invalid candidate
      EXPECT_TRUE(n.notes.empty()) << e.name << " " << c[i].to_json().dump();
      for (std::size_t j = 0; j < i; ++j) EXPECT_FALSE(c[i] == c[j]) << e.name << ": duplicate candidate";
    }
  }
  // The CPU budget variants of a 4096-wide elementwise kernel: rows of 1024..16384 elements.
  const ir::ConfigSpace add = ir::ConfigSpace::of(examples::add_kernel(), {{"m", 512}, {"n", 4096}});
  std::vector<std::vector<std::int64_t>> blocks;
  for (const Config& c : tune_candidates(add, TuneTarget{})) blocks.push_back(*c.block_sizes());
  EXPECT_THAT(blocks, ::testing::IsSupersetOf(std::vector<std::vector<std::int64_t>>{
                          {1, 4096}, {1, 1024}, {1, 2048}, {2, 4096}, {4, 4096}, {32, 32}}));
  // Rows longer than Helion's 4096 loop by default; the persistent row is a candidate too.
  const ir::ConfigSpace softmax = ir::ConfigSpace::of(examples::softmax_kernel(), {{"m", 64}, {"n", 8192}});
  std::vector<std::vector<std::optional<std::int64_t>>> reductions;
  for (const Config& c : tune_candidates(softmax, TuneTarget{})) reductions.push_back(*c.reduction_loops());
  EXPECT_EQ(reductions.front(), (std::vector<std::optional<std::int64_t>>{4096}));
  EXPECT_THAT(reductions, ::testing::Contains(std::vector<std::optional<std::int64_t>>{std::nullopt}));
}

TEST(OpsTune, WritesAFileTheRegistryPicks) {
  tessera::init();
  const runtime::Device cpu = open_device("cpu");
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tessera_tune_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ConfigManager configs(dir);
  registry::KernelRegistry reg(configs);
  register_ops(reg);
  const registry::RegisteredKernel& add = reg.get("add");
  const std::vector<CaseKey> keys = {CaseKey({{"hidden_size", 2048}, {"num_tokens", 2}}),
                                     CaseKey({{"hidden_size", 2048}, {"num_tokens", 16}})};
  TuneOptions options;
  options.rounds = 2;
  options.min_ms = 0.05;
  const std::vector<TunedCase> cases = tune_cases(add, cpu, keys, options);
  ASSERT_EQ(cases.size(), 2u);
  for (const TunedCase& c : cases) {
    ASSERT_GE(c.candidates.size(), 2u);
    for (const TunedCandidate& t : c.candidates) {
      EXPECT_TRUE(t.error.empty()) << t.error;
      EXPECT_GT(t.ms, 0);
      EXPECT_LE(c.candidates[c.best].ms, t.ms);  // the kept one is the fastest measured
    }
    EXPECT_GT(c.bytes, 0);
  }
  // The file: each case's winner under its key, then the default key with the biggest case's.
  const std::vector<ConfigEntry> entries = tuned_entries(cases);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].key, keys[0]);
  EXPECT_EQ(entries[0].config, cases[0].candidates[cases[0].best].config);
  EXPECT_TRUE(entries[2].key.is_default());
  EXPECT_EQ(entries[2].config, cases[1].candidates[cases[1].best].config);
  const std::string platform = cpu.info().platform;
  const std::filesystem::path path = configs.save_configs("add", platform, entries);
  EXPECT_EQ(path, dir / "add" / (platform + ".json"));
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().rfind("[\n  {\n    \"key\": {\n      \"hidden_size\": 2048,", 0), 0u)
      << "not vLLM's json.dump(indent=2) layout:\n" << text.str().substr(0, 200);
  const std::vector<ConfigEntry> back = configs.read_platform_file("add", platform);
  ASSERT_EQ(back.size(), 3u);
  for (std::size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i].key, entries[i].key);
    EXPECT_EQ(back[i].config, entries[i].config);
  }
  // A registry over the folder routes a 10-token call to the 16-token entry (vLLM's rule: the
  // smallest tuned count >= the call's) and computes the right result with it.
  const registry::HostArgs host = add.make_inputs(CaseKey({{"hidden_size", 2048}, {"num_tokens", 10}}));
  RunOptions run;
  run.iterations = 0;
  const CaseResult r = run_host_args(add, cpu, host, run);
  EXPECT_EQ(r.route.key, keys[1]);
  EXPECT_EQ(r.route.config, entries[1].config);
  EXPECT_TRUE(r.pass);
  std::filesystem::remove_all(dir);
}

/// One compile the registry asked for: the specialization and the generated CPU source.
struct Recorded {
  std::vector<std::pair<std::string, std::int64_t>> sizes;
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> strides;
  bool index64 = false;
  Config config;
  std::string source;
};

/// `default_compile_fn`, recording each request into `out`.
registry::CompileFn recording_compile(std::vector<Recorded>& out) {
  return [&out](const registry::CompileRequest& r) {
    out.push_back({r.sizes, r.strides, r.index64, *r.config,
                   backend::cpu::emit_cpu_source(registry::lower_request(r)).text});
    return registry::default_compile_fn(r);
  };
}

// The tuner times the program a user's call runs: matmul specializes n and k only, so the
// token count m is a run-time size in the registry's program, and the tuner's program for the
// winning config is that same program (same specialization, same generated source), not a
// program with m constant.
TEST(OpsTune, TimesTheRegistrysProgram) {
  tessera::init();
  const runtime::Device cpu = open_device("cpu");
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tessera_tune_program_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ConfigManager configs(dir);
  registry::KernelRegistry reg(configs);
  register_ops(reg);
  const registry::RegisteredKernel& matmul = reg.get("matmul");
  const CaseKey key({{"k", 128}, {"m", 3}, {"n", 256}});
  std::vector<Recorded> tuner;
  TuneOptions options;
  options.rounds = 1;
  options.min_ms = 0.01;
  options.compile = recording_compile(tuner);
  const std::vector<TunedCase> cases = tune_cases(matmul, cpu, {key}, options);
  ASSERT_EQ(cases.size(), 1u);
  ASSERT_EQ(tuner.size(), cases[0].candidates.size());  // one compile per candidate, each the registry's
  for (const Recorded& r : tuner) {
    EXPECT_THAT(r.sizes, ::testing::UnorderedElementsAre(::testing::Pair("k", 128), ::testing::Pair("n", 256)))
        << "m must stay a run-time size, as in the registry's program";
  }
  // A user's call with the saved file compiles the winner: the same request and source.
  configs.save_configs("matmul", cpu.info().platform, tuned_entries(cases));
  std::vector<Recorded> user;
  ConfigManager user_configs(dir);
  registry::KernelRegistry user_reg(user_configs, recording_compile(user));
  register_ops(user_reg);
  const registry::HostArgs host = matmul.make_inputs(key);
  RunOptions run;
  run.iterations = 0;
  const CaseResult result = run_host_args(user_reg.get("matmul"), cpu, host, run);
  EXPECT_TRUE(result.pass);
  ASSERT_EQ(user.size(), 1u);
  const Recorded& best = tuner.at(cases[0].best);
  EXPECT_EQ(user[0].config, best.config);
  EXPECT_EQ(user[0].sizes, best.sizes);
  EXPECT_EQ(user[0].strides, best.strides);
  EXPECT_EQ(user[0].index64, best.index64);
  EXPECT_EQ(user[0].source, best.source);
  std::filesystem::remove_all(dir);
}

// The file's current config for a key is a candidate (tuning never makes a key slower), and a
// spent --budget-s stops before the next case (the first case always runs).
TEST(OpsTune, TheFilesConfigIsACandidateAndTheBudgetStops) {
  tessera::init();
  const runtime::Device cpu = open_device("cpu");
  const registry::RegisteredKernel& add = op_kernel("add");
  const CaseKey key({{"hidden_size", 512}, {"num_tokens", 2}});
  Config current;
  current.set_block_sizes({2, 128});
  current.set_num_warps(4);
  TuneOptions options;
  options.rounds = 1;
  options.min_ms = 0.01;
  options.current = {{CaseKey::default_key(), current}};
  const std::vector<TunedCase> cases = tune_cases(add, cpu, {key, key}, options);
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].candidates.front().config, current);
  options.budget_s = 1e-9;
  EXPECT_EQ(tune_cases(add, cpu, {key, key}, options).size(), 1u);
}

/// A row sum with a real bug of the kind a config exposes: each tile of the row *assigns* its
/// partial sum to out instead of adding it, so the result is right only when the config's
/// `tile_n` covers the whole row (the last tile's partial sum wins otherwise).
registry::KernelSpec last_tile_row_sum_spec() {
  registry::KernelSpec s;
  s.name = "last_tile_row_sum";
  s.summary = "row sum, wrong unless one tile covers the row (tuner test)";
  s.signature = {{"out", registry::ArgKind::kTensor, false, true}, {"input", registry::ArgKind::kTensor}};
  s.bind = [](registry::KernelArgs args, registry::Binding& b) {
    const runtime::TensorView& out = registry::tensor_arg(args, 0);
    const runtime::TensorView& x = registry::tensor_arg(args, 1);
    b.variant.push_back(0);
    b.pick_shape.push_back(x.size(0));
    b.pick_shape.push_back(x.size(1));
    b.tensors.push_back(x);
    b.tensors.push_back(out);
  };
  s.define = [](const registry::Binding&) {
    using namespace lang;
    return lang::define("last_tile_row_sum", [](Builder& k) {
      auto x = k.input("input", DType::f32, {"num_tokens", "hidden_size"});
      auto h = k.specialize(x.dim(1));
      auto out = k.output("out", DType::f32, {x.dim(0), 1});
      k.tile({x.dim(0)}, TileOptions{{"tile_m"}, {1}}, [&](Tile tm) {
        k.tile({h}, TileOptions{{"tile_n"}, {}}, [&](Tile tn) { out(tm, 0) = sum(x(tm, tn), -1); });
      });
    });
  };
  s.picker = [](registry::KernelArgs, std::span<const CaseKey>) { return std::optional<CaseKey>{}; };
  s.inputs = {[] { return std::vector<CaseKey>{}; },
              [](const CaseKey& key, std::uint64_t seed) {
                std::mt19937_64 rng(seed);
                const std::int64_t m = key_int(key, "num_tokens"), n = key_int(key, "hidden_size");
                return registry::HostArgs{poisoned(DType::f32, {m, 1}), random_normal(DType::f32, {m, n}, rng)};
              }};
  s.reference = [](registry::HostArgs& a) {
    const ir::HostTensor& x = registry::host_tensor_arg(a, 1);
    ir::HostTensor& out = registry::host_tensor_arg(a, 0);
    for (std::int64_t i = 0; i < x.shape[0]; ++i) {
      double sum = 0;
      for (std::int64_t j = 0; j < x.shape[1]; ++j) sum += x.load(i * x.strides[0] + j * x.strides[1]);
      out.store(i * out.strides[0], sum);
    }
  };
  s.checks = {{.arg = 0, .max_ulp = -1, .max_rel = 1e-4}};
  return s;
}

// A candidate whose output is wrong is rejected with its config and the first mismatch, never
// wins and never reaches the file; the right candidates still compete. The file's current
// config (the first candidate) is a partial-row tile here, as a stale or hand-edited file may hold.
TEST(OpsTune, RejectsACandidateThatComputesAWrongResult) {
  tessera::init();
  const runtime::Device cpu = open_device("cpu");
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tessera_tune_wrong_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ConfigManager configs(dir);
  registry::KernelRegistry reg(configs);
  const registry::RegisteredKernel& kernel = reg.register_kernel(last_tile_row_sum_spec());
  const std::int64_t n = 2048;
  const CaseKey key({{"hidden_size", n}, {"num_tokens", 4}});
  Config partial;
  partial.set_block_sizes({512});
  TuneOptions options;
  options.rounds = 2;
  options.min_ms = 0.01;
  options.current = {{CaseKey::default_key(), partial}};
  std::vector<std::string> progress;
  options.progress = [&](const std::string& line) { progress.push_back(line); };
  const std::vector<TunedCase> cases = tune_cases(kernel, cpu, {key}, options);
  ASSERT_EQ(cases.size(), 1u);
  const TunedCase& c = cases[0];
  ASSERT_EQ(c.candidates.front().config, partial);
  EXPECT_THAT(c.candidates.front().error, ::testing::StartsWith("wrong result: out: 4 mismatches"));
  EXPECT_TRUE(std::isinf(c.candidates.front().ms));
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_THAT(progress[0], ::testing::HasSubstr("rejected " + partial.to_json().dump() + ": wrong result: out:"));
  // Exactly the candidates whose tile misses part of the row are rejected.
  std::size_t right = 0;
  for (const TunedCandidate& t : c.candidates) {
    const bool covers = t.config.block_sizes()->at(0) >= n;
    EXPECT_EQ(t.error.empty(), covers) << t.config.to_json().dump() << ": " << t.error;
    right += covers;
  }
  ASSERT_GE(right, 1u);
  ASSERT_LT(right, c.candidates.size());
  EXPECT_TRUE(c.candidates[c.best].error.empty());
  EXPECT_GE(c.candidates[c.best].config.block_sizes()->at(0), n);
  // The saved file holds the right winner, and a call through it computes the row sums.
  const std::vector<ConfigEntry> entries = tuned_entries(cases);
  for (const ConfigEntry& e : entries) EXPECT_GE(e.config.block_sizes()->at(0), n) << e.key.canonical();
  configs.save_configs(kernel.name(), cpu.info().platform, entries);
  ConfigManager tuned(dir);
  registry::KernelRegistry user(tuned);
  const registry::RegisteredKernel& user_kernel = user.register_kernel(last_tile_row_sum_spec());
  RunOptions run;
  run.iterations = 0;
  EXPECT_TRUE(run_host_args(user_kernel, cpu, user_kernel.make_inputs(key), run).pass);
  // The partial tile really is wrong through a user's registry (the rejection is not the tuner's doing).
  configs.save_configs(kernel.name(), cpu.info().platform, {{CaseKey::default_key(), partial}});
  ConfigManager stale(dir);
  registry::KernelRegistry stale_reg(stale);
  const registry::RegisteredKernel& stale_kernel = stale_reg.register_kernel(last_tile_row_sum_spec());
  EXPECT_FALSE(run_host_args(stale_kernel, cpu, stale_kernel.make_inputs(key), run).pass);
  std::filesystem::remove_all(dir);
}

// An in-place op (the residual of rms_norm_dynamic_per_token_quant: residual <- input + residual
// on every call) is restored before each candidate's checked call and each timing round: every
// candidate is checked against the reference of the case's own inputs after the candidates
// before it ran their warm-up and timed calls on the same buffers, and all pass. Without the
// re-upload the second candidate would see the residual its predecessors compounded and be
// rejected as wrong.
TEST(OpsTune, InPlaceInputsAreUploadedAgainBetweenRuns) {
  tessera::init();
  const runtime::Device cpu = open_device("cpu");
  for (const char* op : {"rms_norm_dynamic_per_token_quant", "fused_qk_norm_rope"}) {
    const registry::RegisteredKernel& kernel = op_kernel(op);
    const CaseKey key = std::string(op) == "fused_qk_norm_rope"
                            ? CaseKey({{"kv_heads", 1}, {"num_tokens", 3}, {"q_heads", 2}})
                            : CaseKey({{"hidden_size", 512}, {"num_tokens", 3}});
    TuneOptions options;
    options.rounds = 3;
    options.min_ms = 0.01;
    const std::vector<TunedCase> cases = tune_cases(kernel, cpu, {key}, options);
    ASSERT_EQ(cases.size(), 1u);
    ASSERT_GE(cases[0].candidates.size(), 2u) << op;
    for (const TunedCandidate& t : cases[0].candidates) {
      EXPECT_TRUE(t.error.empty()) << op << " " << t.config.to_json().dump() << ": " << t.error;
      EXPECT_TRUE(std::isfinite(t.ms)) << op;
    }
  }
}

}  // namespace
}  // namespace tessera::ops
