// SPDX-License-Identifier: Apache-2.0
#include "tessera/lower/program.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "examples/examples.h"
#include "tessera/error.h"

namespace tessera::lower {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<const ir::Kernel> kernel(const std::string& name) {
  for (const auto& e : examples::example_kernels())
    if (e.name == name) return std::make_shared<const ir::Kernel>(e.make());
  ADD_FAILURE() << "no example " << name;
  return nullptr;
}

Specialization sizes(std::int64_t v, const ir::Kernel& k) {
  Specialization s;
  for (const auto& sv : k.size_vars) s.sizes[sv.name] = v;
  return s;
}

TEST(Lower, MatmulGridOrderGroupingAndLayouts) {
  auto k = kernel("matmul");
  Config c;
  c.set_block_sizes({64, 32, 16}).set_loop_orders({{1, 0}}).set_l2_groupings({8}).set_num_warps(4);
  Program p = lower(k, c, sizes(1000, *k), "sm_90a", 32);
  EXPECT_EQ(p.tiles[0].block, 64);
  EXPECT_TRUE(p.tiles[0].needs_mask);  // 1000 % 64 != 0
  EXPECT_EQ(p.grid.order, (std::vector<int>{1, 0}));
  EXPECT_EQ(p.grid.l2_grouping, 8);
  ASSERT_EQ(p.device_loops.size(), 1u);
  LaunchGrid g = p.launch_grid({}, 132);
  EXPECT_EQ(g.x, 16 * 32);  // flat: every tile one program
  // The accumulator is an mma layout; the loads feeding dot get shared staging buffers.
  EXPECT_EQ(p.local_layouts.at(0).kind, LayoutKind::kMma);
  EXPECT_EQ(p.shared_buffers.size(), 2u);
  EXPECT_THAT(p.describe(), HasSubstr("pid_type flat, order [1,0], l2_grouping 8"));
  // On the CPU every value is one thread's blocked tile.
  Program cpu = lower(k, c, sizes(1000, *k), "host", 1);
  EXPECT_EQ(cpu.local_layouts.at(0).kind, LayoutKind::kBlocked);
  EXPECT_EQ(cpu.local_layouts.at(0).size_per_thread, (std::vector<int>{64, 32}));
}

TEST(Lower, PersistentAndXyzGrids) {
  auto k = kernel("add");
  Config c;
  c.set_block_sizes({16, 16}).set_pid_type(PidType::kPersistentInterleaved);
  Program p = lower(k, c, sizes(100, *k), "host", 1);
  EXPECT_EQ(p.params.back().kind, ParamKind::kNumPrograms);
  EXPECT_EQ(p.launch_grid({}, 4).x, 4);
  EXPECT_EQ(p.launch_grid({}, 4).tiles, 49);
  Config xyz;
  xyz.set_block_sizes({16, 32}).set_pid_type(PidType::kXyz);
  LaunchGrid g = lower(k, xyz, sizes(100, *k), "sm_90a", 32).launch_grid({}, 4);
  EXPECT_EQ(g.x, 7);
  EXPECT_EQ(g.y, 4);
  // The CPU's default grid order puts the last dimension first (x); a given order wins.
  g = lower(k, xyz, sizes(100, *k), "host", 1).launch_grid({}, 4);
  EXPECT_EQ(g.x, 4);
  EXPECT_EQ(g.y, 7);
  xyz.set_loop_orders({{0, 1}});
  g = lower(k, xyz, sizes(100, *k), "host", 1).launch_grid({}, 4);
  EXPECT_EQ(g.x, 7);
  EXPECT_EQ(g.y, 4);
}

TEST(Lower, AbsentFieldsTakeTheTargetsDefaults) {
  // One source of defaults: ConfigSpace::default_config for the target's warp size.
  auto k = kernel("add");
  const Specialization s = sizes(4096, *k);
  Program cpu = lower(k, Config(), s, "host", 1);
  EXPECT_EQ(cpu.tiles[0].block, 1);
  EXPECT_EQ(cpu.tiles[1].block, 4096);
  EXPECT_EQ(cpu.grid.order, (std::vector<int>{1, 0}));
  Program gpu = lower(k, Config(), s, "sm_90a", 32);
  EXPECT_EQ(gpu.tiles[0].block, 32);
  EXPECT_EQ(gpu.tiles[1].block, 32);
  EXPECT_EQ(gpu.grid.order, (std::vector<int>{0, 1}));
  Config rows;
  rows.set_block_sizes({2, 2048});  // given block sizes, default order
  Program given = lower(k, rows, s, "host", 1);
  EXPECT_EQ(given.tiles[1].block, 2048);
  EXPECT_EQ(given.grid.order, (std::vector<int>{1, 0}));
}

TEST(Lower, ReductionStrategiesAndErrors) {
  auto k = kernel("rms_norm");
  Config looped;
  looped.set_reduction_loops({256});
  Program p = lower(k, looped, sizes(1000, *k), "host", 1);
  EXPECT_EQ(p.rdims[0].strategy, ReductionStrategy::kLooped);
  EXPECT_EQ(p.rdims[0].block, 256);
  Program whole = lower(k, Config(), sizes(1000, *k), "sm_90a", 32);
  EXPECT_EQ(whole.rdims[0].strategy, ReductionStrategy::kPersistent);
  EXPECT_EQ(whole.rdims[0].block, 1024);  // GPU tile: next power of two, masked
  EXPECT_TRUE(whole.rdims[0].needs_mask);
  // Run-time sizes become launch parameters; a persistent reduction then needs a chunk size:
  // the default is Helion's 4096, an explicit null is an error naming the field.
  Program dynamic_default = lower(k, Config(), Specialization{}, "host", 1);
  EXPECT_EQ(dynamic_default.rdims[0].strategy, ReductionStrategy::kLooped);
  EXPECT_EQ(dynamic_default.rdims[0].block, 4096);
  Config persistent;
  persistent.set_reduction_loops({std::nullopt});
  try {
    lower(k, persistent, Specialization{}, "host", 1);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("reduction_loops[0]"));
  }
  Program dynamic = lower(k, looped, Specialization{}, "host", 1);
  int size_params = 0;
  for (const Param& prm : dynamic.params) size_params += prm.kind == ParamKind::kSize;
  EXPECT_EQ(size_params, 2);
  Config bad;
  bad.set_block_sizes({16, 16});
  try {
    lower(k, bad, sizes(10, *k), "host", 1);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("\"block_sizes\" has 2 entries"));
  }
}

