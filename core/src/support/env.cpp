// SPDX-License-Identifier: Apache-2.0
#include "tessera/support/env.h"

#include <array>
#include <cstdlib>

#include "tessera/error.h"

namespace tessera::env {

namespace {
constexpr std::array kVars{
    Var{"TESSERA_PLATFORM", Effect::kNeutral,
        "platform id to use instead of the one detected from the device name (e.g. nvidia_h100)"},
    Var{"TESSERA_GPU_ALIASES", Effect::kNeutral,
        "path of a JSON file of extra GPU-name aliases, merged over configs/gpu_aliases.json"},
    Var{"TESSERA_CONFIG_DIR", Effect::kNeutral,
        "base folder of configs/<kernel>/<platform>.json (default: the shipped configs/)"},
    Var{"TESSERA_CACHE_DIR", Effect::kNeutral, "JIT disk cache folder (default ~/.cache/tessera)"},
    Var{"TESSERA_CXX", Effect::kInvalidatesCache, "host C++ compiler for the CPU backend (default c++)"},
    Var{"TESSERA_STATIC_SHAPES", Effect::kInvalidatesCache,
        "Settings.static_shapes default: 1 = one specialization per exact shape, 0 = bucketed"},
    Var{"TESSERA_INDEX_DTYPE", Effect::kInvalidatesCache, "Settings.index_dtype default: i32 or i64"},
    Var{"TESSERA_PRINT_OUTPUT_CODE", Effect::kNeutral,
        "Settings.print_output_code default: 1 prints generated source when compiling"},
    Var{"TESSERA_STRESS_SECONDS", Effect::kNeutral,
        "duration of tests/conformance/ops_stress_test in seconds (default 5; the issue's run: 10)"},
    Var{"TS_ASSERT_CACHE_HIT", Effect::kNeutral,
        "1 makes any JIT compile an error (checks that a warm cache is complete)"},
};
}  // namespace

std::span<const Var> env_vars() { return kVars; }

std::optional<std::string> get(std::string_view name) {
  bool declared = false;
  for (const Var& v : kVars) declared = declared || v.name == name;
  TS_INTERNAL_CHECK(declared) << "environment variable " << name
                              << " is read but not declared in core/src/support/env.cpp";
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::string cache_affecting_values() {
  std::string out;
  for (const Var& v : kVars) {
    if (v.effect != Effect::kInvalidatesCache) continue;
    if (auto value = get(v.name)) out += std::string(v.name) + "=" + *value + "\n";
  }
  return out;
}

}  // namespace tessera::env
