// SPDX-License-Identifier: Apache-2.0
// The vLLM config files shipped in configs/ are byte-exact copies of the vLLM fixtures, and every
// platform they are filed under is a platform of configs/gpu_aliases.json (so a real device
// name routes to them).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tessera/platform/alias_table.h"
#include "tessera/platform/host_cpu.h"
#include "tessera/platform/target.h"
#include "tessera/platform/canonicalize.h"

namespace tessera::platform {
namespace {

namespace fs = std::filesystem;

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

TEST(ShippedConfigs, AreByteExactCopiesOfTheVllmFiles) {
  const fs::path fixtures = fs::path(TS_FIXTURES_DIR) / "vllm_configs";
  const fs::path shipped = fs::path(TS_SOURCE_DIR) / "configs";
  int files = 0;
  for (const auto& kernel : fs::directory_iterator(fixtures)) {
    if (!kernel.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(kernel.path())) {
      const fs::path copy = shipped / kernel.path().filename() / file.path().filename();
      SCOPED_TRACE(copy.string());
      ASSERT_TRUE(fs::exists(copy)) << "copy " << file.path() << " to configs/ unchanged";
      EXPECT_EQ(read_bytes(copy), read_bytes(file.path()));
      ++files;
    }
  }
  EXPECT_EQ(files, 14);
}

TEST(ShippedConfigs, EveryPlatformStemIsAPlatformOfTheAliasTable) {
  const AliasTable table = AliasTable::load(fs::path(TS_SOURCE_DIR) / "configs/gpu_aliases.json");
  for (const auto& kernel : fs::directory_iterator(fs::path(TS_SOURCE_DIR) / "configs")) {
    if (!kernel.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(kernel.path())) {
      const std::string stem = file.path().stem().string();
      SCOPED_TRACE(file.path().string());
      EXPECT_EQ(file.path().extension(), ".json");
      if (stem.rfind("cpu_", 0) == 0) {
        // CPU platforms are not in the GPU alias table: the stem must be the platform id of a
        // CPU target (`cpu_x86_64_avx512` <- `x86_64-avx512`).
        const std::size_t isa = stem.rfind('_');
        const std::string target = stem.substr(4, isa - 4) + "-" + stem.substr(isa + 1);
        EXPECT_EQ(cpu_platform_id(Target::parse(target)), stem) << "not a CPU platform id";
        continue;
      }
      EXPECT_NE(table.find(stem), nullptr) << "no gpu_aliases.json entry for platform " << stem;
      EXPECT_EQ(canonicalize_gpu_name(stem, table), stem) << "a config file under an alias";
    }
  }
}

}  // namespace
}  // namespace tessera::platform
