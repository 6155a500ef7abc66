// SPDX-License-Identifier: Apache-2.0
// The registry's behaviours with pure logic (a fake compiler and fake devices; nothing is
// compiled): vLLM's registration rules, disabled-with-reason, default fallback and pick errors,
// compile once per (device, key, specialization), the pick cache, and concurrent first calls.
#include "tessera/registry/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "temp_dir.h"
#include "tessera/lang/lang.h"
#include "tessera/registry/picker.h"
#include "tessera/support/atomic_file.h"

namespace tessera::registry {
namespace {

using ::testing::HasSubstr;
using runtime::DeviceId;
using runtime::TensorView;

/// A fake executable that records its launches.
struct Recorder final : Executable {
  mutable std::atomic<int> launches{0};
  mutable std::vector<std::int64_t> last_sizes;
  mutable std::mutex mutex;
  void launch(const LaunchArgs& args, runtime::Stream*) const override {
    ++launches;
    std::lock_guard<std::mutex> lock(mutex);
    last_sizes.assign(args.sizes.begin(), args.sizes.end());
  }
};

/// A toy op `scale_rows(out[m, n] f32, x[m, n] f32)`: n is specialized, m is the token count.
KernelSpec toy_spec(std::string name = "toy") {
  KernelSpec s;
  s.name = std::move(name);
  s.signature = {{"out", ArgKind::kTensor, false, true}, {"x", ArgKind::kTensor}};
  s.bind = [](KernelArgs args, Binding& b) {
    const TensorView& out = tensor_arg(args, 0);
    const TensorView& x = tensor_arg(args, 1);
    TS_USER_CHECK(x.rank() == 2) << "x must be 2-D, got " << x.str();
    b.variant.push_back(static_cast<std::int64_t>(x.dtype()));
    b.pick_shape.push_back(x.size(0));
    b.pick_shape.push_back(x.size(1));
    b.tensors.push_back(x);
    b.tensors.push_back(out);
  };
  s.define = [](const Binding&) {
    using namespace lang;
    return define("toy", [](Builder& k) {
      auto x = k.input("x", DType::f32, {"m", "n"});
      auto n = k.specialize(x.dim(1));
      auto out = k.output("out", DType::f32, {x.dim(0), n});
      k.tile({x.dim(0), n}, [&](Tile tm, Tile tn) { out(tm, tn) = Value(x(tm, tn)) * 2.0; });
    });
  };
  s.picker = [](KernelArgs args, std::span<const CaseKey> keys) {
    const TensorView& x = tensor_arg(args, 1);
    return pick_by_fields(keys, {{"n", PickRule::kClosest, x.size(1)}, {"m", PickRule::kAtLeast, x.size(0)}});
  };
  s.reference = [](HostArgs&) {};
  return s;
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file_atomically(dir_.path() / "toy" / "plat_a.json",
                          R"([{"key": {"n": 64, "m": 8}, "config": {"block_sizes": [8, 64]}},
                              {"key": {"n": 64, "m": 64}, "config": {"block_sizes": [16, 64]}},
                              {"key": {"n": 128, "m": 64}, "config": {"block_sizes": [32, 32]}},
                              {"key": {}, "config": {"block_sizes": [4, 4]}}])");
    write_file_atomically(dir_.path() / "toy" / "plat_nodefault.json",
                          R"([{"key": {"n": 64, "m": 8}, "config": {"block_sizes": [8, 64]}}])");
    write_file_atomically(dir_.path() / "toy" / "plat_onlydefault.json",
                          R"([{"key": {}, "config": {"block_sizes": [2, 2]}}])");
  }
  KernelRegistry make_registry(std::atomic<int>* compiles = nullptr, int compile_ms = 0) {
    auto compile = [this, compiles, compile_ms](const CompileRequest& r) -> std::shared_ptr<const Executable> {
      if (compile_ms) std::this_thread::sleep_for(std::chrono::milliseconds(compile_ms));
      if (compiles) ++*compiles;
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(r.key->canonical() + " sizes=" + std::to_string(r.sizes.size()) +
                          (r.sizes.empty() ? "" : " " + r.sizes[0].first + "=" + std::to_string(r.sizes[0].second)) +
                          " strides=" + std::to_string(r.strides.size()));
      return recorder_;
    };
    auto resolve = [this](DeviceId id) {
      DeviceContext c;
      c.id = id;
      c.platform = platform_for(id);
      return c;
    };
    return KernelRegistry(manager_, compile, resolve);
  }
  std::string platform_for(DeviceId id) {
    if (id.kind == runtime::DeviceKind::cpu) return "plat_a";
    if (id.index == 0) return "plat_missing";
    if (id.index == 1) return "plat_nodefault";
    return "plat_onlydefault";
  }
  std::vector<ArgValue> args(std::int64_t m, std::int64_t n, DeviceId dev = DeviceId::cpu()) {
    return {TensorView(buffer_, DType::f32, {m, n}, dev), TensorView(buffer_, DType::f32, {m, n}, dev)};
  }

