// SPDX-License-Identifier: Apache-2.0
// The tuner's GPU candidates (ops/tune.h) for an H100 without a GPU: for matmul at decode,
// mid and prefill token counts and for add, softmax, rms_norm and layer_norm, every candidate
// is a valid config of the config space of the registry's program, the file's current config
// (configs/<op>/nvidia_h100.json) is the first, there are at most 14, and each compiles for
// sm_90a through NVRTC without spills along the path the tuner times on the device: a registry whose config file holds the candidate
// under the default key, lowered by registry::lower_request as default_compile_fn does.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <string>

#include <unistd.h>

#include "cuda/api.h"
#include "cuda/codegen.h"
#include "cuda/compiler.h"
#include "ops/ops.h"
#include "ops/tune.h"
#include "tessera/config/config_manager.h"
#include "tessera/registry/registry.h"
#include "tessera/runtime/registry.h"

namespace tessera::ops {
namespace {

/// Never launched: the test only compiles the source.
class SourceOnly final : public registry::Executable {
 public:
  void launch(const registry::LaunchArgs&, runtime::Stream*) const override {}
};

registry::DeviceContext h100(runtime::DeviceId id) {
  registry::DeviceContext c;
  c.id = id;
  c.platform = "nvidia_h100";
  c.target = "sm_90a";
  c.warp_size = 32;
  c.compute_units = 132;
  return c;
}

constexpr std::int64_t kH100SmemPerBlock = 227 * 1024;  // MAX_SHARED_MEMORY_PER_BLOCK_OPTIN

/// The case's host arguments as views of host memory (only shapes, strides and the 16-byte
/// aligned addresses matter: nothing is launched).
std::vector<registry::ArgValue> views(registry::HostArgs& host) {
  std::vector<registry::ArgValue> out;
  for (registry::HostArg& h : host) {
    if (auto* t = std::get_if<ir::HostTensor>(&h))
      out.emplace_back(runtime::TensorView(t->storage.data(), t->dtype, t->shape, t->strides, runtime::DeviceId::cpu()));
    else
      std::visit([&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (!std::is_same_v<V, ir::HostTensor>) out.emplace_back(v);
      }, h);
  }
  return out;
}

/// Checks every candidate of `op` at each of `keys`; compiles each distinct one once.
void check_candidates(const std::string& op, const std::vector<CaseKey>& keys) {
  tessera::init();  // the host backend: the candidates' space is derived through lang::Kernel
  const std::vector<ConfigEntry> file = ConfigManager(TS_SOURCE_DIR "/configs").read_platform_file(op, "nvidia_h100");
  ASSERT_FALSE(file.empty()) << op;
  // The tuner's first candidate for a key: the file's config for that key, else its default's.
  auto current_for = [&](const CaseKey& key) {
    const ConfigEntry* fallback = nullptr;
    for (const ConfigEntry& e : file) {
      if (e.key == key) return e.config;
      if (e.key.is_default()) fallback = &e;
    }
    EXPECT_NE(fallback, nullptr) << op << ": the shipped file has no default key";
    return fallback != nullptr ? fallback->config : file.front().config;
  };
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tune_cuda_candidates_test_" + std::to_string(::getpid()));
  std::map<std::string, bool> compiled;  // config JSON -> checked
  for (const CaseKey& key : keys) {
    registry::KernelRegistry plain(ConfigManager::instance());
    for (registry::KernelSpec& s : op_specs())
      if (s.name == op) plain.register_kernel(std::move(s));
    const registry::RegisteredKernel& kernel = plain.get(op);
    registry::HostArgs host = kernel.make_inputs(key);
    const std::vector<registry::ArgValue> args = views(host);
    const ir::ConfigSpace space = tune_space(kernel, args);
    const Config current = current_for(key);
    const std::vector<Config> candidates = tune_candidates(space, TuneTarget{32, kH100SmemPerBlock}, current);
    ASSERT_FALSE(candidates.empty());
    EXPECT_EQ(candidates.front(), current) << op << " " << key.canonical();
    EXPECT_GE(candidates.size(), 4u) << op << " " << key.canonical();
    EXPECT_LE(candidates.size(), 14u) << op << " " << key.canonical();
    for (const Config& c : candidates) {
      const std::string what = op + " " + key.canonical() + " " + c.to_json().dump();
      if (compiled.count(c.to_json().dump())) continue;
      compiled[c.to_json().dump()] = true;
      std::filesystem::remove_all(dir);
      ConfigManager configs(dir);
      configs.save_configs(op, "nvidia_h100", {{CaseKey::default_key(), c}});
      backend::gpu::KernelSource source;
      registry::KernelRegistry reg(
          configs,
          [&](const registry::CompileRequest& r) {
            // Valid for the space of the registry's program (its specialized sizes only).
            std::map<std::string, std::int64_t> sizes(r.sizes.begin(), r.sizes.end());
            const ir::NormalizedConfig n = ir::ConfigSpace::of(*r.kernel, sizes).normalize(*r.config);
            EXPECT_TRUE(n.notes.empty()) << what << ": " << (n.notes.empty() ? "" : n.notes.front());
            source = backend::cuda::emit_cuda_kernel(registry::lower_request(r));
            return std::make_shared<SourceOnly>();
          },
          h100);
      for (registry::KernelSpec& s : op_specs())
        if (s.name == op) reg.register_kernel(std::move(s));
      ASSERT_NO_THROW(reg.get(op).call(args)) << what;
      if (!backend::cuda::nvrtc().ok()) continue;
      const backend::cuda::NvrtcResult r = backend::cuda::nvrtc_compile(source.source, {"sm_90a", {}}, true);
      const backend::cuda::ResourceUsage u = backend::cuda::parse_ptxas_report(r.log, source.source.kernel_name);
      EXPECT_EQ(u.spill_stores, 0) << what << "\n" << r.log;
      EXPECT_EQ(u.spill_loads, 0) << what;
    }
  }
  std::filesystem::remove_all(dir);
  std::cout << op << ": " << compiled.size() << " distinct candidates lowered"
            << (backend::cuda::nvrtc().ok() ? " and compiled for sm_90a without spills\n" : "\n");
  if (!backend::cuda::nvrtc().ok()) GTEST_SKIP() << "NVRTC is not available here: candidates checked, not compiled";
}

TEST(TuneCudaCandidates, MatmulAtDecodeMidAndPrefillTokenCounts) {
  check_candidates("matmul", {CaseKey({{"k", 4096}, {"m", 1}, {"n", 4096}}), CaseKey({{"k", 4096}, {"m", 128}, {"n", 4096}}),
                              CaseKey({{"k", 4096}, {"m", 1024}, {"n", 4096}})});
}

TEST(TuneCudaCandidates, Add) {
  check_candidates("add", {CaseKey({{"hidden_size", 4096}, {"num_tokens", 4096}}),
                           CaseKey({{"hidden_size", 8192}, {"num_tokens", 16}})});
}

TEST(TuneCudaCandidates, Softmax) {
  check_candidates("softmax", {CaseKey({{"num_rows", 4096}, {"row_size", 8192}}),
                               CaseKey({{"num_rows", 64}, {"row_size", 1024}})});
}

TEST(TuneCudaCandidates, RmsNormAndLayerNorm) {
  for (const char* op : {"rms_norm", "layer_norm"})
    check_candidates(op, {CaseKey({{"hidden_size", 8192}, {"num_tokens", 4096}}),
                          CaseKey({{"hidden_size", 2048}, {"num_tokens", 16}})});
}

}  // namespace
}  // namespace tessera::ops
