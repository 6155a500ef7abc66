// SPDX-License-Identifier: Apache-2.0
#include "tessera/platform/alias_table.h"

#include <stdlib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "tessera/error.h"
#include "tessera/platform/canonicalize.h"

namespace tessera::platform {
namespace {

using ::testing::HasSubstr;

std::string expect_user_error(const std::string& text, const std::string& origin = "f.json") {
  try {
    AliasTable::parse(text, origin);
  } catch (const UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << text;
  return {};
}

const AliasTable& shipped() {
  static const AliasTable table = AliasTable::load(TS_SOURCE_DIR "/configs/gpu_aliases.json");
  return table;
}

// The expected family of every platform in configs/gpu_aliases.json. Adding a platform to the
// file without a row here fails the test, so each entry's family is reviewed once.
const std::map<std::string, std::string> kFamilies = {
    {"tesla_v100", "volta"},
    {"tesla_t4", "turing"},
    {"nvidia_a100", "ampere"},
    {"nvidia_a800", "ampere"},
    {"nvidia_a30", "ampere"},
    {"nvidia_a10", "ampere"},
    {"nvidia_a10g", "ampere"},
    {"nvidia_a40", "ampere"},
    {"nvidia_geforce_rtx_3090", "ampere"},
    {"nvidia_l4", "ada"},
    {"nvidia_l40", "ada"},
    {"nvidia_l40s", "ada"},
    {"nvidia_l20", "ada"},
    {"nvidia_rtx_6000_ada_generation", "ada"},
    {"nvidia_geforce_rtx_4090", "ada"},
    {"nvidia_h100", "hopper"},
    {"nvidia_h800", "hopper"},
    {"nvidia_h20", "hopper"},
    {"nvidia_h200", "hopper"},
    {"nvidia_gh200_480gb", "hopper"},
    {"nvidia_b100", "blackwell"},
    {"nvidia_b200", "blackwell"},
    {"nvidia_gb200", "blackwell"},
    {"nvidia_b300", "blackwell"},
    {"nvidia_gb300", "blackwell"},
    {"nvidia_geforce_rtx_5090", "blackwell_rtx"},
    {"nvidia_rtx_pro_6000_blackwell", "blackwell_rtx"},
    {"nvidia_gb10", "blackwell_rtx"},
    {"amd_instinct_mi100", "cdna1"},
    {"amd_instinct_mi210", "cdna2"},
    {"amd_instinct_mi250", "cdna2"},
    {"amd_instinct_mi250x", "cdna2"},
    {"amd_instinct_mi300a", "cdna3"},
    {"amd_instinct_mi300x", "cdna3"},
    {"amd_instinct_mi308x", "cdna3"},
    {"amd_instinct_mi325x", "cdna3"},
    {"amd_instinct_mi350x", "cdna4"},
    {"amd_instinct_mi355x", "cdna4"},
    {"amd_radeon_rx7900xtx", "rdna3"},
    {"amd_radeon_pro_w7900", "rdna3"},
    {"amd_radeon_rx9070xt", "rdna4"},
};

TEST(AliasTable, ShippedFileFamilyPerEntry) {
  std::set<std::string> seen;
  for (const PlatformEntry& p : shipped().platforms()) {
    SCOPED_TRACE(p.id);
    seen.insert(p.id);
    ASSERT_TRUE(kFamilies.count(p.id)) << "add the new platform to kFamilies";
    EXPECT_EQ(p.target.family, kFamilies.at(p.id));
    EXPECT_EQ(p.id.substr(0, p.id.find('_')) == "amd", p.target.vendor == Vendor::kAmd);
    EXPECT_NE(p.target.vendor, Vendor::kCpu);
    EXPECT_THAT(p.source, HasSubstr("configs/gpu_aliases.json"));
    // Every listed spelling routes to its platform.
    for (const std::string& name : p.names) EXPECT_EQ(canonicalize_gpu_name(name, shipped()), p.id) << name;
  }
  EXPECT_EQ(seen.size(), kFamilies.size()) << "kFamilies lists a platform the file lacks";
}

TEST(AliasTable, ParsesAMinimalFile) {
  const AliasTable t = AliasTable::parse(
      R"({"platforms": [{"platform": "x_gpu", "target": "gfx942", "names": ["X GPU-Pro", "x gpu"],
          "note": "n"}]})",
      "mem.json");
  ASSERT_EQ(t.platforms().size(), 1u);
  EXPECT_EQ(t.platforms()[0].note, "n");
  EXPECT_EQ(t.platforms()[0].target.str(), "gfx942");
  EXPECT_EQ(t.platform_for("x_gpu_pro"), "x_gpu");
  EXPECT_EQ(t.platform_for("x_gpu"), "x_gpu");
  EXPECT_EQ(t.platform_for("other"), "other");
  EXPECT_EQ(t.aliases(), (std::map<std::string, std::string>{{"x_gpu_pro", "x_gpu"}}));
  EXPECT_EQ(t.sources(), std::vector<std::string>{"mem.json"});
  EXPECT_EQ(t.find("nope"), nullptr);
}

