// SPDX-License-Identifier: Apache-2.0
// `tessera configs ...` end to end: the built binary on copies of the vLLM fixtures.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <sys/wait.h>

#include "config_test_util.h"
#include "tessera/config/config_set.h"

namespace tessera {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::read_text;
using testing::TempDir;

namespace fs = std::filesystem;

struct ToolRun {
  int exit_code;
  std::string out;
  std::string err;
};

// Single-quotes `s` for the shell.
std::string quote(const std::string& s) {
  std::string q(1, '\'');
  for (char c : s) {
    if (c == '\'') {
      q.append("'\\''");
    } else {
      q.push_back(c);
    }
  }
  q.push_back('\'');
  return q;
}

// Runs `tessera ARGS...` with TESSERA_CONFIG_DIR unset; captures stdout and stderr.
ToolRun tessera(const TempDir& tmp, const std::vector<std::string>& args) {
  fs::path err_file = tmp.path() / "stderr.txt";
  // Built by appending, not `"..." + s`: GCC 12 warns falsely on that (-Wrestrict).
  std::string cmd = "env -u TESSERA_CONFIG_DIR ";
  cmd += quote(TS_TESSERA_BIN);
  for (const auto& a : args) {
    cmd += ' ';
    cmd += quote(a);
  }
  cmd += " 2>";
  cmd += quote(err_file.string());
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + cmd);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, read_text(err_file)};
}

class ConfigsCli : public ::testing::Test {
 protected:
  ConfigsCli() {
    testing::copy_fixtures(dir_);
    fs::remove(tmp_.path() / "stderr.txt");
  }
  std::string file(const char* kernel, const char* platform) const {
    return (dir_ / kernel / (std::string(platform) + ".json")).string();
  }
  ToolRun run(std::vector<std::string> args) { return tessera(tmp_, args); }
  TempDir tmp_;
  fs::path dir_ = tmp_.path() / "configs";
};

