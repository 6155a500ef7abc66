// SPDX-License-Identifier: Apache-2.0
// The config tuner (ops/tune.h) on the CPU: candidates come from the op's config space (the CPU
// default first, Helion's default among them, all valid for the kernel), a tuning run keeps the
// fastest candidate per case key, writes vLLM's file format through ConfigManager, and a
// registry over that folder then routes calls to the tuned entries and computes right.
#include "ops/tune.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "examples/examples.h"
#include "ops/harness.h"
#include "ops/ops.h"
#include "cpu/codegen.h"
#include "tessera/config/config_manager.h"
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

}  // namespace
}  // namespace tessera::ops