TEST(Lower, RangeSlotsAndPerAccessListsFollowTheConfigSpace) {
  // vLLM's dynamic_per_token_scaled_fp8_quant layout: range slot 0 is the grid, slots 1 and 2
  // the two device loops; vLLM's kernel has one more load and access than this example.
  auto k = kernel("dynamic_per_token_scaled_fp8_quant");
  Config c = Config::from_json(json::parse(R"({"block_sizes": [256, 512], "range_unroll_factors": [0, 1, 3],
      "range_warp_specializes": [], "range_num_stages": [], "load_eviction_policies": ["last", "", ""],
      "indexing": ["pointer", "pointer", "tensor_descriptor", "tensor_descriptor", "pointer"], "pid_type": "flat"})",
                                           "test"), "test");
  Program p = lower(k, c, sizes(4096, *k), "host", 1);
  ASSERT_EQ(p.device_loops.size(), 2u);
  EXPECT_EQ(p.device_loops[0].unroll, 1);
  EXPECT_EQ(p.device_loops[1].unroll, 3);
  EXPECT_EQ(p.config, c);  // as given
  EXPECT_THAT(p.notes, ::testing::Contains(HasSubstr("load_eviction_policies has 3 entries")));
  // Too many range entries for this kernel is an error naming the field.
  Config bad = c;
  bad.set_range_unroll_factors({0, 1, 3, 4});
  try {
    lower(k, bad, sizes(4096, *k), "host", 1);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("\"range_unroll_factors\" has 4 entries but this kernel has 3 range slots"));
  }
}

}  // namespace
}  // namespace tessera::lower
