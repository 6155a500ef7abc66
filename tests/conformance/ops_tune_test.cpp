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
#include "tessera/config/config_manager.h"
#include "tessera/runtime/registry.h"

namespace tessera::ops {
namespace {

TEST(OpsTune, CandidatesComeFromTheConfigSpace) {
  for (const auto& e : examples::example_kernels()) {
    const ir::ConfigSpace space = ir::ConfigSpace::of(e.make(), {{"m", 512}, {"n", 4096}, {"two_d", 4096},
                                                                 {"k", 512}, {"num_tokens", 64}, {"hidden_size", 4096}});
    const std::vector<Config> c = tune_candidates(space, ir::ConfigDefaults::cpu);
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
  for (const Config& c : tune_candidates(add, ir::ConfigDefaults::cpu)) blocks.push_back(*c.block_sizes());
  EXPECT_THAT(blocks, ::testing::IsSupersetOf(std::vector<std::vector<std::int64_t>>{
                          {1, 4096}, {1, 1024}, {1, 2048}, {2, 4096}, {4, 4096}, {32, 32}}));
  // Rows longer than Helion's 4096 loop by default; the persistent row is a candidate too.
  const ir::ConfigSpace softmax = ir::ConfigSpace::of(examples::softmax_kernel(), {{"m", 64}, {"n", 8192}});
  std::vector<std::vector<std::optional<std::int64_t>>> reductions;
  for (const Config& c : tune_candidates(softmax, ir::ConfigDefaults::cpu)) reductions.push_back(*c.reduction_loops());
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

}  // namespace
}  // namespace tessera::ops
