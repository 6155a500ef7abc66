// SPDX-License-Identifier: Apache-2.0
// ConfigManager: folder layout, corrupt files skipped, merge on save, atomic and concurrent
// saves, lower-cased platforms, the process-wide instance and the writability check.
#include "tessera/config/config_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "config_test_util.h"

namespace tessera {
namespace {

using json::Json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::read_text;
using testing::TempDir;
using testing::user_error_of;

namespace fs = std::filesystem;

CaseKey ck(const char* text) { return CaseKey::parse(text); }
Config cfg(const char* text) { return Config::from_json(Json::parse(text), "test"); }

TEST(ConfigManager, MissingFolderMeansNoConfigs) {
  TempDir tmp;
  ConfigManager m(tmp.path() / "does_not_exist");
  EXPECT_TRUE(m.kernels().empty());
  auto set = m.config_set("silu_mul_fp8");
  EXPECT_EQ(set->size(), 0u);
  EXPECT_TRUE(set->load_problems().empty());
  EXPECT_TRUE(m.read_platform_file("silu_mul_fp8", "nvidia_h100").empty());
}

TEST(ConfigManager, LoadsFixturesAndSkipsACorruptFile) {
  TempDir tmp;
  testing::copy_fixtures(tmp.path());
  fs::path corrupt = tmp.path() / "rms_norm_per_block_quant" / "nvidia_b200.json";
  std::string text = read_text(corrupt);
  write_file_atomically(corrupt, text.substr(0, text.size() - 40));  // truncated mid-entry
  write_file_atomically(tmp.path() / "gpu_aliases.json", "{}");      // a file, not a kernel
  ConfigManager m(tmp.path());
  EXPECT_THAT(m.kernels(), ElementsAre("dynamic_per_token_scaled_fp8_quant", "fused_qk_norm_rope",
                                       "per_token_group_fp8_quant", "rms_norm_dynamic_per_token_quant",
                                       "rms_norm_per_block_quant", "silu_and_mul_per_block_quant",
                                       "silu_mul_fp8"));
  auto set = m.config_set("rms_norm_per_block_quant");
  EXPECT_THAT(set->platforms(), ElementsAre("nvidia_h100"));
  EXPECT_EQ(set->entries("nvidia_h100").size(), 96u);
  ASSERT_EQ(set->load_problems().size(), 1u);
  EXPECT_EQ(set->load_problems()[0].path, corrupt);
  EXPECT_THAT(set->load_problems()[0].message, HasSubstr(corrupt.string()));
  EXPECT_THAT(set->load_problems()[0].message, HasSubstr("invalid JSON"));
  // The lookup error names the skipped file.
  EXPECT_THAT(user_error_of([&] { set->get("nvidia_b200", CaseKey::default_key()); }),
              HasSubstr("skipped " + corrupt.string()));
  // Cached: the same object until reload.
  EXPECT_EQ(m.config_set("rms_norm_per_block_quant"), set);
  EXPECT_NE(m.reload("rms_norm_per_block_quant"), set);
  auto silu = m.config_set("silu_mul_fp8");
  EXPECT_EQ(silu->get("NVIDIA_H200", ck(R"({"intermediate":2048,"numtokens":256})")).block_sizes(),
            (std::vector<std::int64_t>{64, 32}));
}

TEST(ConfigManager, UpperCaseFileNamesAreReportedNotLoaded) {
  TempDir tmp;
  write_file_atomically(tmp.path() / "k" / "NVIDIA_H100.json", "[]");
  write_file_atomically(tmp.path() / "k" / "notes.txt", "not a config");
  ConfigManager m(tmp.path());
  auto set = m.config_set("k");
  EXPECT_TRUE(set->platforms().empty());
  ASSERT_EQ(set->load_problems().size(), 1u);
  EXPECT_THAT(set->load_problems()[0].message, HasSubstr("rename it to nvidia_h100.json"));
}

TEST(ConfigManager, PathsAreLowerCasedAndValidated) {
  TempDir tmp;
  ConfigManager m(tmp.path());
  EXPECT_EQ(m.config_file_path("silu_mul_fp8", "NVIDIA_H100"),
            m.base_dir() / "silu_mul_fp8" / "nvidia_h100.json");
  for (const char* bad : {"../x", "a/b", "..", "."}) {
    EXPECT_THROW(m.config_file_path(bad, "p"), UserError) << bad;
    EXPECT_THROW(m.config_file_path("k", bad), UserError) << bad;
    EXPECT_THROW(m.save_configs("k", bad, {}), UserError) << bad;
  }
  EXPECT_THROW(m.config_set("../etc"), UserError);
  EXPECT_FALSE(fs::exists(tmp.path() / "k"));  // nothing written by the rejected saves
}

TEST(ConfigManager, SaveMergesAndWritesVllmBytes) {
  TempDir tmp;
  testing::copy_fixtures(tmp.path());
  ConfigManager m(tmp.path());
  fs::path file = tmp.path() / "fused_qk_norm_rope" / "nvidia_h100.json";
  std::string original = read_text(file);
  auto before = m.read_platform_file("fused_qk_norm_rope", "nvidia_h100");
  // Saving the file's own entries changes nothing but the final newline vLLM now writes.
  m.save_configs("fused_qk_norm_rope", "NVIDIA_H100", before);
  EXPECT_EQ(read_text(file), original + "\n");

  auto before_set = m.config_set("fused_qk_norm_rope");
  CaseKey first = before[0].key;
  m.save_configs("fused_qk_norm_rope", "Nvidia_H100",
                 {{first, cfg(R"({"num_warps": 32})")}, {ck(R"({"q_heads":1})"), cfg("{}")}});
  auto after = m.read_platform_file("fused_qk_norm_rope", "nvidia_h100");
  ASSERT_EQ(after.size(), before.size() + 1);
  EXPECT_EQ(after[0].key, first);  // replaced in place
  EXPECT_EQ(after[0].config.num_warps(), 32);
  EXPECT_EQ(after.back().key, ck(R"({"q_heads":1})"));  // appended
  for (std::size_t i = 1; i < before.size(); ++i) EXPECT_EQ(after[i].config, before[i].config);
  EXPECT_EQ(read_text(file), format_config_file(after));
  // The cached set follows the save.
  auto cached = m.config_set("fused_qk_norm_rope");
  EXPECT_NE(cached, before_set);
  EXPECT_EQ(cached->get("nvidia_h100", first).num_warps(), 32);
  // No temporary files are left behind.
  for (const auto& e : fs::directory_iterator(file.parent_path()))
    EXPECT_EQ(e.path().extension(), ".json") << e.path();
}

TEST(ConfigManager, SaveNewPlatformAndConfigSet) {
  TempDir tmp;
  ConfigManager m(tmp.path() / "fresh");
  ConfigSet set("my_kernel");
  set.set("CPU_X86_64_AVX512", CaseKey::default_key(), cfg(R"({"block_sizes": [8]})"));
  set.set("nvidia_h100", ck(R"({"m":1})"), cfg(R"({"num_warps": 4})"));
  EXPECT_EQ(m.save_config_set(set), m.base_dir() / "my_kernel");
  EXPECT_EQ(read_text(tmp.path() / "fresh" / "my_kernel" / "cpu_x86_64_avx512.json"),
            "[\n  {\n    \"key\": {},\n    \"config\": {\n      \"block_sizes\": [\n        8\n"
            "      ]\n    }\n  }\n]\n");
  EXPECT_THAT(m.config_set("my_kernel")->platforms(), ElementsAre("cpu_x86_64_avx512", "nvidia_h100"));
}

TEST(ConfigManager, SaveRefusesToOverwriteAnInvalidFile) {
  TempDir tmp;
  fs::path file = tmp.path() / "k" / "p.json";
  write_file_atomically(file, "[{\"key\": {}, \"config\": {\"num_warps\": 3}}]");
  ConfigManager m(tmp.path());
  std::string msg = user_error_of(
      [&] { m.save_configs("k", "p", {{CaseKey::default_key(), cfg("{}")}}); });
  EXPECT_THAT(msg, HasSubstr("the existing file is invalid"));
  EXPECT_THAT(msg, HasSubstr("entry 0 (key {}): config field \"num_warps\""));
  EXPECT_EQ(read_text(file), "[{\"key\": {}, \"config\": {\"num_warps\": 3}}]");
}

TEST(ConfigManager, ConcurrentSavesToOneFileLoseNothing) {
  TempDir tmp;
  ConfigManager a(tmp.path());
  ConfigManager b(tmp.path());  // a second manager on the same folder shares the file locks
  fs::path file = a.config_file_path("k", "p");
  constexpr int kThreads = 8, kKeysPerThread = 12;
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::string reader_error;
  std::thread reader([&] {
    while (!done) {
      auto text = read_file_if_exists(file);
      if (!text) continue;
      try {
        parse_config_file(*text, file.string());
        ++reads;
      } catch (const UserError& e) {
        reader_error = e.what();
        return;
      }
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      ConfigManager& m = t % 2 ? a : b;
      for (int i = 0; i < kKeysPerThread; ++i) {
        CaseKey key({{"thread", std::int64_t{t}}, {"i", std::int64_t{i}}});
        m.save_configs("k", "p", {{key, Config().set_num_warps(1 << (i % 6))}});
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  reader.join();
  EXPECT_EQ(reader_error, "");
  EXPECT_GT(reads.load(), 0);
  auto entries = a.read_platform_file("k", "p");
  ASSERT_EQ(entries.size(), static_cast<std::size_t>(kThreads * kKeysPerThread));
  for (int t = 0; t < kThreads; ++t) {
    // Each thread's entries appear in the order that thread saved them.
    int next = 0;
    for (const auto& e : entries) {
      if (e.key.get_int("thread") == t) {
        EXPECT_EQ(e.key.get_int("i"), next++);
      }
    }
    EXPECT_EQ(next, kKeysPerThread);
  }
}

TEST(ConfigManager, WritabilityCheck) {
  TempDir tmp;
  ConfigManager ok(tmp.path() / "new" / "configs");
  EXPECT_NO_THROW(ok.ensure_writable());
  EXPECT_TRUE(fs::is_directory(tmp.path() / "new" / "configs"));
  EXPECT_TRUE(fs::is_empty(tmp.path() / "new" / "configs"));  // the probe file is removed
  write_file_atomically(tmp.path() / "plain_file", "x");
  ConfigManager bad(tmp.path() / "plain_file" / "configs");
  EXPECT_THAT(user_error_of([&] { bad.ensure_writable(); }), HasSubstr("cannot be created"));
}

// The process-wide instance can be created once per process, so this is one test.
TEST(ConfigManagerInstance, BaseComesFromEnvAndCannotChange) {
  TempDir tmp;
  ::setenv("TESSERA_CONFIG_DIR", tmp.path().c_str(), 1);
  ConfigManager& m = ConfigManager::instance();
  ::unsetenv("TESSERA_CONFIG_DIR");
  EXPECT_EQ(m.base_dir(), fs::weakly_canonical(tmp.path()));
  EXPECT_EQ(&ConfigManager::instance(), &m);
  EXPECT_EQ(&ConfigManager::instance(tmp.path() / "."), &m);  // same folder, other spelling
  std::string msg = user_error_of([&] { ConfigManager::instance(tmp.path() / "other"); });
  EXPECT_THAT(msg, HasSubstr("already uses the config folder"));
  EXPECT_THAT(msg, HasSubstr("other"));
}

TEST(ConfigManagerInstance, DefaultIsTheShippedFolder) {
  EXPECT_EQ(ConfigManager::default_config_dir(), fs::path(TS_SOURCE_DIR) / "configs");
}

}  // namespace
}  // namespace tessera
