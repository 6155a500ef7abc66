// SPDX-License-Identifier: Apache-2.0
// Config: typed access, value domains, field order (Helion's for configs built in code, the
// stored order for configs read from files), unknown fields kept verbatim.
#include "tessera/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "tessera/error.h"

namespace tessera {
namespace {

using json::Json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "<no UserError>";
}

// The first entry of vLLM's silu_mul_fp8/nvidia_h100.json, verbatim.
constexpr const char* kSiluEntry = R"({
  "block_sizes": [64, 32], "loop_orders": [[0, 1]], "flatten_loops": [true],
  "l2_groupings": [1], "range_unroll_factors": [0], "range_warp_specializes": [],
  "range_num_stages": [0], "range_multi_buffers": [null], "range_flattens": [null],
  "load_eviction_policies": ["", "", ""], "num_warps": 8, "num_stages": 1,
  "indexing": ["pointer", "pointer", "pointer", "pointer"], "pid_type": "flat"})";

TEST(Config, TypedGettersReadFileValues) {
  Config c = Config::from_json(Json::parse(kSiluEntry), "test");
  EXPECT_THAT(*c.block_sizes(), ElementsAre(64, 32));
  EXPECT_THAT(*c.loop_orders(), ElementsAre(ElementsAre(0, 1)));
  EXPECT_THAT(*c.flatten_loops(), ElementsAre(true));
  EXPECT_THAT(*c.l2_groupings(), ElementsAre(1));
  EXPECT_THAT(*c.range_unroll_factors(), ElementsAre(0));
  EXPECT_TRUE(c.range_warp_specializes()->empty());
  EXPECT_THAT(*c.range_num_stages(), ElementsAre(0));
  EXPECT_THAT(*c.range_multi_buffers(), ElementsAre(std::nullopt));
  EXPECT_THAT(*c.range_flattens(), ElementsAre(std::nullopt));
  EXPECT_THAT(*c.load_eviction_policies(),
              ElementsAre(EvictionPolicy::kNone, EvictionPolicy::kNone, EvictionPolicy::kNone));
  EXPECT_EQ(c.num_warps(), 8);
  EXPECT_EQ(c.num_stages(), 1);
  auto idx = std::get<std::vector<Indexing>>(*c.indexing());
  EXPECT_EQ(idx.size(), 4u);
  EXPECT_EQ(idx[3], Indexing::kPointer);
  EXPECT_EQ(c.pid_type(), PidType::kFlat);
  // Absent fields are std::nullopt; the kernel's config space supplies defaults.
  EXPECT_EQ(c.maxnreg(), std::nullopt);
  EXPECT_EQ(c.atomic_indexing(), std::nullopt);
  EXPECT_EQ(c.reduction_loops(), std::nullopt);
  EXPECT_EQ(c.static_ranges(), std::nullopt);
  EXPECT_EQ(c.waves_per_eu(), std::nullopt);
}

TEST(Config, OtherFieldForms) {
  Config c = Config::from_json(
      Json::parse(R"({"indexing": "block_ptr", "maxnreg": null, "reduction_loops": [null, 64],
                      "range_warp_specializes": [false, null, true], "static_ranges": [false],
                      "load_eviction_policies": ["first", "last"], "num_sm_multiplier": 128,
                      "pid_type": "persistent_interleaved", "waves_per_eu": 2,
                      "matrix_instr_nonkdim": 16, "atomic_indexing": []})"),
      "test");
  EXPECT_EQ(std::get<Indexing>(*c.indexing()), Indexing::kBlockPtr);
  EXPECT_TRUE(c.contains("maxnreg"));
  EXPECT_EQ(c.maxnreg(), std::nullopt);  // null = no cap
  EXPECT_THAT(*c.reduction_loops(), ElementsAre(std::nullopt, 64));
  EXPECT_THAT(*c.range_warp_specializes(), ElementsAre(false, std::nullopt, true));
  EXPECT_THAT(*c.static_ranges(), ElementsAre(false));
  EXPECT_THAT(*c.load_eviction_policies(), ElementsAre(EvictionPolicy::kFirst, EvictionPolicy::kLast));
  EXPECT_EQ(c.num_sm_multiplier(), 128);
  EXPECT_EQ(c.pid_type(), PidType::kPersistentInterleaved);
  EXPECT_EQ(c.waves_per_eu(), 2);
  EXPECT_EQ(c.matrix_instr_nonkdim(), 16);
  EXPECT_TRUE(std::get<std::vector<Indexing>>(*c.atomic_indexing()).empty());
}

