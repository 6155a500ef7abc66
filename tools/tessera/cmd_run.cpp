// SPDX-License-Identifier: Apache-2.0
// `tessera run OP [--device D] [--key k=v,...] [--check] [--json] [--iters N]`: runs an op on its
// input generator's cases (or the one given) on a device, and prints per case the picked key, the
// config, the time, GB/s and TFLOP/s and, with --check, the largest error against the float64
// reference (ULPs of the output dtype, and relative). Exit 1 when a check fails.
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "args.h"
#include "command.h"
#include "ops/harness.h"
#include "ops/ops.h"
#include "tessera/error.h"
#include "tessera/runtime/registry.h"
#include "tessera/support/python_json.h"

namespace tessera::tool {
namespace {

json::Json result_json(const std::string& op, const std::string& device, const ops::CaseResult& r) {
  json::Json j = json::Json::object();
  j["op"] = op;
  j["device"] = device;
  j["case"] = r.case_key.to_json();
  j["platform"] = r.route.platform;
  j["picked_key"] = r.route.key.to_json();
  j["default_fallback"] = r.route.fell_back_to_default;
  j["config"] = r.route.config.to_json();
  j["time_us"] = r.time_ms * 1e3;
  j["gbps"] = r.gbps;
  j["tflops"] = r.tflops;
  if (r.checked) {
    j["pass"] = r.pass;
    json::Json errors = json::Json::array();
    for (const ops::OutputError& e : r.errors) {
      json::Json x = json::Json::object();
      x["arg"] = e.arg;
      x["max_ulp"] = std::isfinite(e.max_ulp) ? json::Json(e.max_ulp) : json::Json("inf");
      x["max_rel"] = std::isfinite(e.max_rel) ? json::Json(e.max_rel) : json::Json("inf");
      x["mismatches"] = e.mismatches;
      errors.push_back(std::move(x));
    }
    j["errors"] = std::move(errors);
  }
  return j;
}

std::string error_text(const ops::CaseResult& r) {
  if (!r.checked) return "-";
  std::ostringstream os;
  for (const ops::OutputError& e : r.errors)
    os << (os.tellp() > 0 ? " " : "") << e.arg << ":" << e.max_ulp << "ulp" << (e.pass ? "" : "(FAIL)");
  return os.str();
}

int run_run(const std::vector<std::string>& argv) {
  Args args("run", argv, {"--device", "--key", "--iters", "--seed"}, {"--check", "--json"});
  args.expect_positional(1, 1, "OP");
  tessera::init();
  const std::string device_name = args.value("--device").value_or("cpu");
  const runtime::Device device = open_device(device_name);
  const registry::RegisteredKernel& k = ops::op_kernel(args.positional()[0]);
  if (auto reason = k.disabled_reason(device.id()))
    throw UserError("kernel '" + k.name() + "' is disabled on " + device_name + ": " + *reason);
  std::vector<CaseKey> keys;
  if (auto key = args.value("--key")) keys.push_back(CaseKey::parse_cli(*key));
  else keys = k.input_keys();
  ops::RunOptions options;
  options.check = args.flag("--check");
  if (auto n = args.value("--iters")) options.iterations = std::stoi(*n);
  if (auto s = args.value("--seed")) options.seed = std::stoull(*s);

  bool all_pass = true;
  json::Json out = json::Json::array();
  if (!args.flag("--json"))
    std::cout << std::left << std::setw(44) << "case" << std::setw(44) << "picked key" << std::right << std::setw(11)
              << "time (us)" << std::setw(9) << "GB/s" << std::setw(9) << "TFLOP/s" << "  max error / config\n";
  for (const CaseKey& key : keys) {
    const ops::CaseResult r = ops::run_case(k, device, key, options);
    all_pass = all_pass && r.pass;
    if (args.flag("--json")) {
      out.push_back(result_json(k.name(), device_name, r));
      continue;
    }
    std::cout << std::left << std::setw(44) << key.canonical() << std::setw(44) << r.route.key.canonical()
              << std::right << std::fixed << std::setprecision(1) << std::setw(11) << r.time_ms * 1e3
              << std::setw(9) << r.gbps << std::setprecision(3) << std::setw(9) << r.tflops << "  "
              << error_text(r) << "  " << json::dumps_compact(r.route.config.to_json(), false) << "\n";
  }
  if (args.flag("--json")) std::cout << json::dumps_indented(out, 2) << "\n";
  return all_pass ? kExitOk : kExitCheckFailed;
}

}  // namespace

void add_run_command(CommandTable& table) {
  table.push_back({"run", "OP [--device cpu|cuda:N|hip:N] [--key k=v,...] [--check] [--json] [--iters N] [--seed S]",
                   "run an op on its input generator's cases (or one), with times and, with --check, errors "
                   "against the float64 reference",
                   run_run});
}

}  // namespace tessera::tool
