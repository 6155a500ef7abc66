// SPDX-License-Identifier: Apache-2.0
// Config files (parse, check, vLLM-exact writing, merge) and ConfigSet lookups.
#include "tessera/config/config_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace tessera {
namespace {

using json::Json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::read_text;
using testing::user_error_of;

CaseKey ck(const char* text) { return CaseKey::parse(text); }

Config cfg(const char* text) { return Config::from_json(Json::parse(text), "test"); }

TEST(ConfigFile, EveryVllmFixtureRoundTripsByteForByte) {
  auto files = testing::vllm_fixture_files();
  ASSERT_EQ(files.size(), 14u) << "tests/fixtures/vllm_configs changed";
  std::size_t total_entries = 0, defaults = 0;
  for (const auto& f : files) {
    std::string text = read_text(f);
    auto entries = parse_config_file(text, f.string());
    ASSERT_FALSE(entries.empty()) << f;
    total_entries += entries.size();
    for (const auto& e : entries) defaults += e.key.is_default() ? 1 : 0;
    // vLLM's current writer ends the file with "\n"; 12 of the 14 files predate that.
    std::string expected = text.back() == '\n' ? text : text + "\n";
    EXPECT_EQ(format_config_file(entries), expected) << f;
    EXPECT_TRUE(check_config_file(text, f.string()).empty()) << f;
  }
  // Entry counts from python3 -c 'len(json.load(open(f)))' over the 14 files.
  EXPECT_EQ(total_entries, 42u * 6 + 115 + 45 + 42 + 59 + 96 + 45 + 308 * 2);
  EXPECT_GE(defaults, 2u);  // at least the silu_mul_fp8 defaults
}

TEST(ConfigFile, SiluFixtureDefaultEntryIsAtIndexTwo) {
  auto entries = parse_config_file(
      read_text(testing::vllm_fixtures() / "silu_mul_fp8" / "nvidia_h100.json"), "f");
  ASSERT_EQ(entries.size(), 308u);
  EXPECT_TRUE(entries[2].key.is_default());
  EXPECT_EQ(entries[0].key, ck(R"({"intermediate":2048,"numtokens":256})"));
}

TEST(ConfigFile, CorruptAndTruncatedJsonNamePathAndPosition) {
  std::string text = read_text(testing::vllm_fixtures() / "fused_qk_norm_rope" / "nvidia_b200.json");
  std::string truncated = text.substr(0, text.size() / 2);
  std::string msg = user_error_of([&] { parse_config_file(truncated, "cfg/k/p.json"); });
  EXPECT_THAT(msg, HasSubstr("cfg/k/p.json:"));
  EXPECT_THAT(msg, HasSubstr("invalid JSON"));
  msg = user_error_of([&] { parse_config_file("[\n  {\"key\": {}, \"config\": {},}\n]", "p.json"); });
  EXPECT_THAT(msg, HasSubstr("p.json:2:"));
  EXPECT_THAT(check_config_file("", "empty.json")[0], HasSubstr("empty.json"));
}

TEST(ConfigFile, WrongShapesAndTypesAreAllReported) {
  auto problems = check_config_file(R"([
    {"key": {"n": 1}, "config": {"num_warps": 3}},
    {"key": [1], "config": {}},
    {"config": {}},
    7,
    {"key": {}, "config": {}, "extra": 1},
    {"key": {"n": 1}, "config": {"block_sizes": [64]}},
    {"key": {"n": {"deep": 1}}, "config": "fast"}
  ])", "k/p.json");
  ASSERT_EQ(problems.size(), 7u) << ::testing::PrintToString(problems);
  EXPECT_THAT(problems[0], HasSubstr("k/p.json: entry 0 (key {\"n\":1}): config field \"num_warps\""));
  EXPECT_THAT(problems[1], HasSubstr("entry 1: key: a case key must be a JSON object"));
  EXPECT_THAT(problems[2], HasSubstr("entry 2: missing \"key\""));
  EXPECT_THAT(problems[3], HasSubstr("entry 3: expected an object"));
  EXPECT_THAT(problems[4], HasSubstr("entry 4 (key {}): unexpected field \"extra\""));
  // Entry 0 was invalid, so entry 5 is the first valid entry with that key: no duplicate.
  EXPECT_THAT(problems[5], HasSubstr("entry 6"));
  EXPECT_THAT(problems[5], HasSubstr("field \"n\": a case key value must be a JSON scalar"));
  EXPECT_THAT(problems[6], HasSubstr("entry 6"));
  EXPECT_THAT(problems[6], HasSubstr("a config must be a JSON object"));
}

