// SPDX-License-Identifier: Apache-2.0
// ConfigSpace: the space of every example kernel (Helion's list lengths), value domains,
// Helion's default config, every real vLLM config validated against the example kernel with
// the same loop structure, and every error path.
#include "tessera/ir/config_space.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "examples/examples.h"
#include "tessera/error.h"
#include "tessera/ir/stmt.h"

namespace tessera::ir {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using json::Json;

Kernel example(const std::string& name) {
  for (const auto& e : examples::example_kernels())
    if (e.name == name) return e.make();
  ADD_FAILURE() << "no example " << name;
  return {};
}

/// The message of the UserError `fn` throws (fails the test when it throws none).
template <typename F>
std::string user_error(F&& fn) {
  try {
    fn();
  } catch (const UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a UserError";
  return {};
}

Config config(const std::string& text) { return Config::from_json(json::parse(text, "test"), "test"); }

/// Expected lengths of every list of one kernel's space.
struct Lengths {
  std::size_t block_sizes, reduction_loops, loop_orders, l2_groupings, ranges, loads, accesses;
};

void expect_lengths(const ConfigSpace& s, const Lengths& want) {
  EXPECT_EQ(s.block_sizes().size(), want.block_sizes) << s.describe();
  EXPECT_EQ(s.reduction_loops().size(), want.reduction_loops) << s.describe();
  EXPECT_EQ(s.loop_orders().size(), want.loop_orders) << s.describe();
  EXPECT_EQ(s.l2_groupings().size(), want.l2_groupings) << s.describe();
  EXPECT_EQ(s.ranges().size(), want.ranges) << s.describe();
  EXPECT_EQ(static_cast<std::size_t>(s.num_loads()), want.loads) << s.describe();
  EXPECT_EQ(s.accesses().size(), want.accesses) << s.describe();
  EXPECT_TRUE(s.static_ranges().empty()) << "no sizes given: no compile-time trip counts";
}

TEST(ConfigSpace, EveryExampleKernel) {
  expect_lengths(ConfigSpace::of(example("add")), {2, 0, 1, 1, 1, 2, 3});
  expect_lengths(ConfigSpace::of(example("silu_mul_fp8")), {2, 0, 1, 1, 1, 3, 4});
  expect_lengths(ConfigSpace::of(example("rms_norm")), {1, 1, 0, 0, 1, 2, 3});
  expect_lengths(ConfigSpace::of(example("softmax")), {1, 1, 0, 0, 1, 1, 2});
  expect_lengths(ConfigSpace::of(example("layer_norm")), {1, 1, 0, 0, 1, 3, 4});
  // The grid loop has a fixed block size (1 token per program): no block_sizes entry; one range
  // slot for the grid and one per device loop.
  expect_lengths(ConfigSpace::of(example("dynamic_per_token_scaled_fp8_quant")), {2, 0, 0, 0, 3, 2, 4});
  expect_lengths(ConfigSpace::of(example("matmul")), {3, 0, 1, 1, 2, 2, 3});
}

TEST(ConfigSpace, SlotsNameTheirLoopsAndAccesses) {
  const Kernel k = example("dynamic_per_token_scaled_fp8_quant");
  const ConfigSpace s = ConfigSpace::of(k);
  ASSERT_EQ(s.block_sizes().size(), 2u);
  EXPECT_EQ(s.block_sizes()[0].name, "tn");
  EXPECT_EQ(s.block_sizes()[1].name, "tn2");
  EXPECT_TRUE(s.ranges()[0].is_grid);
  EXPECT_EQ(s.ranges()[1].loop, 1);
  EXPECT_EQ(s.ranges()[2].loop, 2);
  EXPECT_EQ(s.range_slot_of(s.block_sizes()[1].tile_var), 2);
  EXPECT_EQ(s.range_slot_of(k.tile_vars[0].id), 0);  // the grid's fixed tile
  // Program order: the first loop's load, the scale store, then the second loop's load+store.
  std::vector<std::string> order;
  for (const MemoryAccess& a : s.accesses()) order.push_back((a.is_load ? "load " : "store ") + a.tensor);
  EXPECT_THAT(order, ElementsAre("load input", "store scale", "load input", "store result"));
  EXPECT_EQ(s.load_index_of(s.accesses()[2].load), 1);
  EXPECT_EQ(s.load_index_of(nullptr), -1);
  EXPECT_EQ(s.accesses()[0].loop, 1);
  EXPECT_EQ(s.accesses()[1].loop, 0);
  EXPECT_THAT(s.describe(), AllOf(HasSubstr("range_*: 3"), HasSubstr("[1] device loop 1 (tn)"),
                                  HasSubstr("[1] store scale"), HasSubstr("pid_type: flat persistent_blocked")));

  const ConfigSpace mm = ConfigSpace::of(example("matmul"));
  EXPECT_EQ(mm.loop_order_slot_of(0), 0);
  EXPECT_EQ(mm.loop_order_slot_of(1), -1);  // the 1-d k loop has no loop order
  EXPECT_EQ(mm.range_slot_of(mm.block_sizes()[2].tile_var), 1);
}

TEST(ConfigSpace, PidTypesFollowTheGridRank) {
  EXPECT_THAT(ConfigSpace::of(example("add")).allowed_pid_types(),
              ElementsAre(PidType::kFlat, PidType::kXyz, PidType::kPersistentBlocked, PidType::kPersistentInterleaved));
  EXPECT_THAT(ConfigSpace::of(example("rms_norm")).allowed_pid_types(),
              ElementsAre(PidType::kFlat, PidType::kPersistentBlocked, PidType::kPersistentInterleaved));
}

TEST(ConfigSpace, DomainsFromKnownExtents) {
  const ConfigSpace unknown = ConfigSpace::of(example("silu_mul_fp8"));
  EXPECT_EQ(unknown.block_sizes()[0].min, 1);
  EXPECT_FALSE(unknown.block_sizes()[0].max.has_value());
  // silu_mul_fp8: tm over m, tn over two_d / 2.
  const ConfigSpace known = ConfigSpace::of(example("silu_mul_fp8"), {{"m", 100}, {"two_d", 6000}});
  EXPECT_EQ(known.block_sizes()[0].extent, 100);
  EXPECT_EQ(known.block_sizes()[0].max, 128);
  EXPECT_EQ(known.block_sizes()[1].extent, 3000);
  EXPECT_EQ(known.block_sizes()[1].max, 4096);
  // Reductions: extent and default strategy.
  const ConfigSpace rms = ConfigSpace::of(example("rms_norm"), {{"m", 7}, {"n", 5000}});
  EXPECT_EQ(rms.reduction_loops()[0].extent, 5000);
  EXPECT_EQ(rms.reduction_loops()[0].default_value, ConfigSpace::kDefaultReductionChunk);
  EXPECT_EQ(ConfigSpace::of(example("rms_norm"), {{"n", 4096}}).reduction_loops()[0].default_value, std::nullopt);
}

TEST(ConfigSpace, StaticRangesNeedShortCompileTimeLoops) {
  const Kernel k = example("dynamic_per_token_scaled_fp8_quant");
  EXPECT_EQ(ConfigSpace::of(k, {{"hidden_size", 4096}}).static_ranges().size(), 0u);
  const ConfigSpace small = ConfigSpace::of(k, {{"hidden_size", 8}});
  ASSERT_EQ(small.static_ranges().size(), 2u);
  EXPECT_EQ(small.static_ranges()[0].loop, 1);
  EXPECT_EQ(small.static_ranges()[1].loop, 2);
  // A static range makes its range_* entries meaningless: normalization resets them.
  NormalizedConfig n = small.normalize(config(R"({"static_ranges": [true, false], "range_unroll_factors": [0, 4, 2]})"));
  EXPECT_THAT(*n.config.range_unroll_factors(), ElementsAre(0, 0, 2));
  EXPECT_THAT(n.notes, ElementsAre(HasSubstr("range_unroll_factors[1] reset to the default: the loop over tn is a "
                                             "static range (static_ranges[0])")));
}

TEST(ConfigSpace, DefaultConfigIsHelions) {
  // No reductions, two block sizes: 32 each; lists at their defaults in Helion's field order.
  Config silu = ConfigSpace::of(example("silu_mul_fp8")).default_config();
  EXPECT_EQ(json::dumps_compact(silu.to_json(), false),
            R"({"block_sizes":[32,32],"loop_orders":[[0,1]],"flatten_loops":[false],"l2_groupings":[1],)"
            R"("range_unroll_factors":[0],"range_warp_specializes":[null],"range_num_stages":[0],)"
            R"("range_multi_buffers":[null],"range_flattens":[null],"load_eviction_policies":["","",""],)"
            R"("num_warps":4,"num_stages":1,"indexing":["pointer","pointer","pointer","pointer"],"pid_type":"flat"})");
  // Three block sizes: 16; clamped to a small known extent.
  EXPECT_THAT(*ConfigSpace::of(example("matmul")).default_config().block_sizes(), ElementsAre(16, 16, 16));
  EXPECT_THAT(*ConfigSpace::of(example("matmul"), {{"m", 3}}).default_config().block_sizes(), ElementsAre(4, 16, 16));
  // Long reductions: one row per program, looped in 4096-element chunks when longer than 4096.
  Config rms = ConfigSpace::of(example("rms_norm"), {{"n", 10000}}).default_config();
  EXPECT_THAT(*rms.block_sizes(), ElementsAre(1));
  EXPECT_THAT(*rms.reduction_loops(), ElementsAre(4096));
  EXPECT_FALSE(rms.contains("loop_orders"));  // no multi-dimensional loop
  // Short reductions (<= 128 elements after rounding up): 32 rows, persistent; <= 256: 16.
  EXPECT_THAT(*ConfigSpace::of(example("softmax"), {{"n", 100}}).default_config().block_sizes(), ElementsAre(32));
  EXPECT_THAT(*ConfigSpace::of(example("softmax"), {{"n", 200}}).default_config().block_sizes(), ElementsAre(16));
  EXPECT_THAT(*ConfigSpace::of(example("softmax"), {{"n", 200}}).default_config().reduction_loops(),
              ElementsAre(std::nullopt));
  // The default config is valid for its own kernel and needs no adjustment.
  for (const auto& e : examples::example_kernels()) {
    const ConfigSpace s = ConfigSpace::of(e.make());
    NormalizedConfig n = s.normalize(s.default_config());
    EXPECT_TRUE(n.notes.empty()) << e.name;
    EXPECT_EQ(n.config, s.default_config()) << e.name;
  }
}

TEST(ConfigSpace, CpuDefaultsAreLargeRowOrderedTiles) {
  const auto cpu = [](const std::string& name, std::map<std::string, std::int64_t> sizes) {
    return ConfigSpace::of(example(name), sizes).default_config(ConfigDefaults::cpu);
  };
  // Elementwise: about 4096 elements per program, the last (contiguous) dimension first and
  // fastest in the grid order, so consecutive programs walk memory linearly.
  Config add = cpu("add", {{"m", 4096}, {"n", 4096}});
  EXPECT_THAT(*add.block_sizes(), ElementsAre(1, 4096));
  EXPECT_THAT(*add.loop_orders(), ElementsAre(ElementsAre(1, 0)));
  EXPECT_THAT(*cpu("silu_mul_fp8", {{"m", 4096}, {"two_d", 4096}}).block_sizes(), ElementsAre(2, 2048));
  EXPECT_THAT(*cpu("add", {{"m", 3}, {"n", 100}}).block_sizes(), ElementsAre(4, 128));  // clamped to extents
  EXPECT_THAT(*cpu("add", {}).block_sizes(), ElementsAre(1, 4096));  // run-time extents
  // Row kernels: rows per program so that a tile holds about 4096 elements.
  EXPECT_THAT(*cpu("rms_norm", {{"m", 4096}, {"n", 4096}}).block_sizes(), ElementsAre(1));
  EXPECT_THAT(*cpu("softmax", {{"m", 4096}, {"n", 128}}).block_sizes(), ElementsAre(32));
  EXPECT_THAT(*cpu("softmax", {{"m", 4096}, {"n", 100}}).reduction_loops(), ElementsAre(std::nullopt));
  EXPECT_THAT(*cpu("rms_norm", {{"n", 10000}}).reduction_loops(), ElementsAre(4096));
  // Device loops take the budget the grid tile leaves: whole 4096-wide rows per loop.
  EXPECT_THAT(*cpu("dynamic_per_token_scaled_fp8_quant", {{"num_tokens", 64}, {"hidden_size", 4096}}).block_sizes(),
              ElementsAre(4096, 4096));
  // A dot keeps Helion's block sizes (and the CPU grid order).
  EXPECT_THAT(*cpu("matmul", {}).block_sizes(), ElementsAre(16, 16, 16));
  // Only block sizes and the grid order differ from Helion's; the result is a valid config.
  for (const auto& e : examples::example_kernels()) {
    const ConfigSpace s = ConfigSpace::of(e.make(), {{"m", 300}, {"n", 5000}});
    Config c = s.default_config(ConfigDefaults::cpu), h = s.default_config();
    NormalizedConfig n = s.normalize(c);
    EXPECT_TRUE(n.notes.empty()) << e.name;
    EXPECT_EQ(n.config, c) << e.name;
    if (auto bs = h.block_sizes()) c.set_block_sizes(*bs);
    if (auto lo = h.loop_orders()) c.set_loop_orders(*lo);
    EXPECT_EQ(c, h) << e.name;
  }
}

TEST(ConfigSpace, FittingConfigIsUnchanged) {
  const ConfigSpace s = ConfigSpace::of(example("matmul"));
  Config c = config(R"({"block_sizes": [64, 32, 16], "loop_orders": [[1, 0]], "l2_groupings": [8],
                        "range_unroll_factors": [0, 2], "pid_type": "persistent_blocked", "num_sm_multiplier": 2,
                        "maxnreg": 128, "indexing": "tensor_descriptor"})");
  NormalizedConfig n = s.normalize(c);
  EXPECT_EQ(n.config, c);
  EXPECT_TRUE(n.notes.empty());
}

TEST(ConfigSpace, ShortStructuralListsArePadded) {
  const ConfigSpace s = ConfigSpace::of(example("dynamic_per_token_scaled_fp8_quant"));
  // An empty list is Helion's "nothing to tune": padded silently; a short non-empty one: a note.
  NormalizedConfig n = s.normalize(config(R"({"range_warp_specializes": [], "range_flattens": [null, true]})"));
  EXPECT_THAT(*n.config.range_warp_specializes(), ElementsAre(std::nullopt, std::nullopt, std::nullopt));
  EXPECT_THAT(*n.config.range_flattens(), ElementsAre(std::nullopt, true, std::nullopt));
  EXPECT_THAT(n.notes, ElementsAre("range_flattens has 2 entries, this kernel has 3 range slots (the grid loop, then "
                                   "each device-loop dimension): padded with the default"));
  // Missing loop orders are the identity; missing reduction loops take the slot's default.
  const ConfigSpace mm = ConfigSpace::of(example("matmul"));
  EXPECT_THAT(*mm.normalize(config(R"({"loop_orders": []})")).config.loop_orders(), ElementsAre(ElementsAre(0, 1)));
  EXPECT_THAT(*ConfigSpace::of(example("rms_norm")).normalize(config(R"({"reduction_loops": []})")).config.reduction_loops(),
              ElementsAre(4096));
}

TEST(ConfigSpace, PerAccessListsArePaddedOrTruncatedWithANote) {
  const ConfigSpace s = ConfigSpace::of(example("silu_mul_fp8"));
  NormalizedConfig n = s.normalize(config(R"({"load_eviction_policies": ["first", "last", "", "first"],
                                              "indexing": ["tensor_descriptor"], "atomic_indexing": ["pointer"]})"));
  EXPECT_THAT(*n.config.load_eviction_policies(),
              ElementsAre(EvictionPolicy::kFirst, EvictionPolicy::kLast, EvictionPolicy::kNone));
  EXPECT_THAT(std::get<std::vector<Indexing>>(*n.config.indexing()),
              ElementsAre(Indexing::kTensorDescriptor, Indexing::kPointer, Indexing::kPointer, Indexing::kPointer));
  EXPECT_TRUE(std::get<std::vector<Indexing>>(*n.config.atomic_indexing()).empty());
  EXPECT_THAT(n.notes, ElementsAre("load_eviction_policies has 4 entries, this kernel has 3 loads: truncated to 3",
                                   "indexing has 1 entries, this kernel has 4 loads and stores: padded with \"pointer\"",
                                   "atomic_indexing has 1 entries, this kernel has 0 atomic operations: truncated to 0"));
  // One strategy for every access is not a list: nothing to fit.
  EXPECT_TRUE(s.normalize(config(R"({"indexing": "pointer"})")).notes.empty());
}

TEST(ConfigSpace, HelionRangeRules) {
  const ConfigSpace s = ConfigSpace::of(example("dynamic_per_token_scaled_fp8_quant"));
  // Non-persistent: the grid is no loop, its range entries are reset.
  NormalizedConfig flat = s.normalize(config(R"({"range_unroll_factors": [4, 1, 2], "range_num_stages": [2, 0, 0]})"));
  EXPECT_THAT(*flat.config.range_unroll_factors(), ElementsAre(0, 1, 2));
  EXPECT_THAT(*flat.config.range_num_stages(), ElementsAre(0, 0, 0));
  EXPECT_EQ(flat.notes.size(), 2u);
  EXPECT_THAT(flat.notes[0], HasSubstr("range_unroll_factors[0] reset to the default: the grid is a loop only for "
                                       "persistent pid types, this config's is \"flat\""));
  NormalizedConfig pers = s.normalize(config(R"({"range_unroll_factors": [4, 1, 2], "pid_type": "persistent_interleaved"})"));
  EXPECT_THAT(*pers.config.range_unroll_factors(), ElementsAre(4, 1, 2));
  EXPECT_TRUE(pers.notes.empty());
  // Only the first warp-specialized loop stays, and it is not unrolled.
  NormalizedConfig ws = s.normalize(config(R"({"range_warp_specializes": [null, true, true],
      "range_unroll_factors": [0, 3, 2], "pid_type": "persistent_blocked"})"));
  EXPECT_THAT(*ws.config.range_warp_specializes(), ElementsAre(std::nullopt, true, std::nullopt));
  EXPECT_THAT(*ws.config.range_unroll_factors(), ElementsAre(0, 0, 2));
  EXPECT_EQ(ws.notes.size(), 2u);
}

// ---- every real vLLM config against the example with the same loop structure ----------------

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

/// Validates every entry of every platform file of `fixture` against `kernel`; `sizes` maps the
/// entry's key to the kernel's compile-time sizes. Returns the notes of every entry.
std::vector<std::vector<std::string>> validate_fixture(
    const std::string& fixture, const Kernel& kernel,
    const std::function<std::map<std::string, std::int64_t>(const Json& key)>& sizes) {
  std::vector<std::vector<std::string>> all;
  const auto dir = std::filesystem::path(TS_FIXTURES_DIR) / "vllm_configs" / fixture;
  int files = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    ++files;
    const Json entries = json::parse(read_text(f.path()), f.path().string());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const std::string origin = f.path().filename().string() + ": entry " + std::to_string(i);
      const ConfigSpace space = ConfigSpace::of(kernel, sizes(entries[i]["key"]));
      try {
        NormalizedConfig n = space.normalize(entries[i]["config"], origin);
        // Structural lists come out at this kernel's lengths.
        EXPECT_EQ(n.config.block_sizes()->size(), space.block_sizes().size()) << origin;
        EXPECT_EQ(n.config.range_unroll_factors()->size(), space.ranges().size()) << origin;
        EXPECT_EQ(n.config.load_eviction_policies()->size(), static_cast<std::size_t>(space.num_loads())) << origin;
        all.push_back(n.notes);
      } catch (const UserError& e) {
        ADD_FAILURE() << origin << ": " << e.what();
      }
    }
  }
  EXPECT_EQ(files, 2) << fixture;
  return all;
}

