// SPDX-License-Identifier: Apache-2.0
// The `tessera platform` commands: device name -> platform id, the alias table, targets, and
// the host CPU as a platform.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include "args.h"
#include "command.h"
#include "tessera/error.h"
#include "tessera/platform/alias_table.h"
#include "tessera/platform/canonicalize.h"
#include "tessera/platform/host_cpu.h"
#include "tessera/platform/target.h"
#include "tessera/support/python_json.h"

namespace tessera::tool {

namespace {

using platform::AliasTable;
using platform::Target;

AliasTable table_for(const Args& args) {
  if (auto dir = args.value("--config-dir")) return AliasTable::from_config_dir(*dir);
  return AliasTable::from_environment();
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

int run_canonicalize(const std::vector<std::string>& argv) {
  Args args("platform canonicalize", argv, {"--config-dir"}, {});
  args.expect_positional(1, SIZE_MAX, "one or more device names (quote names with spaces)");
  const AliasTable table = table_for(args);
  // All names first, so a bad one leaves stdout empty rather than half-written.
  std::vector<std::string> ids;
  for (const std::string& name : args.positional()) {
    ids.push_back(platform::canonicalize_gpu_name(name, table));
  }
  for (const std::string& id : ids) std::cout << id << "\n";
  return kExitOk;
}

int run_list(const std::vector<std::string>& argv) {
  Args args("platform list", argv, {"--config-dir", "--family"}, {});
  args.expect_positional(0, 0, "no positional arguments");
  const AliasTable table = table_for(args);
  std::optional<std::string> family = args.value("--family");
  if (family) {
    for (char& c : *family) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::vector<const platform::PlatformEntry*> shown;
  for (const platform::PlatformEntry& p : table.platforms()) {
    if (!family || p.target.family == *family) shown.push_back(&p);
  }
  if (shown.empty() && family) {
    std::vector<std::string> families;  // those present, in table order
    for (const platform::PlatformEntry& p : table.platforms()) {
      if (std::find(families.begin(), families.end(), p.target.family) == families.end()) {
        families.push_back(p.target.family);
      }
    }
    user_error(cat("no platform of family '", *family, "' in ", join(table.sources(), ", "),
                   "; families present: ", join(families, " ")));
  }
  std::cout << std::left << std::setw(34) << "platform" << std::setw(8) << "vendor" << std::setw(10)
            << "target" << std::setw(15) << "family" << "device names\n";
  for (const platform::PlatformEntry* p : shown) {
    std::cout << std::setw(34) << p->id << std::setw(8) << platform::vendor_name(p->target.vendor)
              << std::setw(10) << p->target.str() << std::setw(15) << p->target.family
              << join(p->names, " | ") << "\n";
  }
  std::cout << "\n" << shown.size() << " platforms from " << join(table.sources(), ", ") << "\n";
  return kExitOk;
}

int run_target(const std::vector<std::string>& argv) {
  Args args("platform target", argv, {}, {});
  args.expect_positional(1, SIZE_MAX, "one or more targets (e.g. sm_90a gfx942 x86_64-avx512)");
  std::vector<Target> targets;
  for (const std::string& text : args.positional()) targets.push_back(Target::parse(text));
  for (const Target& t : targets) {
    std::cout << t.str() << ": vendor " << platform::vendor_name(t.vendor) << ", family "
              << t.family << ", warp size " << t.warp_size;
    if (t.vendor == platform::Vendor::kNvidia) {
      std::cout << ", compute capability " << t.major << "." << t.minor;
    } else if (t.vendor == platform::Vendor::kAmd) {
      std::cout << ", gfx version " << t.major << "." << t.minor << "." << t.stepping;
    } else {
      std::cout << ", ISA level " << t.suffix << ", platform " << platform::cpu_platform_id(t);
    }
    std::cout << "\n";
  }
  return kExitOk;
}

int run_host(const std::vector<std::string>& argv) {
  Args args("platform host", argv, {}, {"--json"});
  args.expect_positional(0, 0, "no positional arguments");
  const platform::HostCpu& cpu = platform::host_cpu();
  if (args.flag("--json")) {
    json::Json j;
    j["model_name"] = cpu.model_name;
    j["target"] = cpu.target.str();
    j["platform"] = cpu.platform;
    j["family"] = cpu.target.family;
    j["online_cpus"] = cpu.online_cpus;
    j["usable_cpus"] = cpu.usable_cpus;
    j["l1d_bytes"] = cpu.l1d_bytes;
    j["l2_bytes"] = cpu.l2_bytes;
    j["l3_bytes"] = cpu.l3_bytes;
    std::cout << json::dumps_indented(j, 2) << "\n";
    return kExitOk;
  }
  auto kib = [](std::int64_t bytes) {
    return bytes == 0 ? std::string("unknown") : std::to_string(bytes / 1024) + " KiB";
  };
  std::cout << "model name: " << cpu.model_name << "\n"
            << "target:     " << cpu.target.str() << "\n"
            << "platform:   " << cpu.platform << "\n"
            << "cpus:       " << cpu.usable_cpus << " usable of " << cpu.online_cpus << " online\n"
            << "L1d cache:  " << kib(cpu.l1d_bytes) << "\n"
            << "L2 cache:   " << kib(cpu.l2_bytes) << "\n"
            << "L3 cache:   " << kib(cpu.l3_bytes) << "\n";
  return kExitOk;
}

}  // namespace

void add_platform_commands(CommandTable& table) {
  table.push_back({"platform canonicalize", "[--config-dir D] NAME...",
                   "print the platform id of each device name, one per line (vLLM's rule + "
                   "gpu_aliases.json; TESSERA_PLATFORM is not applied)",
                   run_canonicalize});
  table.push_back({"platform list", "[--config-dir D] [--family F]",
                   "list the platforms of the alias table with target, family and device names",
                   run_list});
  table.push_back({"platform target", "TARGET...",
                   "parse code-generation targets (sm_90a, gfx942, x86_64-avx512) and print "
                   "their facts",
                   run_target});
  table.push_back({"platform host", "[--json]",
                   "print the host CPU: model, target, platform id, cpus, caches", run_host});
}

}  // namespace tessera::tool