TEST(ConfigFile, DuplicateKeysAndTopLevel) {
  auto problems = check_config_file(
      R"([{"key": {"a": 1, "b": 2}, "config": {}}, {"key": {"b": 2, "a": 1}, "config": {}}])", "d.json");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("d.json: entry 1"));
  EXPECT_THAT(problems[0], HasSubstr("the same key as entry 0"));
  EXPECT_THAT(check_config_file(R"({"h100": {}})", "old.json")[0],
              HasSubstr("old.json: a config file must be a JSON list"));
  EXPECT_TRUE(parse_config_file("[]", "empty.json").empty());
  EXPECT_EQ(format_config_file({}), "[]\n");
}

TEST(ConfigFile, FormatIsPythonIndent2WithKeyOrderKept) {
  std::vector<ConfigEntry> entries{
      {CaseKey({{"numtokens", std::int64_t{8}}, {"eps", 1e-06}}), cfg(R"({"num_warps": 4, "x": []})")},
      {CaseKey::default_key(), Config()}};
  // CPython: json.dump(entries, f, indent=2); f.write("\n")
  EXPECT_EQ(format_config_file(entries),
            "[\n  {\n    \"key\": {\n      \"numtokens\": 8,\n      \"eps\": 1e-06\n    },\n"
            "    \"config\": {\n      \"num_warps\": 4,\n      \"x\": []\n    }\n  },\n"
            "  {\n    \"key\": {},\n    \"config\": {}\n  }\n]\n");
  // An entry written "config" first still loads; formatting puts "key" first.
  auto back = parse_config_file(R"([{"config": {"num_warps": 2}, "key": {"a": 1}}])", "f");
  EXPECT_EQ(format_config_file(back),
            "[\n  {\n    \"key\": {\n      \"a\": 1\n    },\n    \"config\": {\n      \"num_warps\": 2\n    }\n  }\n]\n");
}

TEST(ConfigFile, MergeReplacesInPlaceAndAppends) {
  std::vector<ConfigEntry> into{{ck(R"({"n":1})"), cfg(R"({"num_warps": 1})")},
                                {CaseKey::default_key(), cfg(R"({"num_warps": 2})")},
                                {ck(R"({"n":3})"), cfg(R"({"num_warps": 4})")}};
  std::vector<ConfigEntry> from{{ck(R"({"n":4})"), cfg(R"({"num_warps": 8})")},
                                {CaseKey::default_key(), cfg(R"({"num_warps": 16})")},
                                {ck(R"({"n":0})"), cfg(R"({"num_warps": 32})")}};
  merge_entries(into, from);
  ASSERT_EQ(into.size(), 5u);
  std::vector<std::string> keys;
  std::vector<std::int64_t> warps;
  for (const auto& e : into) {
    keys.push_back(e.key.canonical());
    warps.push_back(*e.config.num_warps());
  }
  EXPECT_THAT(keys, ElementsAre(R"({"n":1})", "{}", R"({"n":3})", R"({"n":4})", R"({"n":0})"));
  EXPECT_THAT(warps, ElementsAre(1, 16, 4, 8, 32));
}

TEST(Names, ValidAndInvalid) {
  for (const char* ok : {"nvidia_h100", "cpu_x86_64-avx512", "a.b", "silu_mul_fp8", "x"})
    EXPECT_NO_THROW(check_kernel_name(ok)) << ok;
  for (const char* bad : {"", ".", "..", "../etc", "a/b", "a\\b", "Nvidia", "a b", "a..b", "/abs"})
    EXPECT_THROW(check_kernel_name(bad), UserError) << bad;
  EXPECT_EQ(normalize_platform_name("NVIDIA_H100"), "nvidia_h100");
  EXPECT_THAT(user_error_of([] { normalize_platform_name("../../etc/passwd"); }),
              HasSubstr("has the character '/'"));
  EXPECT_THAT(user_error_of([] { check_kernel_name(".."); }), HasSubstr("outside"));
}