TEST(ConfigSpace, VllmSiluMulFp8ConfigsApplyUnchanged) {
  const Kernel k = example("silu_mul_fp8");
  auto notes = validate_fixture("silu_mul_fp8", k, [](const Json& key) {
    std::map<std::string, std::int64_t> s;
    if (key.contains("intermediate")) s["two_d"] = 2 * key["intermediate"].get<std::int64_t>();
    if (key.contains("numtokens")) s["m"] = key["numtokens"].get<std::int64_t>();
    return s;
  });
  EXPECT_EQ(notes.size(), 616u);
  // Same loop structure and the same loads and stores: every list fits as written.
  for (std::size_t i = 0; i < notes.size(); ++i) EXPECT_THAT(notes[i], ::testing::IsEmpty()) << "entry " << i;
}

TEST(ConfigSpace, VllmDynamicPerTokenQuantConfigsApply) {
  const Kernel k = example("dynamic_per_token_scaled_fp8_quant");
  auto notes = validate_fixture("dynamic_per_token_scaled_fp8_quant", k, [](const Json& key) {
    return std::map<std::string, std::int64_t>{{"hidden_size", key.value("hidden_size", std::int64_t{4096})},
                                               {"num_tokens", key.value("num_tokens", std::int64_t{1})}};
  });
  EXPECT_EQ(notes.size(), 157u);
  // vLLM's kernel has one more load and one more access than this example: those two lists are
  // truncated, with a note each; nothing else is an error.
  for (const auto& n : notes) {
    EXPECT_THAT(n, ::testing::Contains("load_eviction_policies has 3 entries, this kernel has 2 loads: truncated to 2"));
    EXPECT_THAT(n, ::testing::Contains("indexing has 5 entries, this kernel has 4 loads and stores: truncated to 4"));
  }
}