  testing::TempDir dir_;
  ConfigManager manager_{dir_.path()};
  std::shared_ptr<Recorder> recorder_ = std::make_shared<Recorder>();
  std::mutex mutex_;
  std::vector<std::string> requests_;
  // Never read; 16-byte aligned, as device allocations are (a misaligned view keeps run-time
  // strides: StridedTensorsGetRuntimeStrides).
  alignas(16) float buffer_[4] = {0};
};

TEST_F(RegistryTest, DuplicateNamesAndLookup) {
  KernelRegistry reg = make_registry();
  EXPECT_EQ(reg.find("toy"), nullptr);
  reg.register_kernel(toy_spec());
  reg.register_kernel(toy_spec("toy2"));
  try {
    reg.register_kernel(toy_spec());
    FAIL();
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("Kernel 'toy' is already registered"));
  }
  ASSERT_NE(reg.find("toy"), nullptr);
  EXPECT_EQ(reg.find("toy")->name(), "toy");
  auto list = reg.kernels();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1]->name(), "toy2");
  EXPECT_THAT([&] { reg.get("nope"); }, ::testing::ThrowsMessage<UserError>(HasSubstr("toy, toy2")));
  KernelSpec incomplete = toy_spec("toy3");
  incomplete.picker = nullptr;
  EXPECT_THAT([&] { reg.register_kernel(incomplete); },
              ::testing::ThrowsMessage<UserError>(HasSubstr("picker missing")));
  EXPECT_THROW(reg.register_kernel(toy_spec("Bad/Name")), UserError);
}

TEST_F(RegistryTest, CallsPickCompileOncePerKeyAndLaunch) {
  std::atomic<int> compiles{0};
  KernelRegistry reg = make_registry(&compiles);
  const RegisteredKernel& k = reg.register_kernel(toy_spec());
  // m = 1..8 all map to {"m":8,"n":64}: one compile, eight picks (one per shape).
  for (std::int64_t m = 1; m <= 8; ++m) {
    auto a = args(m, 64);
    k.call(a);
    k.call(a);
    EXPECT_EQ(recorder_->last_sizes, (std::vector<std::int64_t>{m, 64}));
  }
  EXPECT_EQ(compiles.load(), 1);
  EXPECT_EQ(k.stats().picks, 8u);
  EXPECT_EQ(recorder_->launches.load(), 16);
  // m = 9..64: key {"m":64,"n":64}; a second compile.
  k.call(args(9, 64));
  k.call(args(64, 64));
  EXPECT_EQ(compiles.load(), 2);
  // n = 100 picks n=128 (closest) -- a new key and a new specialization.
  EXPECT_EQ(k.route(args(3, 100)).key.canonical(), R"({"m":64,"n":128})");
  k.call(args(3, 100));
  EXPECT_EQ(compiles.load(), 3);
  // n = 70 also picks n=64 but specializes n=70: same key, new compile.
  k.call(args(3, 70));
  EXPECT_EQ(compiles.load(), 4);
  EXPECT_EQ(k.stats().compiles, 4u);
  ASSERT_EQ(requests_.size(), 4u);
  EXPECT_EQ(requests_[0], R"({"m":8,"n":64} sizes=1 n=64 strides=2)");
  EXPECT_EQ(requests_[3], R"({"m":8,"n":64} sizes=1 n=70 strides=2)");
  const Route r = k.route(args(1000, 64));
  EXPECT_EQ(r.key.canonical(), R"({"m":64,"n":64})");  // beyond the largest tuned m
  EXPECT_EQ(r.platform, "plat_a");
  EXPECT_FALSE(r.fell_back_to_default);
  EXPECT_EQ(json::dumps_compact(r.config.to_json(), false), R"({"block_sizes":[16,64]})");
}