TEST_F(ConfigsCli, List) {
  ToolRun r = run({"configs", "list", "--config-dir", dir_.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::ContainsRegex("silu_mul_fp8 +nvidia_h200 +308  yes"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("fused_qk_norm_rope +nvidia_b200 +42  no"));
  // A corrupt file is a warning; the rest still lists.
  write_file_atomically(file("fused_qk_norm_rope", "nvidia_h100"), "[{\"key\": ");
  r = run({"configs", "list", "--config-dir", dir_.string()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, Not(HasSubstr("fused_qk_norm_rope                  nvidia_h100")));
  EXPECT_THAT(r.err, HasSubstr("warning: skipped " + file("fused_qk_norm_rope", "nvidia_h100")));
  EXPECT_THAT(r.err, HasSubstr("invalid JSON"));
  r = run({"configs", "list", "--config-dir", (tmp_.path() / "none").string()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("no configs in"));
}

TEST_F(ConfigsCli, Show) {
  ToolRun r = run({"configs", "show", "silu_mul_fp8", "--platform", "NVIDIA_H100", "--key",
               "numtokens=256,intermediate=2048", "--config-dir", dir_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto entries = parse_config_file(read_text(file("silu_mul_fp8", "nvidia_h100")), "f");
  EXPECT_EQ(r.out, json::dumps_indented(entries[0].config.to_json(), 2) + "\n");

  r = run({"configs", "show", "silu_mul_fp8", "--platform", "nvidia_h200", "--config-dir", dir_.string()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, read_text(file("silu_mul_fp8", "nvidia_h200")));  // that file ends with "\n"

  r = run({"configs", "show", "silu_mul_fp8", "--config-dir", dir_.string()});
  EXPECT_THAT(r.out, HasSubstr("nvidia_h100 (308 entries)\n  {\"intermediate\":11008,\"numtokens\":104}\n"));

  r = run({"configs", "show", "silu_mul_fp8", "--platform", "amd_mi300x", "--config-dir", dir_.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("Available platforms: nvidia_h100, nvidia_h200"));
  EXPECT_THAT(r.err, HasSubstr("gpu_aliases.json"));

  r = run({"configs", "show", "silu_mul_fp8", "--platform", "nvidia_h100", "--key", "intermediate=1",
           "--config-dir", dir_.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("Available keys: {\"intermediate\":11008,\"numtokens\":104}"));

  r = run({"configs", "show", "silu_mul_fp8", "--key", "a=", "--platform", "nvidia_h100",
           "--config-dir", dir_.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("field 'a' has no value"));
  r = run({"configs", "show", "../etc", "--config-dir", dir_.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("has the character '/'"));
}

TEST_F(ConfigsCli, Validate) {
  ToolRun r = run({"configs", "validate", file("silu_mul_fp8", "nvidia_h100"), file("fused_qk_norm_rope", "nvidia_b200")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("nvidia_h100.json: ok (308 entries)"));
  fs::path bad = dir_ / "k" / "p.json";
  write_file_atomically(bad, R"([{"key": {"m": 1}, "config": {"num_warps": 6, "block_sizes": [12]}},
                                {"key": [], "config": {}}])");
  r = run({"configs", "validate", bad.string(), file("silu_mul_fp8", "nvidia_h100")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr(bad.string() + ": entry 0 (key {\"m\":1}): config field \"num_warps\""));
  EXPECT_THAT(r.out, HasSubstr("config field \"block_sizes\": element [0] must be a power of two"));
  EXPECT_THAT(r.out, HasSubstr(bad.string() + ": entry 1: key: a case key must be a JSON object"));
  EXPECT_THAT(r.err, HasSubstr("1 of 2 file(s) have problems"));
  EXPECT_EQ(run({"configs", "validate"}).exit_code, 2);
}

TEST_F(ConfigsCli, Fmt) {
  std::string b200 = file("fused_qk_norm_rope", "nvidia_b200");  // no final newline
  std::string h200 = file("silu_mul_fp8", "nvidia_h200");       // already canonical
  std::string original = read_text(b200);
  ToolRun r = run({"configs", "fmt", "--check", h200, b200});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr(b200 + ": not in canonical form"));
  EXPECT_THAT(r.out, Not(HasSubstr(h200)));
  EXPECT_EQ(read_text(b200), original);  // --check writes nothing

  r = run({"configs", "fmt", "--stdout", b200});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, original + "\n");

  r = run({"configs", "fmt", b200, h200});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "reformatted " + b200 + "\n");
  EXPECT_EQ(read_text(b200), original + "\n");
  EXPECT_EQ(run({"configs", "fmt", "--check", b200}).exit_code, 0);

  write_file_atomically(b200, original.substr(0, 100));
  r = run({"configs", "fmt", b200});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(b200 + ":"));
  EXPECT_THAT(r.err, HasSubstr("invalid JSON"));
  EXPECT_EQ(run({"configs", "fmt", "--check", "--stdout", h200}).exit_code, 2);
}

TEST_F(ConfigsCli, Merge) {
  std::string dst = (tmp_.path() / "out" / "nvidia_x.json").string();
  std::string src = file("rms_norm_per_block_quant", "nvidia_b200");
  ToolRun r = run({"configs", "merge", src, dst});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("0 replaced, 42 added (42 in total)"));
  EXPECT_EQ(read_text(dst), read_text(src) + "\n");
  // A second source with one existing key (changed) and one new key.
  fs::path extra = tmp_.path() / "extra.json";
  auto first = parse_config_file(read_text(src), src)[0];
  first.config.set_num_warps(32);
  write_file_atomically(extra, format_config_file({first, {CaseKey::parse(R"({"new":1})"), Config()}}));
  r = run({"configs", "merge", extra.string(), dst});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("1 replaced, 1 added (43 in total)"));
  auto merged = parse_config_file(read_text(dst), dst);
  ASSERT_EQ(merged.size(), 43u);
  EXPECT_EQ(merged[0].config.num_warps(), 32);
  EXPECT_EQ(merged[42].key, CaseKey::parse(R"({"new":1})"));
  // An invalid destination is never overwritten.
  write_file_atomically(dst, "not json");
  r = run({"configs", "merge", src, dst});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot merge into " + dst));
  EXPECT_EQ(read_text(dst), "not json");
  EXPECT_EQ(run({"configs", "merge", src}).exit_code, 2);
}

}  // namespace
}  // namespace tessera