// ---- errors: each names the kernel and the field and says how to fix it ----------------------

TEST(ConfigSpaceErrors, BlockSizesOfTheWrongLength) {
  const ConfigSpace s = ConfigSpace::of(example("silu_mul_fp8"));
  EXPECT_THAT(user_error([&] { s.normalize(config(R"({"block_sizes": [64]})")); }),
              AllOf(HasSubstr("kernel 'silu_mul_fp8': config field \"block_sizes\" has 1 entries"),
                    HasSubstr("2 tile dimensions without a fixed block size (tm, tn)"),
                    HasSubstr("give one power of two per dimension")));
  EXPECT_THAT(user_error([&] { s.normalize(config(R"({"block_sizes": [64, 32, 16]})")); }),
              HasSubstr("\"block_sizes\" has 3 entries"));
}

TEST(ConfigSpaceErrors, BlockSizeNotAPowerOfTwo) {
  const ConfigSpace s = ConfigSpace::of(example("add"));
  EXPECT_THAT(user_error([&] { s.normalize(json::parse(R"({"block_sizes": [64, 48]})", "t"), "cfg.json: entry 2"); }),
              AllOf(HasSubstr("kernel 'add': cfg.json: entry 2: config field \"block_sizes\""),
                    HasSubstr("element [1] must be a power of two >= 1, got an integer 48")));
}