TEST(Config, BuiltInCodeGetsHelionFieldOrder) {
  Config c;
  c.set_raw("my_knob", 1)
      .set_pid_type(PidType::kFlat)
      .set_indexing(std::vector<Indexing>{Indexing::kPointer, Indexing::kTensorDescriptor})
      .set_num_warps(4)
      .set_block_sizes({64, 32});
  // CPython: json.dumps(helion.Config(pid_type="flat", indexing=[...], num_warps=4,
  //                                   block_sizes=[64, 32], my_knob=1).config)
  EXPECT_EQ(json::dumps_compact(c.to_json(), false),
            R"({"block_sizes":[64,32],"num_warps":4,"indexing":["pointer","tensor_descriptor"],)"
            R"("pid_type":"flat","my_knob":1})");
  // The AMD knobs come after Helion's core fields, before user-defined ones.
  c.set_waves_per_eu(2).set_maxnreg(128);
  std::vector<std::string> names;
  for (auto it = c.to_json().begin(); it != c.to_json().end(); ++it) names.push_back(it.key());
  EXPECT_THAT(names, ElementsAre("block_sizes", "num_warps", "indexing", "pid_type", "maxnreg",
                                 "waves_per_eu", "my_knob"));
}

TEST(Config, StoredOrderAndUnknownFieldsAreKept) {
  // Field order of a real vLLM entry that is not Helion's order, with an unknown field.
  Json j = Json::parse(R"({"num_warps": 8, "future_knob": {"x": [1, 2.50]}, "block_sizes": [16]})");
  Config c = Config::from_json(j, "test");
  EXPECT_EQ(json::dumps_compact(c.to_json(), false),
            R"({"num_warps":8,"future_knob":{"x":[1,2.5]},"block_sizes":[16]})");
  c.set_num_warps(16);  // replaced in place
  c.set_block_sizes({32});
  EXPECT_EQ(json::dumps_compact(c.to_json(), false),
            R"({"num_warps":16,"future_knob":{"x":[1,2.5]},"block_sizes":[32]})");
  EXPECT_TRUE(c.erase("future_knob"));
  EXPECT_FALSE(c.erase("future_knob"));
  EXPECT_EQ(c.size(), 2u);
  EXPECT_FALSE(Config::is_known_field("future_knob"));
  EXPECT_TRUE(Config::is_known_field("range_flattens"));
  EXPECT_EQ(Config::helion_field_order().front(), "block_sizes");
}

TEST(Config, EqualityIsExact) {
  Config a = Config::from_json(Json::parse(R"({"x": 1})"), "t");
  Config b = Config::from_json(Json::parse(R"({"x": 1.0})"), "t");
  EXPECT_FALSE(a == b);
  EXPECT_TRUE(a == Config::from_json(Json::parse(R"({"x": 1})"), "t"));
}

struct BadValue {
  const char* field;
  const char* value;
  const char* expected;
};

class ConfigDomain : public ::testing::TestWithParam<BadValue> {};

TEST_P(ConfigDomain, RejectedWithFieldAndAllowedValues) {
  const BadValue& b = GetParam();
  Json obj = Json::object();
  obj[b.field] = Json::parse(b.value);
  auto problems = Config::check(obj);
  ASSERT_EQ(problems.size(), 1u) << b.field << "=" << b.value;
  EXPECT_THAT(problems[0], HasSubstr(cat("field \"", b.field, "\": ")));
  EXPECT_THAT(problems[0], HasSubstr(b.expected));
  EXPECT_THAT(error_of([&] { Config::from_json(obj, "f.json: entry 7"); }),
              HasSubstr(cat("f.json: entry 7: config field \"", b.field, "\"")));
  EXPECT_THAT(error_of([&] { Config().set_raw(b.field, obj[b.field]); }), HasSubstr(b.expected));
}

