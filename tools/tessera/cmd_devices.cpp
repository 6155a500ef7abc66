// SPDX-License-Identifier: Apache-2.0
// The `tessera devices` command: every backend, each device with its facts (or why the backend
// is not available), and `--selftest`: allocate, fill, copy and verify on each device, with the
// copy bandwidth of host->device, device->host and device->device.
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "args.h"
#include "command.h"
#include "tessera/error.h"
#include "tessera/runtime/device_info.h"
#include "tessera/runtime/registry.h"
#include "tessera/runtime/selftest.h"

namespace tessera::tool {

namespace {

using nlohmann::ordered_json;
using runtime::BackendStatus;
using runtime::DeviceInfo;

std::string gib(std::uint64_t bytes) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << double(bytes) / double(1ull << 30) << " GiB";
  return os.str();
}

std::string mib(std::int64_t bytes) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(bytes % (1 << 20) ? 1 : 0) << double(bytes) / (1 << 20)
     << " MiB";
  return os.str();
}

ordered_json device_json(const DeviceInfo& d) {
  ordered_json j;
  j["device"] = d.id.str();
  j["name"] = d.name;
  j["platform"] = d.platform;
  j["target"] = d.caps.target;
  j["compute_units"] = d.caps.compute_units;
  j["warp_size"] = d.caps.warp_size;
  j["max_threads_per_block"] = d.caps.max_threads_per_block;
  j["smem_per_block_bytes"] = d.caps.smem_per_block_bytes;
  j["smem_per_sm_bytes"] = d.caps.smem_per_sm_bytes;
  j["memory_bytes"] = d.memory_bytes;
  j["l2_bytes"] = d.l2_bytes;
  j["clock_khz"] = d.clock_khz;
  j["driver_version"] = d.driver_version;
  j["runtime_version"] = d.runtime_version;
  return j;
}

void print_device(const DeviceInfo& d) {
  std::cout << "  " << d.id.str() << ": " << d.name << "\n"
            << "    platform " << d.platform << ", target "
            << (d.caps.target.empty() ? "(unknown)" : d.caps.target) << "\n"
            << "    " << d.caps.compute_units
            << (d.id.is_gpu() ? " compute units" : " usable CPUs") << ", warp size "
            << d.caps.warp_size << ", max " << d.caps.max_threads_per_block
            << " threads/block, memory " << gib(d.memory_bytes) << "\n";
  if (d.id.is_gpu()) {
    std::cout << "    shared memory " << d.caps.smem_per_block_bytes / 1024 << " KiB/block, "
              << d.caps.smem_per_sm_bytes / 1024 << " KiB/SM, L2 " << mib(d.l2_bytes);
  } else {
    std::cout << "    last-level cache " << (d.l2_bytes ? mib(d.l2_bytes) : "unknown");
  }
  std::cout << ", clock " << (d.clock_khz ? std::to_string(d.clock_khz / 1000) + " MHz" : "unknown")
            << "\n    driver " << d.driver_version << "; " << d.runtime_version << "\n";
}

int run_list(bool json) {
  ordered_json out = ordered_json::array();
  for (const BackendStatus& s : backend_statuses()) {
    const auto* backend = backend::registry().find(s.kind);
    std::vector<DeviceInfo> devs = s.available ? backend->runtime->enumerate()
                                               : std::vector<DeviceInfo>{};
    if (json) {
      ordered_json b;
      b["backend"] = std::string(runtime::device_kind_name(s.kind));
      b["available"] = s.available;
      if (!s.available) b["reason"] = s.reason;
      b["libraries"] = s.libraries;
      b["devices"] = ordered_json::array();
      for (const DeviceInfo& d : devs) b["devices"].push_back(device_json(d));
      out.push_back(b);
      continue;
    }
    std::cout << runtime::device_kind_name(s.kind) << ": ";
    if (!s.available) {
      std::cout << "not available: " << s.reason << "\n";
      continue;
    }
    std::cout << devs.size() << " device" << (devs.size() == 1 ? "" : "s");
    for (const std::string& lib : s.libraries) std::cout << (&lib == &s.libraries[0] ? " (" : ", ") << lib;
    std::cout << (s.libraries.empty() ? "" : ")") << "\n";
    for (const DeviceInfo& d : devs) print_device(d);
  }
  if (json) std::cout << out.dump(2) << "\n";
  return kExitOk;
}