TEST(ConfigSpaceErrors, TooManyStructuralEntries) {
  const ConfigSpace rms = ConfigSpace::of(example("rms_norm"));
  EXPECT_THAT(user_error([&] { rms.normalize(config(R"({"reduction_loops": [null, 64]})")); }),
              AllOf(HasSubstr("kernel 'rms_norm': config field \"reduction_loops\" has 2 entries but this kernel has 1 "
                              "reduction dimensions"),
                    HasSubstr("drop the field for the defaults")));
  EXPECT_THAT(user_error([&] { rms.normalize(config(R"({"l2_groupings": [1]})")); }),
              HasSubstr("\"l2_groupings\" has 1 entries but this kernel has 0 grid loops of two or more dimensions"));
  EXPECT_THAT(user_error([&] { rms.normalize(config(R"({"loop_orders": [[0]]})")); }),
              HasSubstr("\"loop_orders\" has 1 entries but this kernel has 0 tile loops"));
  EXPECT_THAT(user_error([&] { rms.normalize(config(R"({"flatten_loops": [true]})")); }), HasSubstr("\"flatten_loops\""));
  EXPECT_THAT(user_error([&] { rms.normalize(config(R"({"range_num_stages": [0, 0]})")); }),
              HasSubstr("\"range_num_stages\" has 2 entries but this kernel has 1 range slots"));
  EXPECT_THAT(user_error([&] { rms.normalize(config(R"({"static_ranges": [true]})")); }),
              HasSubstr("\"static_ranges\" has 1 entries but this kernel has 0 device-loop dimensions"));
}

