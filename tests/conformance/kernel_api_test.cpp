// SPDX-License-Identifier: Apache-2.0
// lang::Kernel's contract on the CPU device: settings from the environment, argument errors
// before any compile, specialization keys (static and bucketed), bind caching and reset,
// set_config/source/compile, print_output_code, and the light autotune.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "examples/examples.h"
#include "kernel_test_util.h"
#include "tessera/error.h"
#include "tessera/ir/config_space.h"
#include "tessera/lang/kernel.h"
#include "tessera/runtime/registry.h"

namespace tessera::lang {
namespace {

using test::DeviceTensor;

class KernelApi : public ::testing::Test {
 protected:
  void SetUp() override {
    tessera::init();
    dev_ = tessera::open_device("cpu");
  }
  /// Random x, y and a poisoned out of shape [m, n] for `add`.
  struct AddArgs {
    ir::HostTensor x, y, out;
    DeviceTensor dx, dy, dout;
  };
  AddArgs make_add(std::int64_t m, std::int64_t n, DType dtype = DType::f32, unsigned seed = 1) {
    AddArgs a{ir::HostTensor::zeros(dtype, {m, n}), ir::HostTensor::zeros(dtype, {m, n}),
              ir::HostTensor::zeros(dtype, {m, n}), {}, {}, {}};
    std::mt19937 rng(seed);
    test::fill_random(a.x, rng);
    test::fill_random(a.y, rng);
    a.out.fill_bytes(0xFF);
    a.dx = test::to_device(dev_, a.x);
    a.dy = test::to_device(dev_, a.y);
    a.dout = test::to_device(dev_, a.out);
    return a;
  }
  void expect_add_right(AddArgs& a) {
    test::to_host(dev_, a.dout, a.out);
    ir::HostTensor want = ir::HostTensor::zeros(a.x.dtype, a.x.shape);
    examples::add_reference(a.x, a.y, want);
    EXPECT_EQ(test::compare(a.out, want, "add out"), 0);
  }
  runtime::Device dev_;
};

/// Sets an environment variable for the scope of one test.
struct ScopedEnv {
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  const char* name_;
};

TEST(KernelSettings, EnvironmentFillsUnsetFieldsAndExplicitValuesWin) {
  EXPECT_TRUE(resolve_settings({}).static_shapes);
  EXPECT_EQ(resolve_settings({}).index_dtype, IndexDType::i32);
  EXPECT_FALSE(resolve_settings({}).print_output_code);
  ScopedEnv a("TESSERA_STATIC_SHAPES", "0");
  ScopedEnv b("TESSERA_INDEX_DTYPE", "int64");
  ScopedEnv c("TESSERA_PRINT_OUTPUT_CODE", "true");
  const ResolvedSettings env = resolve_settings({});
  EXPECT_FALSE(env.static_shapes);
  EXPECT_EQ(env.index_dtype, IndexDType::i64);
  EXPECT_TRUE(env.print_output_code);
  Settings explicit_settings;
  explicit_settings.static_shapes = true;
  explicit_settings.index_dtype = IndexDType::i32;
  explicit_settings.print_output_code = false;
  const ResolvedSettings r = resolve_settings(explicit_settings);
  EXPECT_TRUE(r.static_shapes);
  EXPECT_EQ(r.index_dtype, IndexDType::i32);
  EXPECT_FALSE(r.print_output_code);
}

TEST(KernelSettings, BadEnvironmentValuesEchoTheInput) {
  ScopedEnv a("TESSERA_STATIC_SHAPES", "maybe");
  try {
    resolve_settings({});
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("TESSERA_STATIC_SHAPES=maybe"), std::string::npos) << e.what();
  }
  ScopedEnv b("TESSERA_STATIC_SHAPES", "1");
  ScopedEnv c("TESSERA_INDEX_DTYPE", "i16");
  EXPECT_THROW(resolve_settings({}), UserError);
}

/// Expects `fn` to throw a UserError whose message contains `needle`.
template <typename F>
void expect_user_error(F&& fn, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "expected a UserError containing '" << needle << "'";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST_F(KernelApi, ArgumentsThatDoNotMatchTheDefinitionFailBeforeAnyCompile) {
  Kernel k(examples::add_kernel(DType::f32));
  AddArgs a = make_add(8, 8);
  ir::HostTensor h16 = ir::HostTensor::zeros(DType::f16, {8, 8});
  DeviceTensor d16 = test::to_device(dev_, h16);
  ir::HostTensor h3 = ir::HostTensor::zeros(DType::f32, {8, 8, 1});
  DeviceTensor d3 = test::to_device(dev_, h3);
  ir::HostTensor h9 = ir::HostTensor::zeros(DType::f32, {8, 9});
  DeviceTensor d9 = test::to_device(dev_, h9);
  expect_user_error([&] { k({a.dx.view, a.dy.view}); }, "takes 3 arguments");
  expect_user_error([&] { k({a.dx.view, 1.0, a.dout.view}); }, "got a scalar");
  expect_user_error([&] { k({a.dx.view, d16.view, a.dout.view}); }, "has dtype f16");
  expect_user_error([&] { k({a.dx.view, d3.view, a.dout.view}); }, "has rank 3");
  expect_user_error([&] { k({a.dx.view, d9.view, a.dout.view}); }, "size 'n' is 8");
  // A tensor claiming to live on another device (never dereferenced: the check comes first).
  runtime::TensorView foreign(a.dy.view.data(), DType::f32, {8, 8}, runtime::DeviceId::parse("cuda:0"));
  expect_user_error([&] { k({a.dx.view, foreign, a.dout.view}); }, "on one device");
  EXPECT_EQ(k.num_bound(), 0u);
}

TEST_F(KernelApi, StaticKeysAreExactAndDynamicKeysBucketSizes) {
  Kernel fixed(examples::add_kernel(DType::f32));
  AddArgs a = make_add(5, 7), b = make_add(9, 3), c = make_add(1, 7);
  const auto args = [](AddArgs& x) { return std::vector<Arg>{x.dx.view, x.dy.view, x.dout.view}; };
  EXPECT_EQ(fixed.specialization_key(args(a)).str(),
            "cpu i32 static m=5 n=7 x[5,7]/[7,1]/data16 y[5,7]/[7,1]/data16 out[5,7]/[7,1]/data16");
  EXPECT_FALSE(fixed.specialization_key(args(a)) == fixed.specialization_key(args(b)));

  Settings s;
  s.static_shapes = false;
  Kernel dynamic(examples::add_kernel(DType::f32), s);
  EXPECT_TRUE(dynamic.specialization_key(args(a)) == dynamic.specialization_key(args(b)));
  EXPECT_FALSE(dynamic.specialization_key(args(a)) == dynamic.specialization_key(args(c)));
  EXPECT_EQ(dynamic.specialization_key(args(c)).str(), "cpu i32 dynamic m=1 n>=2 x[1,>=2]/rows16 y[1,>=2]/rows16 out[1,>=2]/rows16");

  s.index_dtype = IndexDType::i64;
  s.extra_key = [](std::span<const Arg> xs) { return std::to_string(xs[0].tensor().size(1) % 2); };
  Kernel extra(examples::add_kernel(DType::f32), s);
  EXPECT_EQ(extra.specialization_key(args(b)).str(), "cpu i64 dynamic m>=2 n>=2 x[>=2,>=2]/unaligned y[>=2,>=2]/unaligned out[>=2,>=2]/unaligned extra=1");
  AddArgs e = make_add(4, 6);
  EXPECT_FALSE(extra.specialization_key(args(b)) == extra.specialization_key(args(e)));
}

// The printers use 16-byte vectors on constant strides (which promise aligned data) and, with
// run-time strides, on rows known to start 16-byte aligned (TensorView::rows_aligned16): both
// facts are part of the key, and a view one element into its buffer gets neither.
TEST_F(KernelApi, AlignmentIsPartOfTheKeyAndTheSpecialization) {
  AddArgs a = make_add(5, 8), big = make_add(6, 8);
  const runtime::TensorView odd(static_cast<float*>(big.dx.view.data()) + 1, DType::f32, {5, 8}, dev_.id());
  const std::vector<Arg> aligned{a.dx.view, a.dy.view, a.dout.view}, misaligned{odd, a.dy.view, a.dout.view};
  for (bool static_shapes : {true, false}) {
    Settings s;
    s.static_shapes = static_shapes;
    Kernel k(examples::add_kernel(DType::f32), s);
    EXPECT_FALSE(k.specialization_key(aligned) == k.specialization_key(misaligned)) << static_shapes;
    const std::string key = k.specialization_key(misaligned).str();
    EXPECT_NE(key.find(static_shapes ? "x[5,8]/[8,1]/unaligned y[5,8]/[8,1]/rows16" : "x[>=2,>=2]/unaligned y[>=2,>=2]/rows16"),
              std::string::npos) << key;
    const lower::Specialization& good = k.bind(aligned)->specialization();
    const lower::Specialization& bad = k.bind(misaligned)->specialization();
    EXPECT_EQ(good.aligned_rows, (std::set<std::string>{"out", "x", "y"}));
    EXPECT_EQ(bad.aligned_rows, (std::set<std::string>{"out", "y"}));
    EXPECT_EQ(good.strides.count("x"), static_shapes ? 1u : 0u);
    EXPECT_EQ(bad.strides.count("x"), 0u);  // constant strides would promise aligned data
    EXPECT_EQ(bad.strides.count("y"), static_shapes ? 1u : 0u);
    // And the misaligned call computes the right sums (float64 reference, rounded once to f32).
    a.dout = test::to_device(dev_, a.out);
    k({odd, a.dy.view, a.dout.view});
    test::to_host(dev_, a.dout, a.out);
    for (std::int64_t i = 0; i < 40; ++i) {
      const double want = static_cast<double>(big.x.load(i + 1)) + static_cast<double>(a.y.load(i));
      ASSERT_EQ(a.out.load(i), static_cast<double>(static_cast<float>(want))) << "element " << i;
    }
  }
}

TEST_F(KernelApi, BindCachesPerSpecializationAndResetDropsThem) {
  Settings s;
  s.static_shapes = false;
  Kernel k(examples::add_kernel(DType::f32), s);
  AddArgs a = make_add(37, 45), b = make_add(70, 3);
  std::shared_ptr<BoundKernel> ba = k.bind({a.dx.view, a.dy.view, a.dout.view});
  EXPECT_EQ(ba.get(), k.bind({b.dx.view, b.dy.view, b.dout.view}).get());
  EXPECT_EQ(k.num_bound(), 1u);
  // One compiled program serves both shapes (run-time sizes).
  k({a.dx.view, a.dy.view, a.dout.view});
  k({b.dx.view, b.dy.view, b.dout.view});
  expect_add_right(a);
  expect_add_right(b);
  EXPECT_EQ(ba->compile(*ba->config()).get(), ba->compile(Config()).get());
  // No config given: the config space's CPU default (large row-ordered tiles) is what runs.
  EXPECT_EQ(*ba->config(), ir::ConfigSpace::of(*ba->definition()).default_config(ir::ConfigDefaults::cpu));
  EXPECT_EQ(*ba->config()->block_sizes(), (std::vector<std::int64_t>{1, 4096}));
  k.reset();
  EXPECT_EQ(k.num_bound(), 0u);
  EXPECT_NE(ba.get(), k.bind({a.dx.view, a.dy.view, a.dout.view}).get());
  // The old bound kernel still works after the kernel dropped it.
  a.dout = test::to_device(dev_, a.out);
  (*ba)({a.dx.view, a.dy.view, a.dout.view});
  expect_add_right(a);
}

TEST_F(KernelApi, ConcurrentFirstCallsBindAndCompileOnce) {
  Kernel k(examples::add_kernel(DType::f32));
  std::vector<AddArgs> args;
  for (int i = 0; i < 4; ++i) args.push_back(make_add(33, 65, DType::f32, 10 + i));
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] { k({args[i].dx.view, args[i].dy.view, args[i].dout.view}); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(k.num_bound(), 1u);
  for (auto& a : args) expect_add_right(a);
}

TEST_F(KernelApi, SetConfigSourceAndPrintOutputCode) {
  Settings s;
  s.print_output_code = true;
  Kernel k(examples::add_kernel(DType::f32), s);
  AddArgs a = make_add(20, 30);
  std::shared_ptr<BoundKernel> b = k.bind({a.dx.view, a.dy.view, a.dout.view});
  Config cfg;
  cfg.set_block_sizes({4, 16});
  const backend::Source src = b->source(cfg);
  EXPECT_EQ(src.kernel_name, "ts_add");
  EXPECT_NE(src.text.find("extern \"C\" void ts_add"), std::string::npos);
  ::testing::internal::CaptureStderr();
  b->set_config(cfg);
  const std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(printed.find(src.text), std::string::npos) << "print_output_code printed:\n" << printed.substr(0, 400);
  EXPECT_EQ(b->config()->to_json(), cfg.to_json());
  k({a.dx.view, a.dy.view, a.dout.view});
  expect_add_right(a);
  Config bad;
  bad.set_block_sizes({16});
  expect_user_error([&] { b->set_config(bad); }, "block_sizes");
  // A bound kernel refuses calls of another specialization.
  AddArgs other = make_add(21, 30);
  expect_user_error([&] { (*b)({other.dx.view, other.dy.view, other.dout.view}); }, "specialized for");
}

TEST_F(KernelApi, LightAutotuneKeepsTheFastestWorkingConfig) {
  std::vector<Config> configs(3);
  configs[0].set_block_sizes({1, 1});       // one element per program: slow
  configs[1].set_block_sizes({32, 64});
  configs[2].set_block_sizes({16});         // wrong length: fails, scored infinity
  Kernel k(examples::add_kernel(DType::f32), configs);
  AddArgs a = make_add(200, 300);
  ::testing::internal::CaptureStderr();
  k({a.dx.view, a.dy.view, a.dout.view});
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("failed"), std::string::npos) << log;
  expect_add_right(a);
  std::shared_ptr<BoundKernel> b = k.bind({a.dx.view, a.dy.view, a.dout.view});
  const std::optional<AutotuneResult> r = b->autotune_result();
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->entries.size(), 3u);
  EXPECT_TRUE(std::isfinite(r->entries[0].ms));
  EXPECT_TRUE(std::isfinite(r->entries[1].ms));
  EXPECT_FALSE(std::isfinite(r->entries[2].ms));
  EXPECT_FALSE(r->entries[2].error.empty());
  EXPECT_EQ(r->best, 1u) << "times: " << r->entries[0].ms << " vs " << r->entries[1].ms;
  EXPECT_EQ(b->config()->to_json(), configs[r->best].to_json());
}

}  // namespace
}  // namespace tessera::lang
