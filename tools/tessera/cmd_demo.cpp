// SPDX-License-Identifier: Apache-2.0
// `tessera demo`: the README's first command. On the best device this machine has (CUDA, then
// HIP, then the CPU) it runs every registered op on a few of its input generator's cases, checks
// each against the op's float64 reference and prints the times; before that it lists the
// devices (and why a vendor is unavailable) and validates the shipped config files.
// Exit 0 when every result is right, 1 when a result or a config file is wrong.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <variant>

#include "args.h"
#include "command.h"
#include "ops/harness.h"
#include "ops/ops.h"
#include "run_report.h"
#include "tessera/config/config_manager.h"
#include "tessera/config/config_set.h"
#include "tessera/error.h"
#include "tessera/platform/alias_table.h"
#include "tessera/runtime/registry.h"
#include "tessera/support/atomic_file.h"
#include "tessera/support/env.h"

namespace tessera::tool {
namespace {

namespace fs = std::filesystem;

void print_devices() {
  std::cout << "== devices\n";
  for (const runtime::BackendStatus& s : backend_statuses()) {
    std::cout << "  " << std::left << std::setw(5) << runtime::device_kind_name(s.kind)
              << (s.available ? "available" : "not available: " + s.reason) << "\n";
  }
  for (const runtime::DeviceInfo& d : devices()) {
    std::cout << "  " << std::left << std::setw(8) << d.id.str() << d.name << "  (platform "
              << d.platform << ", target " << d.caps.target << ")\n";
  }
}

/// Validates every `<kernel>/<platform>.json` under the config base; returns the problem count.
int validate_configs(ConfigManager& configs) {
  int files = 0, entries = 0;
  std::vector<std::string> problems;
  for (const std::string& kernel : configs.kernels()) {
    std::vector<fs::path> paths;
    for (const auto& e : fs::directory_iterator(configs.kernel_dir(kernel)))
      if (e.path().extension() == ".json") paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    for (const fs::path& p : paths) {
      ++files;
      const std::string text = read_file_if_exists(p).value_or("");
      std::vector<std::string> found = check_config_file(text, p.string());
      if (found.empty()) entries += static_cast<int>(parse_config_file(text, p.string()).size());
      problems.insert(problems.end(), found.begin(), found.end());
    }
  }
  std::cout << "== configs: " << files << " files, " << entries << " entries under "
            << configs.base_dir().string() << ", " << platform::alias_table().platforms().size()
            << " GPU platforms in the alias table: "
            << (problems.empty() ? "all valid" : std::to_string(problems.size()) + " problem(s)") << "\n";
  for (const std::string& p : problems) std::cout << "  " << p << "\n";
  return static_cast<int>(problems.size());
}

/// CUDA first, then HIP, then the CPU (which every build has).
runtime::DeviceInfo best_device() {
  std::vector<runtime::DeviceInfo> all = devices();
  for (runtime::DeviceKind kind : {runtime::DeviceKind::cuda, runtime::DeviceKind::hip}) {
    for (const runtime::DeviceInfo& d : all)
      if (d.id.kind == kind) return d;
  }
  for (const runtime::DeviceInfo& d : all)
    if (d.id.kind == runtime::DeviceKind::cpu) return d;
  throw InternalError("tessera demo: no CPU device registered");
}

/// The platform family used for the explicit fallback: a GPU platform's arch family from the
/// alias table (`hopper`), a CPU platform's arch (`cpu_x86_64_avx2` -> `cpu_x86_64`).
std::string platform_family(const std::string& platform) {
  if (platform.rfind("cpu_", 0) == 0) return platform.substr(0, platform.rfind('_'));
  if (const platform::PlatformEntry* e = platform::alias_table().find(platform)) return e->target.family;
  return platform;
}

/// When the device's own platform has configs for fewer ops than a sibling of the same family,
/// the demo routes through that sibling (an explicit, announced fallback: the configs are
/// launch parameters, so any sibling's run correctly; they are only tuned for the sibling).
void choose_platform(const runtime::DeviceInfo& device, ConfigManager& configs) {
  if (env::get("TESSERA_PLATFORM")) return;  // the user chose
  std::map<std::string, int> coverage;       // platform -> ops with a config file
  for (const registry::RegisteredKernel* k : ops::ops_registry().kernels())
    for (const std::string& p : configs.config_set(k->name())->platforms()) ++coverage[p];
  const std::string own = device.platform;
  const std::string family = platform_family(own);
  std::string best = own;
  for (const auto& [p, n] : coverage)
    if (platform_family(p) == family && n > coverage[best]) best = p;
  if (best == own) return;
  std::cout << "== platform: " << own << " has tuned configs for " << coverage[own] << " of "
            << ops::ops_registry().kernels().size() << " ops; using its " << family
            << " sibling " << best << " (" << coverage[best]
            << "); set TESSERA_PLATFORM to choose another\n";
  ::setenv("TESSERA_PLATFORM", best.c_str(), 1);
}

/// The size of a case, for choosing demo cases: the product of its integer key fields
/// (tokens × hidden size and the like).
double case_size(const CaseKey& key) {
  double size = 1;
  for (const auto& [name, value] : key.fields())
    if (const auto* v = std::get_if<std::int64_t>(&value)) size *= static_cast<double>(std::max<std::int64_t>(*v, 1));
  return size;
}

/// `n` cases spread over the lower half of the sizes, smallest first: the demo shows small and
/// mid-sized calls and stays quick on a CPU (`tessera run OP` runs them all).
std::vector<CaseKey> demo_cases(std::vector<CaseKey> keys, std::size_t n) {
  std::stable_sort(keys.begin(), keys.end(),
                   [](const CaseKey& a, const CaseKey& b) { return case_size(a) < case_size(b); });
  keys.erase(keys.begin() + static_cast<std::ptrdiff_t>((keys.size() + 1) / 2), keys.end());
  if (keys.size() <= n) return keys;
  std::vector<CaseKey> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(keys[n == 1 ? 0 : i * (keys.size() - 1) / (n - 1)]);
  return out;
}

int run_demo(const std::vector<std::string>& argv) {
  Args args("demo", argv, {"--device", "--config-dir", "--cases"}, {});
  args.expect_positional(0, 0, "no positional arguments");
  tessera::init();
  ConfigManager& configs = ConfigManager::instance(args.value("--config-dir").value_or(
      env::get("TESSERA_CONFIG_DIR").value_or(ConfigManager::default_config_dir().string())));
  const std::size_t cases = args.value("--cases") ? std::stoul(*args.value("--cases")) : 3;
  TS_USER_CHECK(cases >= 1) << "tessera demo: --cases must be at least 1";

  print_devices();
  const int config_problems = validate_configs(configs);
  runtime::DeviceInfo target = best_device();
  if (auto d = args.value("--device")) target = open_device(*d).info();
  choose_platform(target, configs);
  const runtime::Device device = open_device(target.id);
  std::cout << "== ops on " << target.id.str() << " (" << target.name << ")\n";
  std::cout << std::left << std::setw(36) << "op" << std::setw(58) << "case" << std::setw(34)
            << "picked key" << std::right << std::setw(11) << "time (us)" << std::setw(9) << "GB/s"
            << std::setw(9) << "TFLOP/s" << "  result\n";

  int failures = 0, passes = 0, disabled = 0;
  ops::RunOptions options;
  options.check = true;
  options.iterations = target.id.is_gpu() ? 20 : 3;
  for (const registry::RegisteredKernel* k : ops::ops_registry().kernels()) {
    if (auto reason = k->disabled_reason(device.id())) {
      ++disabled;
      std::cout << std::left << std::setw(36) << k->name() << "disabled: " << *reason << "\n";
      continue;
    }
    for (const CaseKey& key : demo_cases(k->input_keys(), cases)) {
      try {
        const ops::CaseResult r = ops::run_case(*k, device, key, options);
        (r.pass ? passes : failures) += 1;
        std::cout << std::left << std::setw(36) << k->name() << std::setw(58) << key.canonical()
                  << std::setw(34) << r.route.key.canonical() << std::right << std::fixed
                  << std::setprecision(1) << std::setw(11) << r.time_ms * 1e3 << std::setw(9)
                  << r.gbps << std::setprecision(3) << std::setw(9) << r.tflops << "  "
                  << (r.pass ? "ok " : "WRONG ") << error_summary(r) << "\n";
      } catch (const UserError& e) {
        ++failures;
        std::cout << std::left << std::setw(36) << k->name() << std::setw(58) << key.canonical()
                  << "ERROR " << e.what() << "\n";
      }
    }
  }
  std::cout << "== " << passes << " cases right, " << failures << " wrong or failed, " << disabled
            << " ops disabled on " << target.id.str() << ", " << config_problems
            << " config problem(s)\n";
  return failures == 0 && config_problems == 0 ? kExitOk : kExitCheckFailed;
}

}  // namespace

void add_demo_command(CommandTable& table) {
  table.push_back({"demo", "[--device D] [--cases N] [--config-dir D]",
                   "every op on the best available device (CUDA, HIP, then CPU), checked against its "
                   "float64 reference, with times; lists devices and validates the shipped configs",
                   run_demo});
}

}  // namespace tessera::tool
