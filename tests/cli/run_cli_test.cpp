// SPDX-License-Identifier: Apache-2.0
// `tessera run` end to end on the CPU: --list prints the input generator's cases, --cases runs
// the keys of such a file, and --json prints one record per line inside one JSON array (what
// scripts/device/ops-check.sh and bench/ops_check_report.py read, cut off or not).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sys/wait.h>

#include "config_test_util.h"
#include "tessera/support/python_json.h"

namespace tessera {
namespace {

using testing::read_text;
using testing::TempDir;

struct ToolRun {
  int exit_code;
  std::string out;
  std::string err;
};

// Runs `tessera ARGS...` (arguments without quotes or spaces); captures stdout and stderr.
ToolRun tessera(const TempDir& tmp, const std::string& args) {
  const std::string err_file = (tmp.path() / "stderr.txt").string();
  std::string cmd = TS_TESSERA_BIN;
  cmd += ' ';
  cmd += args;
  cmd += " 2>";
  cmd += err_file;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + cmd);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, read_text(err_file)};
}

TEST(RunCli, ListPrintsTheInputGeneratorsCases) {
  TempDir tmp;
  const ToolRun r = tessera(tmp, "run add --list");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json::Json list = json::parse(r.out, "tessera run add --list");
  ASSERT_TRUE(list.is_array());
  EXPECT_EQ(list.size(), 42u);  // T14 token counts x 3 hidden sizes
  EXPECT_EQ(json::dumps_compact(list[0], true), R"({"hidden_size":2048,"num_tokens":1})");
}

TEST(RunCli, CasesFileRunsItsKeysAndJsonHasOneRecordPerLine) {
  TempDir tmp;
  const std::string cases = (tmp.path() / "cases.json").string();
  std::ofstream(cases) << R"([{"dtype":"f32","hidden_size":333,"num_tokens":7},{"hidden_size":64,"num_tokens":3}])";
  const ToolRun r = tessera(tmp, "run add --device cpu --check --iters 1 --json --cases " + cases);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json::Json records = json::parse(r.out, "tessera run --json");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["case"]["hidden_size"], 333);
  EXPECT_EQ(records[1]["case"]["num_tokens"], 3);
  for (const json::Json& rec : records) {
    EXPECT_EQ(rec["pass"], true);
    EXPECT_GT(rec["time_us"].get<double>(), 0);
  }
  // Lines: "[", one record each, "]": a reader of a cut-off run parses the finished lines.
  std::size_t lines = 0;
  for (char c : r.out) lines += c == '\n';
  EXPECT_EQ(lines, 4u) << r.out;
  EXPECT_EQ(r.out.rfind("[\n{", 0), 0u) << r.out;
}

TEST(RunCli, MissingCasesFileIsAClearError) {
  TempDir tmp;
  const ToolRun r = tessera(tmp, "run add --device cpu --cases /nonexistent/cases.json");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cannot read '/nonexistent/cases.json'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tessera