TEST(AliasTable, DuplicatePlatformIsAnErrorNamingTheFile) {
  const std::string msg = expect_user_error(
      R"({"platforms": [{"platform": "a", "target": "sm_80", "names": []},
                        {"platform": "a", "target": "sm_80", "names": []}]})",
      "/tmp/dup.json");
  EXPECT_THAT(msg, HasSubstr("/tmp/dup.json: duplicate entry: platform 'a' is listed twice "
                             "(platforms[0] and platforms[1])"));
}

TEST(AliasTable, DuplicateNameIsAnErrorEvenWhenSpelledDifferently) {
  const std::string msg = expect_user_error(
      R"({"platforms": [{"platform": "a", "target": "sm_80", "names": ["NVIDIA A-1"]},
                        {"platform": "b", "target": "sm_80", "names": ["nvidia a 1"]}]})",
      "/tmp/dup.json");
  EXPECT_THAT(msg, HasSubstr("/tmp/dup.json: duplicate entry: device name 'nvidia a 1' of "
                             "platform 'b' normalizes to 'nvidia_a_1', as does 'NVIDIA A-1' of "
                             "platform 'a'"));
  // The same spelling twice under one platform is a duplicate too.
  EXPECT_THAT(expect_user_error(
                  R"({"platforms": [{"platform": "a", "target": "sm_80", "names": ["A X", "A X"]}]})"),
              HasSubstr("duplicate entry"));
}

TEST(AliasTable, NameMayNotShadowAnotherPlatform) {
  const std::string msg = expect_user_error(
      R"({"platforms": [{"platform": "a", "target": "sm_80", "names": ["B"]},
                        {"platform": "b", "target": "sm_80", "names": []}]})");
  EXPECT_THAT(msg, HasSubstr("device name 'B' of platform 'a' normalizes to 'b', which is itself "
                             "a platform in this file"));
}

TEST(AliasTable, MalformedFilesNameTheFileAndTheProblem) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"platforms": [)", "bad.json"},  // truncated JSON: the parser's message
      {R"([])", "must be a JSON object, got a list"},
      {R"({"platform": []})", "unknown field 'platform' (valid fields: comment, platforms)"},
      {R"({"comment": "x"})", "field 'platforms' must be a list"},
      {R"({"platforms": [3]})", "platforms[0] must be an object, got an integer"},
      {R"({"platforms": [{"target": "sm_80", "names": []}]})", "missing field 'platform'"},
      {R"({"platforms": [{"platform": 1, "target": "sm_80", "names": []}]})",
       "field 'platform' must be a string, got an integer"},
      {R"({"platforms": [{"platform": "Nvidia_X", "target": "sm_80", "names": []}]})",
       "invalid platform id 'Nvidia_X'"},
      {R"({"platforms": [{"platform": "a-b", "target": "sm_80", "names": []}]})",
       "invalid platform id 'a-b'"},
      {R"({"platforms": [{"platform": "..", "target": "sm_80", "names": []}]})",
       "invalid platform id '..'"},
      {R"({"platforms": [{"platform": "a", "target": "sm_81", "names": []}]})",
       "platforms[0] (a): field 'target': invalid target 'sm_81'"},
      {R"({"platforms": [{"platform": "a", "target": "sm_80"}]})", "field 'names' must be a list"},
      {R"({"platforms": [{"platform": "a", "target": "sm_80", "names": [1]}]})",
       "names[0] must be a string, got an integer"},
      {R"({"platforms": [{"platform": "a", "target": "sm_80", "names": ["  "]}]})",
       "names[0]: canonicalize_gpu_name: the GPU name is all blank"},
      {R"({"platforms": [{"platform": "a", "target": "sm_80", "names": [], "family": "x"}]})",
       "unknown field 'family' (valid fields: platform, target, names, note)"},
  };
  for (const auto& [text, why] : cases) {
    SCOPED_TRACE(text);
    const std::string msg = expect_user_error(text, "bad.json");
    EXPECT_THAT(msg, HasSubstr("bad.json"));
    EXPECT_THAT(msg, HasSubstr(why));
  }
}

TEST(AliasTable, LoadReportsAnUnreadablePath) {
  try {
    AliasTable::load("/nonexistent/tessera/aliases.json");
    ADD_FAILURE() << "loaded";
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot read GPU alias file '/nonexistent/tessera/aliases.json'"));
  }
}

