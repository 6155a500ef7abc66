// SPDX-License-Identifier: Apache-2.0
// Stress: 8 threads call 4 ops (rms_norm, layer_norm, softmax, add) on the CPU through the
// process-wide registry, each call on random shapes and dtypes from the op's input generator,
// outputs poisoned and every result checked against the float64 reference. At the end: no call
// failed, and each op compiled exactly once per distinct (picked config key, specialization) the
// threads used: per-token-count keys in the CPU configs route token counts to different programs (the
// registry's stats: concurrent first calls of one entry must share one compile).
// Runs ~5 s by default; TESSERA_STRESS_SECONDS=10 (or more) for the long run.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ops/harness.h"
#include "ops/ops.h"
#include "tessera/runtime/registry.h"
#include "tessera/support/env.h"

namespace tessera::ops {
namespace {

constexpr int kThreads = 8;
const std::vector<std::string> kOps = {"rms_norm", "layer_norm", "softmax", "add"};

double stress_seconds() {
  const auto v = env::get("TESSERA_STRESS_SECONDS");
  return v ? std::stod(*v) : 5.0;
}

/// One random case of `op`: its key for the input generator and what it specializes on (the
/// row ops specialize the row length; add only whether its rows start 16-byte aligned), so the
/// test knows how many compiles the calls need.
struct RandomCase {
  CaseKey key;
  std::string specialization;
};

RandomCase random_case(const std::string& op, std::mt19937_64& rng) {
  // Few row lengths bound the compiles (one per op, dtype and length); token counts vary freely
  // (dynamic), including ragged ones around the CPU configs' row blocks.
  const std::int64_t tokens = std::uniform_int_distribution<std::int64_t>(1, 40)(rng);
  const std::int64_t sizes[] = {96, 200};
  const std::int64_t h = sizes[std::uniform_int_distribution<int>(0, 1)(rng)];
  const char* dtypes[] = {"bf16", "f16"};
  const std::string dtype = dtypes[std::uniform_int_distribution<int>(0, 1)(rng)];
  if (op == "softmax")
    return {CaseKey({{"dtype", dtype}, {"num_rows", tokens}, {"row_size", h}}), dtype + "/" + std::to_string(h)};
  if (op == "add") {
    const std::int64_t cols = std::uniform_int_distribution<std::int64_t>(1, 700)(rng);  // any width
    // Rows 16-byte aligned (2-byte elements; one row has no row stride) are a specialization.
    const bool rows16 = tokens == 1 || cols % 8 == 0;
    return {CaseKey({{"dtype", dtype}, {"hidden_size", cols}, {"num_tokens", tokens}}),
            dtype + (rows16 ? "/rows16" : "")};
  }
  return {CaseKey({{"dtype", dtype}, {"hidden_size", h}, {"num_tokens", tokens}}), dtype + "/" + std::to_string(h)};
}

TEST(OpsStress, EightThreadsFourOpsRandomShapes) {
  tessera::init();
  const runtime::Device device = open_device("cpu");
  std::map<std::string, std::uint64_t> compiles_before;
  for (const std::string& op : kOps) compiles_before[op] = op_kernel(op).stats().compiles;

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(stress_seconds());
  std::atomic<std::int64_t> calls{0};
  std::mutex mu;
  std::vector<std::string> failures;
  std::map<std::string, std::set<std::string>> specializations;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(1000 + t);
      while (std::chrono::steady_clock::now() < deadline) {
        const std::string& op = kOps[std::uniform_int_distribution<std::size_t>(0, kOps.size() - 1)(rng)];
        const RandomCase c = random_case(op, rng);
        std::string failure;
        std::string picked;  // compiles are cached per (picked key, specialization)
        try {
          RunOptions options;
          options.iterations = 0;
          options.seed = rng();
          const CaseResult r = run_case(op_kernel(op), device, c.key, options);
          picked = r.route.key.canonical();
          for (const OutputError& e : r.errors)
            if (!e.pass) failure = op + " " + c.key.canonical() + ": '" + e.arg + "' " + e.first_mismatch;
          if (!r.checked) failure = op + " " + c.key.canonical() + ": not checked";
        } catch (const std::exception& e) {
          failure = op + " " + c.key.canonical() + ": threw " + e.what();
        }
        calls.fetch_add(1);
        std::lock_guard<std::mutex> lock(mu);
        specializations[op].insert(c.specialization + " @ " + picked);
        if (!failure.empty() && failures.size() < 10) failures.push_back(failure);
      }
    });
  }
  for (std::thread& th : threads) th.join();

  for (const std::string& f : failures) ADD_FAILURE() << f;
  EXPECT_GT(calls.load(), kThreads) << "too few calls to stress anything";
  std::cout << "[ stress   ] " << calls.load() << " checked calls in " << stress_seconds() << " s on " << kThreads
            << " threads\n";
  for (const std::string& op : kOps) {
    const std::uint64_t compiles = op_kernel(op).stats().compiles - compiles_before[op];
    EXPECT_EQ(compiles, specializations[op].size())
        << op << ": " << compiles << " compiles for " << specializations[op].size()
        << " distinct (picked key, specialization) pairs (a duplicate compile, or a cache miss on a warm key)";
  }
}

}  // namespace
}  // namespace tessera::ops