TEST_F(RegistryTest, StridedTensorsGetRuntimeStrides) {
  std::atomic<int> compiles{0};
  KernelRegistry reg = make_registry(&compiles);
  const RegisteredKernel& k = reg.register_kernel(toy_spec());
  const std::int64_t shape[] = {4, 64}, strides[] = {128, 1};
  std::vector<ArgValue> a = args(4, 64);
  a[1] = TensorView(buffer_, DType::f32, shape, strides, DeviceId::cpu());
  k.call(a);
  k.call(args(4, 64));
  EXPECT_EQ(compiles.load(), 2);  // contiguity is part of the specialization
  EXPECT_EQ(requests_[0], R"({"m":8,"n":64} sizes=1 n=64 strides=1)");
}

TEST_F(RegistryTest, MisalignedContiguousTensorsGetRuntimeStrides) {
  // Constant strides become 16-byte vector accesses in the generated code, which fault on a
  // misaligned address: a contiguous view 4 bytes into a buffer keeps run-time strides.
  std::atomic<int> compiles{0};
  KernelRegistry reg = make_registry(&compiles);
  const RegisteredKernel& k = reg.register_kernel(toy_spec());
  std::vector<ArgValue> a = args(4, 64);
  a[1] = TensorView(buffer_ + 1, DType::f32, {4, 64}, DeviceId::cpu());
  k.call(a);
  k.call(a);  // warm: the same route
  k.call(args(4, 64));
  EXPECT_EQ(compiles.load(), 2);
  EXPECT_EQ(requests_[0], R"({"m":8,"n":64} sizes=1 n=64 strides=1)");
  EXPECT_EQ(requests_[1], R"({"m":8,"n":64} sizes=1 n=64 strides=2)");
}

TEST_F(RegistryTest, RowAlignmentIsPartOfTheSpecialization) {
  // With run-time strides the printers use 16-byte vectors only on tensors whose rows all start
  // 16-byte aligned (TensorView::rows_aligned16): the fact goes into the request, and a call
  // that breaks it gets a program of its own.
  std::vector<std::string> aligned;
  KernelRegistry reg(manager_, [&](const CompileRequest& r) -> std::shared_ptr<const Executable> {
    std::string names;
    for (const std::string& n : r.aligned_rows) names += n + ",";
    aligned.push_back(names + " strides=" + std::to_string(r.strides.size()));
    return recorder_;
  }, [](DeviceId id) {
    DeviceContext c;
    c.id = id;
    c.platform = "plat_a";
    return c;
  });
  const RegisteredKernel& k = reg.register_kernel(toy_spec());
  const std::int64_t shape[] = {4, 64}, rows128[] = {128, 1}, rows65[] = {65, 1};
  std::vector<ArgValue> a = args(4, 64);
  a[1] = TensorView(buffer_, DType::f32, shape, rows128, DeviceId::cpu());  // 512-byte rows
  k.call(a);
  k.call(a);  // warm
  a[1] = TensorView(buffer_, DType::f32, shape, rows65, DeviceId::cpu());  // 260-byte rows
  k.call(a);
  a[1] = TensorView(buffer_ + 1, DType::f32, shape, rows128, DeviceId::cpu());  // data 4 bytes in
  k.call(a);  // the same facts as the call before: its program
  k.call(args(4, 64));
  ASSERT_EQ(aligned.size(), 3u);
  EXPECT_EQ(aligned[0], "x,out, strides=1");
  EXPECT_EQ(aligned[1], "out, strides=1");
  EXPECT_EQ(aligned[2], "x,out, strides=2");
  EXPECT_EQ(recorder_->launches.load(), 5);
}

TEST_F(RegistryTest, DisabledOnAPlatformWithoutConfigsButOtherDevicesWork) {
  KernelRegistry reg = make_registry();
  const RegisteredKernel& k = reg.register_kernel(toy_spec());
  const DeviceId gpu{runtime::DeviceKind::cuda, 0};
  auto reason = k.disabled_reason(gpu);
  ASSERT_TRUE(reason);
  EXPECT_THAT(*reason, HasSubstr("No configs available for kernel 'toy' on platform 'plat_missing'"));
  EXPECT_THAT(*reason, HasSubstr("plat_a, plat_nodefault, plat_onlydefault"));
  EXPECT_THAT(*reason, HasSubstr("gpu_aliases.json"));
  EXPECT_THAT(*reason, HasSubstr("TESSERA_PLATFORM"));
  EXPECT_THAT([&] { k.call(args(4, 64, gpu)); },
              ::testing::ThrowsMessage<UserError>(HasSubstr("kernel 'toy' is disabled on cuda:0: No configs available")));
  EXPECT_FALSE(k.disabled_reason(DeviceId::cpu()));
  k.call(args(4, 64));  // the cpu still works
  EXPECT_EQ(recorder_->launches.load(), 1);
}

