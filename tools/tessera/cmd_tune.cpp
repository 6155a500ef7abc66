// SPDX-License-Identifier: Apache-2.0
// `tessera tune OP [--device D] [--where FIELD=V1,V2,...] [--key k=v,...] [--rounds N]
// [--budget-s S] [--config-dir D] [--platform P] [--dry-run]`: times candidate configs from the
// op's config space on the input generator's cases (ops/tune.h), the file's current config for
// each key among them, and saves the fastest per case key, plus the default key, to
// <config-dir>/<OP>/<platform>.json through ConfigManager (vLLM's format, atomic merge-on-save:
// keys not tuned now keep their entries). Prints one line per case and every candidate's time.
#include <iomanip>
#include <iostream>
#include <set>

#include "args.h"
#include "command.h"
#include "ops/ops.h"
#include "ops/tune.h"
#include "tessera/config/config_manager.h"
#include "tessera/error.h"
#include "tessera/runtime/registry.h"
#include "tessera/support/python_json.h"

namespace tessera::tool {
namespace {

/// Keeps the keys whose `field` is one of `values` ("FIELD=V1,V2"); keys without the field stay.
std::vector<CaseKey> filter_keys(const std::vector<CaseKey>& keys, const std::string& where) {
  const auto eq = where.find('=');
  TS_USER_CHECK(eq != std::string::npos && eq > 0)
      << "tessera tune --where '" << where << "': expected FIELD=V1,V2,... (e.g. num_tokens=1,64,4096)";
  const std::string field = where.substr(0, eq);
  std::set<std::int64_t> values;
  std::string rest = where.substr(eq + 1);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string v = rest.substr(0, comma);
    try {
      values.insert(std::stoll(v));
    } catch (const std::exception&) {
      throw UserError("tessera tune --where '" + where + "': '" + v + "' is not an integer");
    }
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
  }
  std::vector<CaseKey> out;
  for (const CaseKey& k : keys) {
    const auto v = k.get_int(field);
    if (!v || values.count(*v)) out.push_back(k);
  }
  TS_USER_CHECK(!out.empty()) << "tessera tune --where '" << where << "': no case key of the op matches";
  return out;
}

int run_tune(const std::vector<std::string>& argv) {
  Args args("tune", argv, {"--device", "--where", "--key", "--rounds", "--budget-s", "--config-dir", "--platform", "--seed"},
            {"--dry-run"});
  args.expect_positional(1, 1, "OP");
  tessera::init();
  const registry::RegisteredKernel& k = ops::op_kernel(args.positional()[0]);
  const std::string device_name = args.value("--device").value_or("cpu");
  const runtime::Device device = open_device(device_name);
  std::vector<CaseKey> keys;
  if (auto key = args.value("--key")) {
    keys.push_back(CaseKey::parse_cli(*key));
  } else {
    keys = k.input_keys();
    for (const std::string& where : args.values("--where")) keys = filter_keys(keys, where);
  }
  ops::TuneOptions options;
  if (auto r = args.value("--rounds")) options.rounds = std::max(1, std::stoi(*r));
  if (auto s = args.value("--seed")) options.seed = std::stoull(*s);
  if (auto b = args.value("--budget-s")) options.budget_s = std::stod(*b);
  options.progress = [](const std::string& line) { std::cout << line << "\n" << std::flush; };
  const std::string platform = args.value("--platform").value_or(device.info().platform);
  ConfigManager own(args.value("--config-dir").value_or(ConfigManager::instance().base_dir().string()));
  options.current = own.read_platform_file(k.name(), platform);
  std::cout << "tune " << k.name() << " on " << device_name << " (" << device.info().name << "), platform " << platform
            << ", " << keys.size() << " cases, " << options.rounds << " rounds\n";

  const std::vector<ops::TunedCase> cases = ops::tune_cases(k, device, keys, options);
  for (const ops::TunedCase& c : cases) {
    std::cout << c.key.canonical() << "\n";
    for (std::size_t i = 0; i < c.candidates.size(); ++i) {
      const ops::TunedCandidate& t = c.candidates[i];
      std::cout << (i == c.best ? "  * " : "    ") << std::fixed << std::setprecision(1) << std::setw(10)
                << t.ms * 1e3 << " us  " << ops::config_summary(t.config) << "\n";
    }
  }
  const std::vector<ConfigEntry> entries = ops::tuned_entries(cases);
  if (args.flag("--dry-run")) return kExitOk;
  const auto path = own.save_configs(k.name(), platform, entries);
  std::cout << "saved " << entries.size() << " entries to " << path.string() << "\n";
  return kExitOk;
}

}  // namespace

void add_tune_command(CommandTable& table) {
  table.push_back({"tune",
                   "OP [--device cpu|cuda:N|hip:N] [--where FIELD=V1,V2,...] [--key k=v,...] [--rounds N] "
                   "[--budget-s S] [--config-dir D] [--platform P] [--seed S] [--dry-run]",
                   "time candidate configs from the op's config space on its input generator's cases and save the "
                   "fastest per case key to <config-dir>/<OP>/<platform>.json (vLLM's format)",
                   run_tune});
}

}  // namespace tessera::tool