TEST(ConfigSpaceErrors, LoopOrderNotAPermutationOfItsLoop) {
  const ConfigSpace s = ConfigSpace::of(example("matmul"));
  EXPECT_THAT(user_error([&] { s.normalize(config(R"({"loop_orders": [[0, 1, 2]]})")); }),
              AllOf(HasSubstr("kernel 'matmul': config field \"loop_orders\"[0] must be a permutation of 0..1"),
                    HasSubstr("tile loop over (tm, tn)")));
}

TEST(ConfigSpaceErrors, PersistentOnlyFieldsWithAFlatGrid) {
  const ConfigSpace s = ConfigSpace::of(example("add"));
  EXPECT_THAT(user_error([&] { s.normalize(config(R"({"num_sm_multiplier": 4})")); }),
              AllOf(HasSubstr("kernel 'add': config field \"num_sm_multiplier\" = 4 applies to persistent kernels only"),
                    HasSubstr("pid_type is \"flat\"")));
  EXPECT_THAT(user_error([&] { s.normalize(config(R"({"maxnreg": 64, "pid_type": "xyz"})")); }),
              AllOf(HasSubstr("config field \"maxnreg\" = 64"), HasSubstr("pid_type is \"xyz\"")));
  // Defaults are fine with any pid_type.
  EXPECT_TRUE(s.normalize(config(R"({"num_sm_multiplier": 1, "maxnreg": null})")).notes.empty());
  EXPECT_THAT(user_error([&] { s.normalize(config(R"({"num_sm_multiplier": 256, "pid_type": "persistent_blocked"})")); }),
              HasSubstr("\"num_sm_multiplier\" = 256 is larger than 128"));
}

}  // namespace
}  // namespace tessera::ir