TEST_F(RegistryTest, DefaultFallbackAndPickErrors) {
  KernelRegistry reg = make_registry();
  KernelSpec none_picker = toy_spec();
  none_picker.picker = [](KernelArgs, std::span<const CaseKey>) { return std::optional<CaseKey>(); };
  const RegisteredKernel& k = reg.register_kernel(none_picker);
  const Route r = k.route(args(4, 64));
  EXPECT_TRUE(r.fell_back_to_default);
  EXPECT_TRUE(r.key.is_default());
  EXPECT_EQ(json::dumps_compact(r.config.to_json(), false), R"({"block_sizes":[4,4]})");
  // No default key: the error lists the keys.
  EXPECT_THAT([&] { k.route(args(4, 64, {runtime::DeviceKind::cuda, 1})); },
              ::testing::ThrowsMessage<UserError>(
                  HasSubstr(R"(Config picker returned None for kernel 'toy' on platform 'plat_nodefault' and its )"
                            R"(config file has no default key {} to fall back to. Available config keys: [{"m":8,"n":64}])")));

  KernelSpec bad_picker = toy_spec("toy");
  bad_picker.name = "toy_bad";
  bad_picker.picker = [](KernelArgs, std::span<const CaseKey>) { return std::optional<CaseKey>(CaseKey::parse(R"({"m":3})")); };
  write_file_atomically(dir_.path() / "toy_bad" / "plat_a.json",
                        R"([{"key": {"m": 8}, "config": {}}, {"key": {}, "config": {}}])");
  const RegisteredKernel& kb = reg.register_kernel(bad_picker);
  EXPECT_THAT([&] { kb.call(args(4, 64)); },
              ::testing::ThrowsMessage<UserError>(HasSubstr(
                  R"(Config picker returned invalid config key '{"m":3}' for kernel 'toy_bad' on platform 'plat_a'. )"
                  R"(Available keys: [{"m":8}, {}])")));

  // The built-in picker on a file with only the default key falls back to it.
  KernelRegistry reg2 = make_registry();
  const RegisteredKernel& k2 = reg2.register_kernel(toy_spec());
  EXPECT_TRUE(k2.route(args(4, 64, {runtime::DeviceKind::cuda, 2})).fell_back_to_default);
}

TEST_F(RegistryTest, RouteOnPlatformWithoutADevice) {
  KernelRegistry reg = make_registry();
  const RegisteredKernel& k = reg.register_kernel(toy_spec());
  EXPECT_EQ(k.route_on_platform(args(4, 128), "PLAT_A").key.canonical(), R"({"m":64,"n":128})");
  EXPECT_THAT([&] { k.route_on_platform(args(4, 128), "plat_missing"); },
              ::testing::ThrowsMessage<UserError>(HasSubstr("No configs available for kernel 'toy' on platform 'plat_missing'")));
}

TEST_F(RegistryTest, BadArgumentsFailBeforeAnyLaunch) {
  KernelRegistry reg = make_registry();
  const RegisteredKernel& k = reg.register_kernel(toy_spec());
  std::vector<ArgValue> wrong_dtype = args(4, 64);
  wrong_dtype[0] = TensorView(buffer_, DType::bf16, {4, 64}, DeviceId::cpu());
  EXPECT_THAT([&] { k.call(wrong_dtype); },
              ::testing::ThrowsMessage<UserError>(HasSubstr("tensor 'out' must be f32 of rank 2, got bf16[4, 64]")));
  std::vector<ArgValue> wrong_shape = args(4, 64);
  wrong_shape[0] = TensorView(buffer_, DType::f32, {4, 32}, DeviceId::cpu());
  EXPECT_THAT([&] { k.call(wrong_shape); }, ::testing::ThrowsMessage<UserError>(HasSubstr("dimension 1 must be 64")));
  std::vector<ArgValue> mixed = args(4, 64);
  mixed[0] = TensorView(buffer_, DType::f32, {4, 64}, DeviceId{runtime::DeviceKind::cuda, 0});
  EXPECT_THAT([&] { k.call(mixed); }, ::testing::ThrowsMessage<UserError>(HasSubstr("same device")));
  std::vector<ArgValue> too_few = {args(4, 64)[0]};
  EXPECT_THAT([&] { k.call(too_few); }, ::testing::ThrowsMessage<UserError>(HasSubstr("takes 2 arguments, got 1")));
  std::vector<ArgValue> none = args(4, 64);
  none[1] = std::monostate{};
  EXPECT_THAT([&] { k.call(none); }, ::testing::ThrowsMessage<UserError>(HasSubstr("'x' is required")));
  EXPECT_EQ(recorder_->launches.load(), 0);
}