ordered_json bandwidth_json(const runtime::CopyBandwidth& b) {
  return {{"bytes", b.bytes}, {"median_ms", b.median_ms}, {"gb_per_s", b.gb_per_s}};
}

int run_selftest(const Args& args, bool json) {
  std::vector<runtime::DeviceId> targets;
  if (auto d = args.value("--device")) {
    targets.push_back(runtime::DeviceId::parse(*d));
  } else {
    for (const DeviceInfo& d : devices()) targets.push_back(d.id);
  }
  runtime::SelftestOptions options;
  if (auto mb = args.value("--size-mb")) {
    std::size_t n = 0;
    std::istringstream is(*mb);
    TS_USER_CHECK((is >> n) && is.eof() && n > 0 && n <= (std::size_t(1) << 16))
        << "devices --selftest: --size-mb takes a whole number of MiB in [1, 65536], got '" << *mb
        << "'";
    options.bytes = n << 20;
  }
  bool all_passed = true;
  ordered_json out = ordered_json::array();
  for (const runtime::DeviceId& id : targets) {
    runtime::Device device = open_device(id);
    const runtime::SelftestResult r = runtime::run_selftest(device, options);
    all_passed = all_passed && r.passed;
    if (json) {
      ordered_json j{{"device", id.str()}, {"name", device.info().name}, {"passed", r.passed}};
      if (!r.passed) j["failure"] = r.failure;
      if (r.passed) {
        j["h2d"] = bandwidth_json(r.h2d);
        j["d2h"] = bandwidth_json(r.d2h);
        j["d2d"] = bandwidth_json(r.d2d);
      }
      out.push_back(j);
      continue;
    }
    std::cout << id.str() << " (" << device.info().name << "): "
              << (r.passed ? "PASS" : "FAIL: " + r.failure) << "\n";
    if (!r.passed) continue;
    std::cout << "  copy bandwidth, " << options.bytes / (1 << 20)
              << " MiB per copy, median of " << options.repeats
              << ", GB/s counting bytes read + written:\n";
    for (const runtime::CopyBandwidth* b : {&r.h2d, &r.d2h, &r.d2d}) {
      std::cout << "    " << b->direction << "  " << std::fixed << std::setprecision(1)
                << std::setw(8) << b->gb_per_s << " GB/s  (" << std::setprecision(3)
                << b->median_ms << " ms)\n";
    }
  }
  if (json) std::cout << out.dump(2) << "\n";
  return all_passed ? kExitOk : kExitCheckFailed;
}

int run_devices(const std::vector<std::string>& argv) {
  Args args("devices", argv, {"--device", "--size-mb"}, {"--json", "--selftest"});
  args.expect_positional(0, 0, "no positional arguments");
  TS_USER_CHECK(args.flag("--selftest") || (!args.value("--device") && !args.value("--size-mb")))
      << "devices: --device and --size-mb apply to --selftest only";
  tessera::init();
  return args.flag("--selftest") ? run_selftest(args, args.flag("--json"))
                                 : run_list(args.flag("--json"));
}

}  // namespace

void add_devices_commands(CommandTable& table) {
  table.push_back({"devices", "[--json] [--selftest [--device D] [--size-mb N]]",
                   "list every backend and device (cpu, cuda:N, hip:N) with its facts; "
                   "--selftest fills, copies and verifies on each device and prints H2D/D2H/D2D "
                   "bandwidth (GB/s, bytes read + written; exit 1 if a check fails)",
                   run_devices});
}

}  // namespace tessera::tool
