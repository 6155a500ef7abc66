// SPDX-License-Identifier: Apache-2.0
// Must-fail config inputs. Each bad file is loaded through ConfigManager (it must be skipped
// with its path and the reason, while a good file next to it still loads) and parsed directly
// (it must throw a UserError naming the file, the entry and the field).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_util.h"
#include "tessera/config/config_manager.h"

namespace tessera {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;
using testing::user_error_of;

struct BadFile {
  const char* name;
  const char* text;
  std::vector<const char*> expected;  // substrings of the message, besides the path
};

void PrintTo(const BadFile& b, std::ostream* os) { *os << b.name; }

class BadConfigFile : public ::testing::TestWithParam<BadFile> {};

TEST_P(BadConfigFile, IsSkippedAndReported) {
  const BadFile& b = GetParam();
  TempDir tmp;
  auto bad = tmp.path() / "kern" / "nvidia_h100.json";
  write_file_atomically(bad, b.text);
  write_file_atomically(tmp.path() / "kern" / "nvidia_b200.json",
                        R"([{"key": {}, "config": {"num_warps": 4}}])");
  ConfigManager m(tmp.path());
  auto set = m.config_set("kern");
  EXPECT_EQ(set->get("nvidia_b200", CaseKey::default_key()).num_warps(), 4);  // still loads
  EXPECT_FALSE(set->has_platform("nvidia_h100"));
  ASSERT_EQ(set->load_problems().size(), 1u);
  EXPECT_EQ(set->load_problems()[0].path, bad);
  std::string msg = user_error_of([&] { parse_config_file(b.text, bad.string()); });
  EXPECT_EQ(msg, set->load_problems()[0].message);
  EXPECT_THAT(msg, HasSubstr(bad.string() + ":"));
  for (const char* e : b.expected) EXPECT_THAT(msg, HasSubstr(e));
  // Saving over it is refused, and the file is left as it was.
  EXPECT_THAT(user_error_of([&] { m.save_configs("kern", "nvidia_h100", {}); }),
              HasSubstr("the existing file is invalid"));
  EXPECT_EQ(testing::read_text(bad), b.text);
}

INSTANTIATE_TEST_SUITE_P(
    Files, BadConfigFile,
    ::testing::Values(
        BadFile{"empty", "", {"invalid JSON"}},
        BadFile{"truncated", "[\n  {\n    \"key\": {},\n    \"config\": {\n      \"num_warps\": 4",
                {":5:", "invalid JSON"}},
        BadFile{"trailing_comma", "[{\"key\": {}, \"config\": {},}]", {":1:", "invalid JSON"}},
        BadFile{"old_nested_format", R"({"h100": {"default": {"num_warps": 4}}})",
                {"a config file must be a JSON list", "got an object"}},
        BadFile{"entry_not_object", "[[1, 2]]", {"entry 0: expected an object"}},
        BadFile{"missing_config", R"([{"key": {}}])", {"entry 0 (key {}): missing \"config\""}},
        BadFile{"extra_field", R"([{"key": {}, "config": {}, "note": "x"}])",
                {"unexpected field \"note\""}},
        BadFile{"key_list_value", R"([{"key": {"m": [1]}, "config": {}}])",
                {"entry 0 (key {\"m\":[1]}): key: field \"m\": a case key value must be a JSON scalar"}},
        BadFile{"config_not_object", R"([{"key": {}, "config": [4]}])",
                {"entry 0 (key {}): config a config must be a JSON object"}},
        BadFile{"num_warps_string", R"([{"key": {"m": 1}, "config": {"num_warps": "4"}}])",
                {"entry 0 (key {\"m\":1}): config field \"num_warps\": expected a power of two in "
                 "1..32, got a string \"4\""}},
        BadFile{"block_size_not_pow2",
                R"([{"key": {}, "config": {}}, {"key": {"m": 2}, "config": {"block_sizes": [64, 96]}}])",
                {"entry 1 (key {\"m\":2}): config field \"block_sizes\": element [1] must be a power "
                 "of two >= 1, got an integer 96"}},
        BadFile{"bad_enum", R"([{"key": {}, "config": {"indexing": ["pointer", "tma"]}}])",
                {"field \"indexing\": element [1] must be one of \"pointer\", \"tensor_descriptor\", "
                 "\"block_ptr\", got a string \"tma\""}},
        BadFile{"float_stages", R"([{"key": {}, "config": {"num_stages": 2.0}}])",
                {"field \"num_stages\": expected an integer >= 1, got a float 2.0"}},
        BadFile{"duplicate_key",
                R"([{"key": {"a": 1, "b": 2}, "config": {}}, {"key": {"b": 2, "a": 1}, "config": {}}])",
                {"entry 1 (key {\"a\":1,\"b\":2}): the same key as entry 0"}}),
    [](const ::testing::TestParamInfo<BadFile>& info) { return std::string(info.param.name); });

TEST(BadNames, PathTraversalIsRejectedEverywhere) {
  TempDir tmp;
  ConfigManager m(tmp.path() / "configs");
  const std::vector<std::string> bad{"..", ".", "../../etc", "a/../../b", "/etc/passwd", "x/y",
                                     "a\\b", "", "with space", "tab\t"};
  for (const std::string& name : bad) {
    SCOPED_TRACE(name);
    EXPECT_THROW(m.kernel_dir(name), UserError);
    EXPECT_THROW(m.config_set(name), UserError);
    EXPECT_THROW(m.config_file_path("k", name), UserError);
    EXPECT_THROW(m.save_configs(name, "p", {}), UserError);
    EXPECT_THROW(m.save_configs("k", name, {}), UserError);
    EXPECT_THROW(m.read_platform_file("k", name), UserError);
    EXPECT_THROW(ConfigSet{name}, UserError);
  }
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "configs"));
  EXPECT_THAT(user_error_of([&] { m.save_configs("k", "../../escape", {}); }),
              HasSubstr("platform name '../../escape' has the character '/'"));
  EXPECT_THAT(user_error_of([&] { m.config_set("Silu"); }),
              HasSubstr("kernel name 'Silu' has the character 'S'"));
}

}  // namespace
}  // namespace tessera