TEST_F(RegistryTest, MissingInputGeneratorIsAnError) {
  KernelRegistry reg = make_registry();
  const RegisteredKernel& k = reg.register_kernel(toy_spec());
  EXPECT_THAT([&] { k.input_keys(); },
              ::testing::ThrowsMessage<UserError>(HasSubstr("No input generator registered for kernel 'toy'")));
}

TEST_F(RegistryTest, ConcurrentFirstCallsCompileOnce) {
  std::atomic<int> compiles{0};
  KernelRegistry reg = make_registry(&compiles, /*compile_ms=*/50);
  const RegisteredKernel& k = reg.register_kernel(toy_spec());
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < 50; ++i) k.call(args(1 + (t * 50 + i) % 64, 64));
      } catch (...) {
        ++errors;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(compiles.load(), 2);  // {"m":8,...} and {"m":64,...}
  EXPECT_EQ(recorder_->launches.load(), 400);
}

TEST_F(RegistryTest, AFailedCompileIsRetried) {
  int attempts = 0;
  KernelRegistry reg(manager_, [&](const CompileRequest&) -> std::shared_ptr<const Executable> {
    if (++attempts == 1) throw UserError("compiler crashed");
    return recorder_;
  }, [](DeviceId id) { return DeviceContext{id, "plat_a", "", 1, 1, {}}; });
  const RegisteredKernel& k = reg.register_kernel(toy_spec());
  EXPECT_THROW(k.call(args(4, 64)), UserError);
  k.call(args(4, 64));
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(recorder_->launches.load(), 1);
}

}  // namespace
}  // namespace tessera::registry

namespace tessera::registry {
namespace {

// The warm path (one lookup under the call key) must route and validate exactly as the first
// call of a key did: the sizes it launches with come from this call's tensors, and arguments
// that the first call's checks would reject never reach the cached route.
TEST_F(RegistryTest, WarmCallsRouteAndValidateLikeFirstCalls) {
  KernelRegistry reg = make_registry();
  const RegisteredKernel& k = reg.register_kernel(toy_spec());
  for (int i = 0; i < 3; ++i) k.call(args(4, 64));
  EXPECT_EQ(k.stats().picks, 1u);
  EXPECT_EQ(recorder_->last_sizes, (std::vector<std::int64_t>{4, 64}));
  k.call(args(100, 64));
  EXPECT_EQ(recorder_->last_sizes, (std::vector<std::int64_t>{100, 64}));
  k.call(args(4, 64));
  EXPECT_EQ(recorder_->last_sizes, (std::vector<std::int64_t>{4, 64}));
  EXPECT_EQ(k.stats().picks, 2u);
  EXPECT_EQ(recorder_->launches.load(), 5);

  std::vector<ArgValue> bad_shape = {TensorView(buffer_, DType::f32, {4, 32}, DeviceId::cpu()),
                                     TensorView(buffer_, DType::f32, {4, 64}, DeviceId::cpu())};
  std::vector<ArgValue> bad_dtype = {TensorView(buffer_, DType::f16, {4, 64}, DeviceId::cpu()),
                                     TensorView(buffer_, DType::f32, {4, 64}, DeviceId::cpu())};
  for (int i = 0; i < 2; ++i) {
    EXPECT_THAT([&] { k.call(bad_shape); }, ::testing::ThrowsMessage<UserError>(HasSubstr("dimension 1 must be 64")));
    EXPECT_THAT([&] { k.call(bad_dtype); }, ::testing::ThrowsMessage<UserError>(HasSubstr("must be f32")));
  }
  EXPECT_EQ(recorder_->launches.load(), 5);
  // A strided view of the same shape is another specialization (no compile-time strides).
  const std::int64_t strides[] = {128, 1};
  const std::int64_t shape[] = {4, 64};
  std::vector<ArgValue> strided = {TensorView(buffer_, DType::f32, shape, strides, DeviceId::cpu()),
                                   TensorView(buffer_, DType::f32, {4, 64}, DeviceId::cpu())};
  const std::size_t before = requests_.size();
  k.call(strided);
  k.call(strided);
  EXPECT_EQ(requests_.size(), before + 1);
  EXPECT_EQ(recorder_->launches.load(), 7);
}

}  // namespace
}  // namespace tessera::registry