TEST(AliasTable, MergeExtendsAndOverrides) {
  AliasTable t = shipped();
  const AliasTable user = AliasTable::parse(
      R"({"platforms": [
            {"platform": "nvidia_h100_nvl", "target": "sm_90a", "names": ["NVIDIA H100 NVL"]},
            {"platform": "nvidia_h100", "target": "sm_90", "names": ["NVIDIA H100 SXM5 64GB"]},
            {"platform": "acme_x1", "target": "gfx950", "names": ["ACME X1 Accelerator"]}]})",
      "/home/u/aliases.json");
  t.merge(user);
  // A name the user maps to a new platform leaves its old one (vLLM files NVL under H100).
  EXPECT_EQ(canonicalize_gpu_name("NVIDIA H100 NVL", t), "nvidia_h100_nvl");
  const PlatformEntry* h100 = t.find("nvidia_h100");
  ASSERT_NE(h100, nullptr);
  EXPECT_THAT(h100->names, ::testing::Not(::testing::Contains("NVIDIA H100 NVL")));
  // Extending an existing platform: names are added, target and source replaced.
  EXPECT_THAT(h100->names, ::testing::Contains("NVIDIA H100 SXM5 64GB"));
  EXPECT_THAT(h100->names, ::testing::Contains("NVIDIA H100 PCIe"));
  EXPECT_EQ(h100->target.str(), "sm_90");
  EXPECT_EQ(h100->source, "/home/u/aliases.json");
  EXPECT_EQ(canonicalize_gpu_name("NVIDIA H100 SXM5 64GB", t), "nvidia_h100");
  EXPECT_EQ(canonicalize_gpu_name("NVIDIA H100 PCIe", t), "nvidia_h100");
  // A new platform is appended.
  EXPECT_EQ(canonicalize_gpu_name("ACME X1 Accelerator", t), "acme_x1");
  EXPECT_EQ(t.platforms().back().id, "acme_x1");
  EXPECT_EQ(t.platforms().size(), shipped().platforms().size() + 2);
  EXPECT_EQ(t.sources().back(), "/home/u/aliases.json");
  // Untouched entries still route.
  EXPECT_EQ(canonicalize_gpu_name("NVIDIA A100-SXM4-80GB", t), "nvidia_a100");
}

class AliasEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tessera_alias_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    unsetenv("TESSERA_GPU_ALIASES");
    unsetenv("TESSERA_CONFIG_DIR");
    std::filesystem::remove_all(dir_);
  }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  std::filesystem::path dir_;
};

TEST_F(AliasEnvTest, UserFileFromEnvironmentOverridesShippedFile) {
  const std::string path = write("user.json",
      R"({"platforms": [{"platform": "amd_instinct_mi300x_hf", "target": "gfx942",
                         "names": ["AMD Instinct MI300X HF"]}]})");
  setenv("TESSERA_GPU_ALIASES", path.c_str(), 1);
  const AliasTable t = AliasTable::from_environment();
  EXPECT_EQ(canonicalize_gpu_name("AMD_Instinct_MI300X_HF", t), "amd_instinct_mi300x_hf");
  EXPECT_EQ(canonicalize_gpu_name("AMD Instinct MI300X", t), "amd_instinct_mi300x");
  ASSERT_EQ(t.sources().size(), 2u);
  EXPECT_EQ(t.sources()[1], path);
}

TEST_F(AliasEnvTest, BadUserFileNamesItsPathAndTheVariable) {
  const std::string path = write("user.json", R"({"platforms": [{"platform": "x"}]})");
  setenv("TESSERA_GPU_ALIASES", path.c_str(), 1);
  try {
    AliasTable::from_environment();
    ADD_FAILURE() << "loaded";
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path + ": platforms[0] (x): missing field 'target'"));
  }
  setenv("TESSERA_GPU_ALIASES", (dir_ / "missing.json").c_str(), 1);
  try {
    AliasTable::from_environment();
    ADD_FAILURE() << "loaded";
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("missing.json"));
    EXPECT_THAT(e.what(), HasSubstr("TESSERA_GPU_ALIASES names it"));
  }
}

TEST_F(AliasEnvTest, ConfigDirMovesTheShippedFile) {
  setenv("TESSERA_CONFIG_DIR", dir_.c_str(), 1);
  EXPECT_EQ(shipped_alias_file(), dir_ / "gpu_aliases.json");
  try {
    AliasTable::from_environment();
    ADD_FAILURE() << "loaded a missing file";
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("point TESSERA_CONFIG_DIR (or --config-dir) at the configs/"));
  }
  write("gpu_aliases.json",
        R"({"platforms": [{"platform": "z", "target": "sm_90a", "names": ["Z 1"]}]})");
  EXPECT_EQ(canonicalize_gpu_name("Z-1", AliasTable::from_environment()), "z");
  unsetenv("TESSERA_CONFIG_DIR");
  EXPECT_EQ(shipped_alias_file(), std::filesystem::path(TS_SOURCE_DIR "/configs/gpu_aliases.json"));
}

}  // namespace
}  // namespace tessera::platform