INSTANTIATE_TEST_SUITE_P(
    Values, ConfigDomain,
    ::testing::Values(
        BadValue{"num_warps", "3", "a power of two in 1..32, got an integer 3"},
        BadValue{"num_warps", "64", "got an integer 64"},
        BadValue{"num_warps", "4.0", "got a float 4.0"},
        BadValue{"num_warps", "\"4\"", "got a string \"4\""},
        BadValue{"num_warps", "true", "got a boolean true"},
        BadValue{"num_stages", "0", "an integer >= 1"},
        BadValue{"block_sizes", "[64, 48]", "element [1] must be a power of two >= 1, got an integer 48"},
        BadValue{"block_sizes", "64", "expected a list whose elements are each a power of two"},
        BadValue{"block_sizes", "[0]", "element [0]"},
        BadValue{"l2_groupings", "[3]", "power of two"},
        BadValue{"loop_orders", "[[0, 0]]", "a permutation of 0..n-1"},
        BadValue{"loop_orders", "[[1, 2]]", "a permutation"},
        BadValue{"flatten_loops", "[null]", "true or false, got null"},
        BadValue{"static_ranges", "[1]", "true or false"},
        BadValue{"range_warp_specializes", "[1]", "true, false or null"},
        BadValue{"range_unroll_factors", "[-1]", "an integer >= 0"},
        BadValue{"reduction_loops", "[null, 3]", "element [1] must be null or a power of two"},
        BadValue{"load_eviction_policies", "[\"\", \"middle\"]", "one of \"\", \"first\", \"last\""},
        BadValue{"indexing", "\"ptr\"", "one of \"pointer\", \"tensor_descriptor\", \"block_ptr\" or a list"},
        BadValue{"atomic_indexing", "[\"pointer\", 3]", "element [1]"},
        BadValue{"pid_type", "\"grid\"", "\"persistent_interleaved\", got a string \"grid\""},
        BadValue{"maxnreg", "100", "null or one of 32, 64, 128, 256"},
        BadValue{"num_sm_multiplier", "3", "a power of two >= 1"},
        BadValue{"waves_per_eu", "-1", "0..16"},
        BadValue{"matrix_instr_nonkdim", "8", "0, 16 or 32"}));

TEST(Config, AllProblemsAreListed) {
  Json obj = Json::parse(R"({"num_warps": 3, "pid_type": "grid", "block_sizes": [3, 5]})");
  auto problems = Config::check(obj);
  EXPECT_EQ(problems.size(), 4u);  // num_warps, pid_type, block_sizes[0], block_sizes[1]
  std::string msg = error_of([&] { Config::from_json(obj, "x.json: entry 0"); });
  EXPECT_THAT(msg, HasSubstr("x.json: entry 0: config field \"pid_type\""));
  EXPECT_THAT(msg, HasSubstr("element [1] must be a power of two"));
  EXPECT_THAT(Config::check(Json::parse("[1]"))[0], HasSubstr("must be a JSON object"));
}

TEST(Config, SettersValidate) {
  Config c;
  EXPECT_THAT(error_of([&] { c.set_num_warps(12); }), HasSubstr("cannot set field \"num_warps\""));
  EXPECT_THAT(error_of([&] { c.set_block_sizes({16, 24}); }), HasSubstr("element [1]"));
  EXPECT_THAT(error_of([&] { c.set_loop_orders({{0, 2}}); }), HasSubstr("permutation"));
  EXPECT_THAT(error_of([&] { c.set_reduction_loops({std::nullopt, 6}); }), HasSubstr("element [1]"));
  EXPECT_EQ(c.size(), 0u);  // failed sets leave the config unchanged
  c.set_reduction_loops({std::nullopt, 64}).set_maxnreg(std::nullopt);
  EXPECT_EQ(json::dumps_compact(c.to_json(), false), R"({"reduction_loops":[null,64],"maxnreg":null})");
}

}  // namespace
}  // namespace tessera