class ConfigSetTest : public ::testing::Test {
 protected:
  ConfigSetTest() : set_("silu_mul_fp8") {
    set_.set_platform("nvidia_h100", {{ck(R"({"n":16})"), cfg(R"({"num_warps": 4})")},
                                      {ck(R"({"n":2})"), cfg(R"({"num_warps": 2})")},
                                      {CaseKey::default_key(), cfg(R"({"num_warps": 8})")}});
    set_.set("NVIDIA_B200", ck(R"({"n":2})"), cfg(R"({"num_warps": 1})"));
  }
  ConfigSet set_;
};

TEST_F(ConfigSetTest, LookupsLowerCasePlatforms) {
  EXPECT_THAT(set_.platforms(), ElementsAre("nvidia_b200", "nvidia_h100"));
  EXPECT_TRUE(set_.has_platform("Nvidia_H100"));
  EXPECT_EQ(set_.get("NVIDIA_H100", ck(R"({"n":2})")).num_warps(), 2);
  EXPECT_EQ(set_.get("nvidia_b200", ck(R"({"n":2})")).num_warps(), 1);
  EXPECT_EQ(set_.find("nvidia_h100", ck(R"({"n":5})")), nullptr);
  EXPECT_EQ(set_.size(), 4u);
  // Keys sorted by canonical string, as Python sorts str(key): "{\"n\":16}" < "{\"n\":2}" < "{}".
  std::vector<std::string> keys;
  for (const auto& k : set_.keys("nvidia_h100")) keys.push_back(k.canonical());
  EXPECT_THAT(keys, ElementsAre(R"({"n":16})", R"({"n":2})", "{}"));
  EXPECT_EQ(set_.entries("nvidia_h100")[2].key, CaseKey::default_key());  // file order kept
  EXPECT_TRUE(set_.keys("amd_mi300x").empty());
}

TEST_F(ConfigSetTest, SetReplacesInPlace) {
  set_.set("nvidia_h100", ck(R"({"n":16})"), cfg(R"({"num_warps": 32})"));
  EXPECT_EQ(set_.entries("nvidia_h100")[0].config.num_warps(), 32);
  EXPECT_EQ(set_.entries("nvidia_h100").size(), 3u);
}

TEST_F(ConfigSetTest, UnknownPlatformListsPlatformsAndHowToAddAnAlias) {
  set_.add_load_problem({"/c/silu_mul_fp8/amd_mi300x.json", "invalid JSON at 3:4"});
  std::string msg = user_error_of([&] { set_.get("AMD_MI300X", CaseKey::default_key()); });
  EXPECT_THAT(msg, HasSubstr("kernel 'silu_mul_fp8' on platform 'amd_mi300x'"));
  EXPECT_THAT(msg, HasSubstr("Available platforms: nvidia_b200, nvidia_h100"));
  EXPECT_THAT(msg, HasSubstr("configs/gpu_aliases.json"));
  EXPECT_THAT(msg, HasSubstr("TESSERA_GPU_ALIASES"));
  EXPECT_THAT(msg, HasSubstr("tune"));
  EXPECT_THAT(msg, HasSubstr("skipped /c/silu_mul_fp8/amd_mi300x.json: invalid JSON at 3:4"));
}

TEST_F(ConfigSetTest, UnknownKeyListsKeys) {
  std::string msg = user_error_of([&] { set_.get("nvidia_b200", ck(R"({"n":3})")); });
  EXPECT_THAT(msg, HasSubstr(R"(with key {"n":3}. Available keys: {"n":2})"));
  ConfigSet empty("k");
  EXPECT_THAT(user_error_of([&] { empty.get("p", CaseKey::default_key()); }),
              HasSubstr("Available platforms: (none)"));
}

}  // namespace
}  // namespace tessera
