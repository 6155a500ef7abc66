// SPDX-License-Identifier: Apache-2.0
// `tessera run OP [--device D] [--key k=v,... | --cases FILE] [--check] [--json] [--iters N] [--list]`:
// runs an op on its input generator's cases (or the one given, or a JSON array of them; --list
// prints that array) on a device, and prints per case the picked key, the config, the time, GB/s
// and TFLOP/s and, with --check, the largest error against the float64 reference (ULPs of the
// output dtype, and relative). Exit 1 when a check fails.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>

#include "args.h"
#include "command.h"
#include "ops/harness.h"
#include "run_report.h"
#include "ops/ops.h"
#include "tessera/error.h"
#include "tessera/runtime/registry.h"
#include "tessera/support/python_json.h"

namespace tessera::tool {
namespace {

int run_run(const std::vector<std::string>& argv) {
  Args args("run", argv, {"--device", "--key", "--cases", "--iters", "--seed"}, {"--check", "--json", "--list"});
  args.expect_positional(1, 1, "OP");
  tessera::init();
  const registry::RegisteredKernel& k = ops::op_kernel(args.positional()[0]);
  if (args.flag("--list")) {  // the input generator's case keys as a JSON array (no device needed)
    json::Json list = json::Json::array();
    for (const CaseKey& key : k.input_keys()) list.push_back(key.to_json());
    std::cout << json::dumps_compact(list, true) << "\n";
    return kExitOk;
  }
  const std::string device_name = args.value("--device").value_or("cpu");
  const runtime::Device device = open_device(device_name);
  if (auto reason = k.disabled_reason(device.id()))
    throw UserError("kernel '" + k.name() + "' is disabled on " + device_name + ": " + *reason);
  std::vector<CaseKey> keys;
  if (auto key = args.value("--key")) {
    keys.push_back(CaseKey::parse_cli(*key));
  } else if (auto file = args.value("--cases")) {  // a JSON array of case keys (as --list prints)
    std::ifstream in(*file);
    if (!in) throw UserError("tessera run --cases: cannot read '" + *file + "'");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const json::Json list = json::parse(text, *file);
    if (!list.is_array()) throw UserError("tessera run --cases: '" + *file + "' must hold a JSON array of case keys");
    for (const json::Json& key : list) keys.push_back(CaseKey::from_json(key, *file));
  } else {
    keys = k.input_keys();
  }
  ops::RunOptions options;
  options.check = args.flag("--check");
  if (auto n = args.value("--iters")) options.iterations = std::stoi(*n);
  if (auto s = args.value("--seed")) options.seed = std::stoull(*s);

  bool all_pass = true;
  // --json: one array, one record per line, each printed as its case finishes (a run stopped
  // early has printed its finished cases).
  const char* separator = "[\n";
  if (!args.flag("--json"))
    std::cout << std::left << std::setw(44) << "case" << std::setw(44) << "picked key" << std::right << std::setw(11)
              << "time (us)" << std::setw(9) << "GB/s" << std::setw(9) << "TFLOP/s" << "  max error / config\n";
  for (const CaseKey& key : keys) {
    const ops::CaseResult r = ops::run_case(k, device, key, options);
    all_pass = all_pass && r.pass;
    if (args.flag("--json")) {
      std::cout << separator << json::dumps_compact(case_result_json(k.name(), device_name, r), false) << std::flush;
      separator = ",\n";
      continue;
    }
    std::cout << std::left << std::setw(44) << key.canonical() << std::setw(44) << r.route.key.canonical()
              << std::right << std::fixed << std::setprecision(1) << std::setw(11) << r.time_ms * 1e3
              << std::setw(9) << r.gbps << std::setprecision(3) << std::setw(9) << r.tflops << "  "
              << error_summary(r) << "  " << json::dumps_compact(r.route.config.to_json(), false) << "\n";
  }
  if (args.flag("--json")) std::cout << (keys.empty() ? "[" : "") << "\n]\n";
  return all_pass ? kExitOk : kExitCheckFailed;
}

}  // namespace

void add_run_command(CommandTable& table) {
  table.push_back({"run",
                   "OP [--device cpu|cuda:N|hip:N] [--key k=v,... | --cases FILE] [--check] [--json] [--iters N] "
                   "[--seed S] [--list]",
                   "run an op on its input generator's cases (or one, or a JSON array of them; --list prints them), "
                   "with times and, with --check, errors against the float64 reference",
                   run_run});
}

}  // namespace tessera::tool
